import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /**
   * Requests one client IP may send in any 5-minute window before it is
   * blocked. Applies to requests without an Authorization header only: per-tenant
   * limits belong to usage plans; this stops unauthenticated floods.
   *
   * @default 3000
   */
  readonly requestsPerIpPer5Minutes?: number;
  /** Prefix of the web ACL's metric names. @default 'steward' */
  readonly metricPrefix?: string;
}

/**
 * A regional WAFv2 web ACL on the API stage: AWS managed IP-reputation and
 * known-bad-inputs rule groups, plus a per-IP rate limit. The managed "common"
 * rule set is left out on purpose: its 8 KB body limit would block legitimate
 * scoring and pipeline requests.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const prefix = props.metricPrefix ?? 'steward';
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${prefix}-${name}`,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        {
          name: 'RateLimitPerIp',
          priority: 2,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.requestsPerIpPer5Minutes ?? 3000,
              evaluationWindowSec: 300,
              // Only requests without credentials (sign-up, health, docs, floods): authenticated
              // traffic is throttled per tenant by its usage plan, and one CI runner's IP may
              // legitimately carry a whole tenant's plan rate.
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    sizeConstraintStatement: {
                      fieldToMatch: { singleHeader: { Name: 'authorization' } },
                      comparisonOperator: 'GT',
                      size: 0,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
            },
          },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
