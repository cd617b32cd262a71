import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { PLAN_NAMES, PLANS, type PlanName, type PlanQuotas } from '../../../core/tenancy/plans';
import { iam5ResourceFinding } from '../nag-findings';

export interface TenantUsagePlansProps {
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  /** Prefix of the plans' names. @default 'steward' */
  readonly namePrefix?: string;
  /**
   * The plans, by name. Tests pass other numbers; Steward passes PLANS so
   * API Gateway and the application read one source.
   *
   * @default PLANS (core/tenancy/plans.ts)
   */
  readonly plans?: Readonly<Record<PlanName, PlanQuotas>>;
}

/**
 * Per-tenant throttling at the edge: one usage plan per Steward plan on the
 * API stage, rate = `apiRatePerSecond`, burst = 2× (core/tenancy/plans.ts).
 * Each tenant gets an API key in its plan's usage plan when it is approved
 * (core/adapters/api-gateway-throttling.ts); the authorizer returns that key
 * as `usageIdentifierKey`, so clients never send one.
 *
 * No daily quota: PLANS defines none, and a number invented here would be a
 * second, unreviewed source of plan limits. Add `apiRequestsPerDay` to
 * PlanQuotas to have one set.
 */
export class TenantUsagePlans extends Construct {
  readonly plans: ReadonlyMap<PlanName, apigateway.UsagePlan>;

  constructor(scope: Construct, id: string, props: TenantUsagePlansProps) {
    super(scope, id);
    const plans = props.plans ?? PLANS;
    const prefix = props.namePrefix ?? 'steward';
    this.plans = new Map(
      PLAN_NAMES.map((name) => {
        const rate = plans[name].apiRatePerSecond;
        const plan = props.api.addUsagePlan(`${name.charAt(0).toUpperCase()}${name.slice(1)}`, {
          name: `${prefix}-${name}`,
          description: `Steward ${name} plan: ${rate} requests/s per tenant, bursts of ${2 * rate}`,
          throttle: { rateLimit: rate, burstLimit: 2 * rate },
          apiStages: [{ api: props.api, stage: props.stage }],
        });
        return [name, plan];
      }),
    );
  }

  /** STEWARD_USAGE_PLANS: plan name -> usage plan id. */
  usagePlanIds(): Record<PlanName, string> {
    return Object.fromEntries([...this.plans].map(([name, plan]) => [name, plan.usagePlanId])) as Record<PlanName, string>;
  }

  /**
   * The calls ApiGatewayThrottling sends: CreateApiKey (POST /apikeys, with
   * tags: PUT /tags/<api key ARN>), UpdateApiKey (PATCH /apikeys/<id>),
   * DeleteApiKey (DELETE /apikeys/<id>), and CreateUsagePlanKey (POST
   * /usageplans/<id>/keys) on these three plans only.
   */
  grantKeyManagement(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    const path = (resourcePath: string) =>
      stack.formatArn({ service: 'apigateway', account: '', resource: resourcePath, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const apiKeys = path('/apikeys');
    const eachApiKey = path('/apikeys/*');
    // Tag-on-create is authorized on the tags sub-resource of the new key, its ARN URL-encoded.
    const apiKeyTags = path(`/tags/arn%3A${stack.partition}%3Aapigateway%3A${stack.region}%3A%3A%2Fapikeys%2F*`);
    const statements = [
      new iam.PolicyStatement({ sid: 'CreateTenantApiKeys', actions: ['apigateway:POST'], resources: [apiKeys] }),
      new iam.PolicyStatement({ sid: 'TagTenantApiKeys', actions: ['apigateway:PUT'], resources: [apiKeyTags] }),
      new iam.PolicyStatement({ sid: 'EnableDisableDeleteTenantApiKeys', actions: ['apigateway:PATCH', 'apigateway:DELETE'], resources: [eachApiKey] }),
      new iam.PolicyStatement({
        sid: 'PutTenantApiKeysInPlans',
        actions: ['apigateway:POST'],
        resources: [...this.plans.values()].map((plan) => path(`/usageplans/${plan.usagePlanId}/keys`)),
      }),
    ];
    for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
    Validations.of(grantee).acknowledge(
      {
        id: iam5ResourceFinding(this, eachApiKey),
        reason:
          'API key ids are assigned by API Gateway when a tenant is approved; enabling, disabling and deleting them needs the collection of keys (they are usage identifiers, not credentials).',
      },
      {
        id: iam5ResourceFinding(this, apiKeyTags),
        reason: 'Tag-on-create of tenant API keys (TenantId, Plan): the key ARN is only known once API Gateway creates it.',
      },
    );
  }
}
