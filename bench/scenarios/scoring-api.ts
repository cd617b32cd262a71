import { runHttpLoad } from '../drivers/http-load';
import { onboardTenant } from '../support/api';
import { benchTenant } from '../support/catalog-fixture';
import { deployScoringEndpoint, SCORING_FEATURES, scoringRow } from '../support/scoring-endpoint';
import { required, type Scenario } from './scenario';

/** Tenants the calls rotate over: 15,000 req/s admitted. */
const SCORING_TENANTS = 3;

/**
 * Single-row scoring through the whole API: a 20-feature ONNX logistic
 * regression, imported, approved and deployed through the API and the deploy
 * pipeline, then POST /endpoints/{name}/invocations with a CI token of role
 * deployer: tenant guard, payload checks, live-deployment lookup (cached),
 * InvokeEndpoint to the local gateway (schema validation, onnxruntime), per-
 * variant counters and the default 10 % capture. Judged against GET /me with
 * a CI token (me-ci-token), the authenticated no-op, in the same run.
 *
 * One enterprise tenant admits 5,000 req/s (burst 10,000) and scoring now
 * goes faster than that on a quiet machine: as me-ci-token does, requests
 * rotate over several tenants (the same model deployed in each), so the rate
 * limiter never answers 429 and scoring is measured, not the limiter.
 */
export const scoringApi: Scenario = {
  name: 'scoring-api',
  measures: 'POST /endpoints/{name}/invocations through the API: one JSON row, 20-feature ONNX logistic regression, CI token (deployer), 10 % capture',
  requires: ['api', 'scoring'],
  defaults: { connections: 8, durationSeconds: 20, warmupSeconds: 5 },
  compare: { with: 'me-ci-token', kind: 'throughput', atLeast: 0.5 },
  objective: { reqPerSecAtLeast: 3000 },
  async run(context) {
    const apiUrl = required(context.target, 'apiUrl');
    const endpoints = await context.shared.once('scoring-api:endpoints', async () => {
      const tenants = [await benchTenant(context)];
      for (let i = 1; i < SCORING_TENANTS; i++)
        tenants.push(await onboardTenant(context.target, `Bench scoring ${i + 1}`, { plan: 'enterprise', report: context.report }));
      const deployed = [];
      for (const tenant of tenants) deployed.push({ tenantId: tenant.tenantId, ...(await deployScoringEndpoint(context.target, tenant, context.report)) });
      return deployed;
    });
    const requests = endpoints.map((e) => ({ path: `/endpoints/${e.endpointName}/invocations`, headers: { authorization: `Bearer ${e.token}` } }));
    const measurement = await runHttpLoad(
      {
        title: 'scoring-api',
        url: `${apiUrl}${requests[0].path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([scoringRow()]),
        next: (seq) => requests[seq % requests.length],
      },
      context.load,
      context.report,
      context.window,
    );
    return {
      ...measurement,
      notes: {
        features: SCORING_FEATURES,
        rowsPerRequest: 1,
        runtime: 'onnx',
        credential: 'ci-token (deployer)',
        capturePercent: 10,
        tenants: endpoints.map((e) => e.tenantId),
        plan: 'enterprise',
      },
    };
  },
};
