import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { PrincipalResolver } from '../../core/identity/principal-resolver';
import type { Platform } from '../../core/platform/platform';
import { awsPlatform } from '../shared/aws-platform';

let platform: Platform | undefined;
let resolver: PrincipalResolver | undefined;

/**
 * API Gateway TOKEN authorizer: verifies the bearer credential with the same
 * PrincipalResolver the API uses locally (Cognito ID token or CI token; tenant
 * and user must be active), and hands the verified principal to the API
 * Lambda in the authorizer context — which a client cannot set. Results are
 * not cached by API Gateway (TTL 0), so suspension and revocation act on the
 * next request. The tenant's usage key makes API Gateway apply its usage plan.
 */
export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  platform ??= awsPlatform();
  resolver ??= new PrincipalResolver(platform, platform.identity.verifier, { cacheMs: 0 });
  let principal;
  try {
    principal = await resolver.resolve(event.authorizationToken);
  } catch (error) {
    platform.log.info('authorizer refused', { reason: error instanceof Error ? error.message : String(error) });
    throw new Error('Unauthorized', { cause: error }); // API Gateway answers 401 (it reads the message only)
  }
  if (principal.kind !== 'platform-admin' && isPlatformRoute(event.methodArn)) {
    // Refused here, before the API Lambda and outside any usage plan.
    return {
      principalId: 'tenant-principal',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }] },
    };
  }
  const tenant = principal.kind === 'platform-admin' ? undefined : await resolver.activeTenant(principal.tenantId);
  return authorizerResult(event.methodArn, principal, tenant?.usageKey);
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/platform/...` */
export function isPlatformRoute(methodArn: string): boolean {
  const path = methodArn.split('/').slice(3).join('/');
  return path === 'platform' || path.startsWith('platform/');
}

export function authorizerResult(methodArn: string, principal: object & { kind: string }, usageKey?: string): APIGatewayAuthorizerResult {
  const principalId =
    'userId' in principal ? String(principal.userId) : 'tokenId' in principal ? String(principal.tokenId) : String((principal as { adminId?: string }).adminId);
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
    context: { principal: JSON.stringify(principal) },
    ...(usageKey ? { usageIdentifierKey: usageKey } : {}),
  };
}
