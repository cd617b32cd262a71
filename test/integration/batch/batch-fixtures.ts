import type { ApiClient, OnboardedTenant, Reply } from '../../support/api-client';
import { BREAST_CANCER_CSV, BREAST_CANCER_FEATURES } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, registerBreastCancerDataset, waitForExecution } from '../../fixtures/pipelines/catalog-model';
import type { Platform } from '../../../core/platform/platform';

/** The sample's data rows as cells (30 features then `benign`). */
export const SAMPLE_ROWS: string[][] = BREAST_CANCER_CSV.trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

export const FEATURE_HEADER = BREAST_CANCER_FEATURES.join(',');

/** A model version trained by train-evaluate on the breast-cancer sample and approved by its policy: what a batch job scores. */
export async function approvedBreastCancerVersion(api: ApiClient, platform: Platform, tenant: OnboardedTenant) {
  const ds = tenant.tokens['data-scientist'];
  const { modelId, projectId } = await createBreastCancerModel(api, ds);
  // The run approves its version only because the project's stored policy lets it (core/governance).
  const policy = await api.call('PUT', `/projects/${projectId}/policy`, {
    token: tenant.tokens['tenant-admin'],
    body: { gates: ['auc >= 0.5'], autoApprove: true },
  });
  if (policy.status !== 200) throw new Error(`project policy: ${policy.status} ${JSON.stringify(policy.body)}`);
  const dataset = await registerBreastCancerDataset(api, ds, platform, tenant.tenantId);
  const started = await api.call('POST', '/pipelines/train-evaluate/executions', {
    token: ds,
    body: {
      modelId,
      dataset: { datasetId: dataset.datasetId, version: dataset.version },
      target: 'benign',
      policy: { metric: 'auc', minimum: 0.5, autoApprove: true },
    },
  });
  if (started.status !== 202) throw new Error(`train-evaluate: ${started.status} ${JSON.stringify(started.body)}`);
  const done = await waitForExecution(api, ds, started.body.executionId, 120_000);
  if (done.body.status !== 'SUCCEEDED') throw new Error(`train-evaluate ended ${done.body.status}: ${done.body.cause}`);
  const version = await api.call('GET', `/models/${modelId}/versions/1`, { token: ds });
  if (version.body.status !== 'approved') throw new Error(`version 1 is ${version.body.status}`);
  return { modelId, version: 1, dataset, artifactKey: version.body.artifact.key as string };
}

/** Polls GET /batch-jobs/{id} until the job has ended. */
export async function waitForJob(api: ApiClient, token: string, jobId: string, timeoutMs = 120_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.call('GET', `/batch-jobs/${jobId}`, { token });
    if (res.status !== 200) throw new Error(`GET /batch-jobs/${jobId}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status === 'succeeded' || res.body.status === 'failed') return res;
    if (Date.now() > deadline) throw new Error(`batch job ${jobId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
