import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  NotFoundException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { randomBytes } from 'node:crypto';
import type { TenantThrottling } from '../ports/tenant-throttling';
import type { PlanName } from '../tenancy/plans';

/**
 * Tenant throttling with API Gateway usage plans: one API key per tenant, in
 * the usage plan of its plan tier (rate, burst and quota are the plan's). The
 * key is a usage identifier returned by the authorizer, not a credential.
 */
export class ApiGatewayThrottling implements TenantThrottling {
  readonly kind = 'api-gateway' as const;

  constructor(
    private readonly apigateway: APIGatewayClient,
    private readonly usagePlans: Readonly<Record<PlanName, string>>,
  ) {}

  async provision(tenantId: string, plan: PlanName): Promise<{ usageKey: string; usageKeyId: string }> {
    const value = randomBytes(30).toString('base64url');
    const key = await this.apigateway.send(
      new CreateApiKeyCommand({ name: `steward-tenant-${tenantId}`, value, enabled: true, tags: { TenantId: tenantId, Plan: plan } }),
    );
    await this.apigateway.send(new CreateUsagePlanKeyCommand({ usagePlanId: this.usagePlans[plan], keyId: key.id!, keyType: 'API_KEY' }));
    return { usageKey: value, usageKeyId: key.id! };
  }

  async setEnabled(usageKeyId: string | undefined, enabled: boolean): Promise<void> {
    if (!usageKeyId) return;
    await this.apigateway.send(new UpdateApiKeyCommand({ apiKey: usageKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }] }));
  }

  async remove(usageKeyId: string | undefined): Promise<void> {
    if (!usageKeyId) return;
    try {
      await this.apigateway.send(new DeleteApiKeyCommand({ apiKey: usageKeyId }));
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
  }
}
