import type { ApiClient, OnboardedTenant } from '../../support/api-client';
import { uploadVersion } from '../catalog/catalog-fixtures';

/**
 * Uploads `bytes` as a new ONNX version of `modelId` (data scientist), takes it
 * through evaluation to pending-approval and has the tenant's approver approve
 * it: a version the deploy pipeline accepts. Returns its number.
 */
export async function approvedOnnxVersion(api: ApiClient, tenant: OnboardedTenant, modelId: string, bytes: Uint8Array): Promise<number> {
  const ds = tenant.tokens['data-scientist'];
  const { version, finalized } = await uploadVersion(api, ds, modelId, 'onnx', bytes);
  if (finalized.status !== 200) throw new Error(`finalize: ${JSON.stringify(finalized.body)}`);
  for (const to of ['evaluating', 'evaluated', 'pending-approval'])
    await api.call('POST', `/models/${modelId}/versions/${version}/status`, { token: ds, body: { to } });
  const approved = await api.call('POST', `/models/${modelId}/versions/${version}/decision`, {
    token: tenant.tokens.approver,
    body: { decision: 'approve', reason: 'reviewed' },
  });
  if (approved.status !== 200) throw new Error(`approve: ${JSON.stringify(approved.body)}`);
  return version;
}

/**
 * Starts a deployment as the tenant's deployer, waits for its deploy run on
 * `runner` (the process that started it), and returns the deployment as the
 * API then reads it.
 */
export async function deployAndWait(
  api: ApiClient,
  runner: { waitFor(executionId: string, timeoutMs: number): Promise<unknown> },
  tenant: OnboardedTenant,
  body: { endpointName: string } & Record<string, unknown>,
) {
  const started = await api.call('POST', '/deployments', { token: tenant.tokens.deployer, body });
  if (started.status !== 202) throw new Error(`deploy: ${started.status} ${JSON.stringify(started.body)}`);
  await runner.waitFor(started.body.executionId, 60_000);
  return (await api.call('GET', `/endpoints/${body.endpointName}/deployments/${started.body.deployment.deploymentId}`, { token: tenant.tokens.viewer })).body;
}
