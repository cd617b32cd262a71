import { createHash } from 'node:crypto';
import { exportLinearModelToOnnx } from '../../core/maths/onnx/linear-model-onnx';
import type { BenchTarget } from '../scenarios/scenario';
import { required } from '../scenarios/scenario';
import { BENCH_PASSWORD, BenchApi, type BenchTenant, mailedInvitation } from './api';

/** Inputs of the scoring benchmarks' model. */
export const SCORING_FEATURES = 20;

/** The scoring benchmarks' model schema: float inputs x0…x19, one float `probability`. */
export const SCORING_IO_SCHEMA = {
  inputs: Array.from({ length: SCORING_FEATURES }, (_, i) => ({ name: `x${i}`, type: 'float' as const })),
  outputs: [{ name: 'probability', type: 'float' as const }],
};

/** The scoring benchmarks' model: a 20-feature ONNX logistic regression with fixed coefficients. */
export function scoringModelOnnx(): Uint8Array {
  return exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    center: Array.from({ length: SCORING_FEATURES }, () => 0.5),
    scale: Array.from({ length: SCORING_FEATURES }, () => 0.25),
    coefficients: Array.from({ length: SCORING_FEATURES }, (_, i) => (i % 2 ? 0.1 : -0.1) * (i + 1)),
    intercept: 0.2,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
}

/** The one JSON row the scoring benchmarks send (`[{x0: …, …, x19: …}]`). */
export function scoringRow(): Record<string, number> {
  return Object.fromEntries(Array.from({ length: SCORING_FEATURES }, (_, i) => [`x${i}`, ((i * 37) % 100) / 100]));
}

/**
 * A 20-feature ONNX logistic regression imported, approved and deployed
 * through the API and the deploy pipeline, as a user would (an approver and
 * a deployer invited into `tenant`), and a CI token of role deployer to
 * score it with.
 */
export async function deployScoringEndpoint(
  target: BenchTarget,
  tenant: BenchTenant,
  report: (line: string) => void,
): Promise<{ endpointName: string; token: string }> {
  const api = new BenchApi(required(target, 'apiUrl'));
  report('  importing, approving and deploying a 20-feature ONNX logistic regression through the API');
  const user = async (role: string) => {
    const email = `${role}-${Math.random().toString(36).slice(2, 8)}@bench.example`;
    await api.call('POST', '/users', { token: tenant.adminIdToken, body: { email, roles: [role] } });
    await api.call('POST', '/auth/accept-invitation', { body: { invitation: await mailedInvitation(target, email), password: BENCH_PASSWORD }, expect: 200 });
    return api.signIn(email, BENCH_PASSWORD);
  };
  const [approver, deployer] = [await user('approver'), await user('deployer')];
  const ds = tenant.dataScientistIdToken;
  const project = await api.call<{ projectId: string }>('POST', '/projects', {
    token: ds,
    body: { name: `scoring-${Math.random().toString(36).slice(2, 8)}` },
  });
  const model = await api.call<{ modelId: string }>('POST', '/models', {
    token: ds,
    body: { projectId: project.projectId, name: `scoring-${Math.random().toString(36).slice(2, 8)}`, type: 'ml', framework: 'onnx', schema: SCORING_IO_SCHEMA },
  });
  const bytes = scoringModelOnnx();
  const base = `/models/${model.modelId}/versions`;
  const version = await api.call<{ version: number }>('POST', base, {
    token: ds,
    body: { artifact: { format: 'onnx', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length } },
  });
  const upload = await api.call<{ url: string; headers: Record<string, string> }>('POST', `${base}/${version.version}/artifact/upload-url`, {
    token: ds,
    expect: 200,
  });
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: Buffer.from(bytes) });
  if (!put.ok) throw new Error(`artifact upload answered ${put.status}`);
  await api.call('POST', `${base}/${version.version}/artifact/finalize`, { token: ds, expect: 200 });
  for (const to of ['evaluating', 'evaluated', 'pending-approval'])
    await api.call('POST', `${base}/${version.version}/status`, { token: ds, body: { to }, expect: 200 });
  await api.call('POST', `${base}/${version.version}/decision`, { token: approver, body: { decision: 'approve', reason: 'bench model' }, expect: 200 });
  const name = `bench-${Math.random().toString(36).slice(2, 8)}`;
  const started = await api.call<{ deployment: { deploymentId: string } }>('POST', '/deployments', {
    token: deployer,
    body: { endpointName: name, variants: [{ modelId: model.modelId, version: version.version }] },
    expect: 202,
  });
  for (let i = 0; ; i++) {
    const d = await api.call<{ status: string; reason?: string }>('GET', `/endpoints/${name}/deployments/${started.deployment.deploymentId}`, {
      token: deployer,
    });
    if (d.status === 'live') break;
    if (d.status === 'failed' || i > 300) throw new Error(`the bench deployment did not go live: ${d.status} ${d.reason ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const created = await api.call<{ secret: string }>('POST', '/tokens', {
    token: tenant.adminIdToken,
    body: { name: 'bench-scoring', roles: ['deployer'], expiresInDays: 1 },
  });
  return { endpointName: name, token: created.secret };
}
