import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { BREAST_CANCER_CSV } from '../../fixtures/pipelines/breast-cancer';
import { createBreastCancerModel, waitForDatasetVersion, waitForExecution } from '../../fixtures/pipelines/catalog-model';

/**
 * A gradient-boosted classifier trained by train-evaluate on a dataset version
 * that names a protected attribute: the version's evaluation is the
 * platform's, with every section, fairness over that attribute included.
 */
const withSizeGroup = (() => {
  const [header, ...lines] = BREAST_CANCER_CSV.trim().split(/\r?\n/);
  return `${header},size_group\n${lines.map((line) => `${line},${Number(line.split(',')[0]) > 14 ? 'large' : 'small'}`).join('\n')}\n`;
})();

describe('the platform evaluation of a gradient-boosted version, through train-evaluate', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Boosted Oncology', { roles: ['data-scientist'] });
  }, 180_000);

  afterAll(async () => {
    await ctx?.local.close();
  });

  it('trains the template named in the request and records the full evaluation, fairness per protected attribute, as the platform’s', async () => {
    const ds = tenant.tokens['data-scientist'];
    const call = (method: string, path: string, body?: unknown) => ctx.api.call(method, path, { token: ds, ...(body !== undefined ? { body } : {}) });
    const { modelId } = await createBreastCancerModel(ctx.api, ds);
    const dataset = await call('POST', '/datasets', { name: `bc-groups-${Math.random().toString(36).slice(2, 8)}`, format: 'csv', tags: [] });
    expect(dataset.status).toBe(201);
    await ctx.platform.tenantObjects(tenant.tenantId).put('incoming/bc-groups.csv', withSizeGroup, 'text/csv');
    const version = await call('POST', `/datasets/${dataset.body.datasetId}/versions`, {
      sourceKey: 'incoming/bc-groups.csv',
      targetColumn: 'benign',
      protectedAttributes: ['size_group'],
    });
    expect(version.status).toBe(202);
    expect((await waitForDatasetVersion(ctx.api, ds, dataset.body.datasetId, version.body.version)).body.status).toBe('ready');

    const started = await call('POST', '/pipelines/train-evaluate/executions', {
      modelId,
      dataset: { datasetId: dataset.body.datasetId, version: version.body.version },
      target: 'benign',
      algorithm: 'gradient-boosting-classifier',
      hyperparameters: { nEstimators: 40, maxDepth: 2 },
    });
    expect(started.status).toBe(202);
    const done = await waitForExecution(ctx.api, ds, started.body.executionId, 170_000);
    expect(done.body.status).toBe('SUCCEEDED');

    const trained = await call('GET', `/models/${modelId}/versions/1`);
    expect(trained.body.lineage.hyperparameters).toMatchObject({ nEstimators: 40, maxDepth: 2, learningRate: 0.1 });
    const evaluations = await call('GET', `/models/${modelId}/versions/1/evaluations`);
    const [evaluation] = evaluations.body.items;
    expect(evaluation).toMatchObject({ source: 'platform', executionId: started.body.executionId });
    expect(evaluation.metrics.auc).toBeGreaterThan(0.9);
    for (const name of ['brier', 'averagePrecision', 'disparateImpact', 'demographicParityDifference', 'equalOpportunityDifference'])
      expect(typeof evaluation.metrics[name]).toBe('number');
    expect(evaluation.details.fairness).toEqual([expect.objectContaining({ attribute: 'size_group', referenceRule: 'highest-selection-rate' })]);
    expect(evaluation.details.fairness[0].groups.map((g: { value: string }) => g.value)).toEqual(['large', 'small']);
    expect(evaluation.details.precisionRecallCurve.at(-1)).toEqual({ precision: 1, recall: 0, threshold: null });
    expect(evaluation.details.rocCurve[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(evaluation.details.featureImportance.features).toHaveLength(30);
  }, 240_000);
});
