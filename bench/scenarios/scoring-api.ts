import { runHttpLoad } from '../drivers/http-load';
import { benchTenant } from '../support/catalog-fixture';
import { deployScoringEndpoint, SCORING_FEATURES, scoringRow } from '../support/scoring-endpoint';
import { required, type Scenario } from './scenario';

/**
 * Single-row scoring through the whole API: a 20-feature ONNX logistic
 * regression, imported, approved and deployed through the API and the deploy
 * pipeline, then POST /endpoints/{name}/invocations with a CI token of role
 * deployer: tenant guard, payload checks, live-deployment lookup (cached),
 * InvokeEndpoint to the local gateway (schema validation, onnxruntime), per-
 * variant counters and the default 10 % capture. Judged against GET /me with
 * a CI token (me-ci-token), the authenticated no-op, in the same run.
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
    const tenant = await benchTenant(context);
    const { endpointName, token } = await context.shared.once('scoring-api:endpoint', () => deployScoringEndpoint(context.target, tenant, context.report));
    const measurement = await runHttpLoad(
      {
        title: 'scoring-api',
        url: `${apiUrl}/endpoints/${endpointName}/invocations`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify([scoringRow()]),
      },
      context.load,
      context.report,
      context.window,
    );
    return { ...measurement, notes: { features: SCORING_FEATURES, rowsPerRequest: 1, runtime: 'onnx', credential: 'ci-token (deployer)', capturePercent: 10, tenant: tenant.tenantId } };
  },
};
