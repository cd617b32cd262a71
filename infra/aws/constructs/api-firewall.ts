import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { BEARER_CREDENTIAL_PATTERN } from '../../../core/identity/credential-shape';

export interface ApiFirewallProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /**
   * Requests one client IP may send in any 5-minute window without a
   * well-formed credential (BEARER_CREDENTIAL_PATTERN): floods, junk tokens.
   * A header that merely exists does not count as a credential.
   *
   * @default 3000
   */
  readonly requestsPerIpPer5Minutes?: number;
  /**
   * The ceiling for every request of one IP, credential or not: one CI
   * runner's IP may carry a whole tenant's plan rate, but no IP is unlimited
   * (a well-formed token is not yet a valid one).
   *
   * @default 30000
   */
  readonly authenticatedRequestsPerIpPer5Minutes?: number;
  /**
   * Requests one IP may send to the public identity routes (sign-up, local
   * sign-in and invitation redemption), whatever headers they carry. The API
   * also limits these per IP and per account in the store.
   *
   * @default 100
   */
  readonly publicRouteRequestsPerIpPer5Minutes?: number;
  /** Prefix of the web ACL's metric names. @default 'steward' */
  readonly metricPrefix?: string;
}

/** The public identity routes, under any stage prefix. */
const PUBLIC_IDENTITY_PATH = '/(signup|auth/[a-z-]+)$';

/**
 * A regional WAFv2 web ACL on the API stage: AWS managed IP-reputation and
 * known-bad-inputs rule groups, plus per-IP rate limits that no header can
 * escape: every request counts against a high ceiling, requests without a
 * well-formed credential against a lower one, and the public identity routes
 * against the lowest. The managed "common" rule set is left out on purpose:
 * its 8 KB body limit would block legitimate scoring and pipeline requests.
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

    const rateLimit = (
      name: string,
      priority: number,
      limit: number,
      scopeDownStatement?: wafv2.CfnWebACL.StatementProperty,
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: { block: {} },
      statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit, evaluationWindowSec: 300, ...(scopeDownStatement ? { scopeDownStatement } : {}) } },
      visibilityConfig: visibility(name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        rateLimit('RateLimitPublicIdentityRoutesPerIp', 2, props.publicRouteRequestsPerIpPer5Minutes ?? 100, {
          regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: PUBLIC_IDENTITY_PATH, textTransformations: [{ priority: 0, type: 'NONE' }] },
        }),
        rateLimit('RateLimitPerIp', 3, props.requestsPerIpPer5Minutes ?? 3000, {
          // Not a well-formed credential, whatever else the header holds: `Authorization: x` counts here.
          notStatement: {
            statement: {
              regexMatchStatement: {
                fieldToMatch: { singleHeader: { Name: 'authorization' } },
                regexString: BEARER_CREDENTIAL_PATTERN,
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          },
        }),
        rateLimit('RateLimitPerIpAuthenticated', 4, props.authenticatedRequestsPerIpPer5Minutes ?? 30000),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
