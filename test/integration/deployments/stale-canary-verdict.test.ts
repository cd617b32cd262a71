import { deploymentDeps } from '../../../core/deployments/deployment-deps';
import { rollbackEndpoint } from '../../../core/deployments/endpoint-actions';
import { Conflict } from '../../../core/errors';
import { PLANS } from '../../../core/tenancy/plans';
import { tenantScope } from '../../../core/tenancy/tenant-scope';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { FOUR_FEATURE_SCHEMA, fourFeatureLogistic } from '../../fixtures/artifacts/four-feature-logistic';
import { createProject } from '../catalog/catalog-fixtures';
import { approvedOnnxVersion, deployAndWait } from './deployment-fixtures';

/**
 * A canary verdict is weighed on the deployment a process last saw. By the
 * time it is applied the endpoint may have moved on (an operator deployed
 * again, another process rolled the canary back): rolling back "the live
 * deployment" then would undo someone else's deployment. The verdict names
 * the deployment it weighed (`expectLive`) and is refused when that one is no
 * longer live; the endpoint keeps serving what it serves.
 */
jest.setTimeout(120_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Stale Verdict');
});

afterAll(async () => {
  await ctx?.local.close();
});

const approvedVersion = (modelId: string, intercept: number) => approvedOnnxVersion(ctx.api, acme, modelId, fourFeatureLogistic(intercept));
const deploy = (body: { endpointName: string } & Record<string, unknown>) => deployAndWait(ctx.api, ctx.local.runner, acme, body);

it('refuses a rollback verdict on a canary that is no longer live, and leaves the endpoint as it is', async () => {
  const ds = acme.tokens['data-scientist'];
  const { projectId } = await createProject(ctx.api, ds);
  const model = await ctx.api.call('POST', '/models', {
    token: ds,
    body: { projectId, name: 'stale-verdict', type: 'ml', framework: 'onnx', schema: FOUR_FEATURE_SCHEMA },
  });
  expect(model.status).toBe(201);
  const modelId: string = model.body.modelId;
  const v1 = await approvedVersion(modelId, 0.1);
  const v2 = await approvedVersion(modelId, 0.2);
  const v3 = await approvedVersion(modelId, 0.3);

  const first = await deploy({ endpointName: 'moving', variants: [{ modelId, version: v1 }], capturePercent: 0 });
  const canary = await deploy({ endpointName: 'moving', canary: { modelId, version: v2, steps: [50, 100], bakeSeconds: 3600 } });
  expect([first.status, canary.status]).toEqual(['live', 'live']);
  // An operator deploys v3 over the canary: the canary is history now, v3 is live.
  const third = await deploy({ endpointName: 'moving', variants: [{ modelId, version: v3 }], capturePercent: 0 });
  expect(third.status).toBe('live');
  const before = (await ctx.api.call('GET', '/endpoints/moving', { token: acme.tokens.viewer })).body.endpoint;
  expect(before.liveDeploymentId).toBe(third.deploymentId);

  // The canary's verdict, weighed on what a process saw before v3, arrives now.
  const scope = tenantScope(
    ctx.platform,
    { kind: 'user', userId: acme.userIds.deployer, tenantId: acme.tenantId, email: acme.emails.deployer, roles: ['deployer'] },
    { requestId: 'stale-verdict' },
    PLANS.enterprise,
  );
  const stale = rollbackEndpoint(scope, deploymentDeps(ctx.platform), 'moving', 'canary p99 over its threshold', { expectLive: canary.deploymentId });
  await expect(stale).rejects.toBeInstanceOf(Conflict);
  await expect(stale).rejects.toThrow(`no longer serves deployment ${canary.deploymentId}`);

  // Nothing moved: v3 stays live and serving, the canary is not brought back, nobody recorded a rollback.
  const after = (await ctx.api.call('GET', '/endpoints/moving', { token: acme.tokens.viewer })).body.endpoint;
  expect(after).toMatchObject({ liveDeploymentId: third.deploymentId, revision: before.revision });
  const scored = await ctx.api.call('POST', '/endpoints/moving/invocations', { token: acme.tokens.deployer, body: [{ x0: 1, x1: 0, x2: 0, x3: 0 }] });
  expect(scored.status).toBe(200);
  expect(scored.body).toMatchObject({ deploymentId: third.deploymentId, version: v3 });
  const trail = await ctx.api.call('GET', `/audit/events?targetType=deployment&targetId=${canary.deploymentId}&limit=100`, { token: acme.tokens.viewer });
  expect(trail.status).toBe(200);
  expect(trail.body.items.length).toBeGreaterThan(0);
  expect(trail.body.items.map((e: { action: string }) => e.action)).not.toContain('deployment.rolled-back');

  // The same verdict on the deployment that is live is applied: the guard refuses only stale ones.
  const current = await rollbackEndpoint(scope, deploymentDeps(ctx.platform), 'moving', 'operator drill', { expectLive: third.deploymentId });
  expect(current.live.deploymentId).toBe(canary.deploymentId);
});
