import { createHash, randomBytes } from 'node:crypto';
import { rolesGrant, type Permission } from '../../../core/access/permissions';
import { TENANT_ROLES, type TenantRole } from '../../../core/access/roles';
import type { ApiClient, OnboardedTenant, Reply } from '../api-client';
import { fillPath, type OpenApiDocument, type Operation, type TenantOperation } from './openapi';
import { CannotGenerate, generateValue } from './schema-values';
import { exportLinearModelToOnnx } from '../../../core/maths/onnx/linear-model-onnx';

/**
 * The fixture registry of the isolation and role-matrix suites.
 *
 * PATH_FIXTURES: for every path parameter name used by a tenant or platform
 * route, how to obtain a real resource of a tenant, created through the API
 * as that tenant. A route whose path names a parameter missing here fails
 * both suites, so no new route goes untested: add an entry (usually
 * `byCollection`, which creates the resource with the collection's POST).
 *
 * BODIES / QUERIES: request bodies and required query parameters for
 * operations whose schema the generic generator cannot satisfy (it honours
 * types, enums, formats, patterns, bounds and fills `…Id` fields with the
 * tenant's own resources). Every generated request is proven valid by a
 * positive control: the owning tenant's holder must get past validation.
 *
 * QUERY_PROBES: extra list queries that name a victim's resources (filters).
 */

export type Params = Record<string, string>;

/**
 * Makes one resource and returns its id. `deps` holds the parameters before
 * it in the path (its parents); `collection` the path template before it
 * (`/datasets/{datasetId}/versions` for `{version}`).
 */
export type FixtureFn = (fx: TenantFixtures, deps: Params, collection?: string) => Promise<string>;

/** Keyed by parameter name, or by `collection/{param}` where one name means different things (`version`). */
export const PATH_FIXTURES: Record<string, FixtureFn> = {
  // Platform routes name a tenant; tenant routes never should (the tenant comes from the credential).
  tenantId: async (fx) => fx.tenant.tenantId,
  userId: async (fx) => {
    const email = `${fx.marker}${randomBytes(3).toString('hex')}@${fx.marker}.example`;
    const res = await fx.call('tenant-admin', 'POST', '/users', { email, displayName: `${fx.marker} fixture`, roles: ['viewer'] });
    expectCreated(res, 'POST /users');
    fx.secrets.add(email);
    return res.body.user.userId;
  },
  tokenId: async (fx) => {
    const res = await fx.call('tenant-admin', 'POST', '/tokens', { name: `${fx.marker}-fixture`, roles: ['viewer'], expiresInDays: 30 });
    expectCreated(res, 'POST /tokens');
    fx.secrets.add(res.body.secret);
    return res.body.token.tokenId;
  },
  // Events are never created directly: take one the tenant already has.
  eventId: async (fx) => {
    const res = await fx.call('tenant-admin', 'GET', '/audit/events?limit=1');
    if (res.status !== 200 || !res.body.items?.[0]?.eventId) throw new Error(`no audit event to use as eventId: ${res.status}`);
    return res.body.items[0].eventId;
  },
  // The catalog and what follows it: created through the collection's POST.
  projectId: byCollection('projectId'),
  modelId: byCollection('modelId'),
  version: byCollection('version'),
  // A dataset version needs a real file: upload URL, PUT, then registration.
  '/datasets/{datasetId}/versions/{version}': async (fx, deps) => {
    const res = await fx.send(fx.credentialFor('catalog:write'), await uploadedDatasetVersion(fx, deps.datasetId ?? (await fx.resolve('datasetId'))));
    expectCreated(res, 'POST /datasets/{datasetId}/versions');
    await untilReady(fx, res.body.datasetId, res.body.version);
    return String(res.body.version);
  },
  datasetId: byCollection('datasetId'),
  artifactId: byCollection('artifactId'),
  reportId: byCollection('reportId'),
  deploymentId: byCollection('deploymentId'),
  // A live endpoint needs an approved version deployed through the pipeline: see deployedEndpoint.
  endpointName: async (fx) => deployedEndpoint(fx),
  '/endpoints/{endpointName}/deployments/{deploymentId}': async (fx, deps) => {
    const res = await fx.call('viewer', 'GET', `/endpoints/${deps.endpointName ?? (await fx.resolve('endpointName'))}`);
    if (res.status !== 200) throw new Error(`fixture deploymentId: GET /endpoints answered ${res.status}`);
    return res.body.endpoint.liveDeploymentId;
  },
  // A pipeline run of the tenant's own model on a data file in its storage; waited
  // for, so A's state does not change under the snapshot while B attacks it.
  // A train-segments run: an execution like any other for the /executions routes, and one the segments route answers for.
  executionId: async (fx) => {
    const res = await fx.send(fx.credentialFor('pipelines:run'), {
      method: 'POST',
      path: '/pipelines/train-segments/executions',
      query: {},
      body: await trainSegmentsBody(fx),
    });
    expectCreated(res, 'POST /pipelines/train-segments/executions');
    const executionId: string = res.body.executionId;
    for (let i = 0; i < 600; i++) {
      const run = await fx.send(fx.credentialFor('pipelines:read'), { method: 'GET', path: `/executions/${executionId}`, query: {} });
      if (run.status === 200 && run.body.status !== 'RUNNING') return executionId;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`fixture executionId: ${executionId} still running`);
  },
  pipelineId: byCollection('pipelineId'),
  // Batch jobs and schedules need an approved version: see batchJobTemplate (kept as JSON, once per tenant and slot).
  batchJobTemplate: async (fx) => JSON.stringify(await batchJobTemplate(fx)),
  jobId: async (fx) => {
    const res = await fx.send(fx.credentialFor('batch:run'), {
      method: 'POST',
      path: '/batch-jobs',
      query: {},
      body: JSON.parse(await fx.resolve('batchJobTemplate')),
    });
    if (res.status !== 202) throw new Error(`fixture jobId: POST /batch-jobs answered ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.jobId;
  },
  scheduleId: async (fx) => {
    const res = await fx.send(fx.credentialFor('schedules:manage'), { method: 'POST', path: '/schedules', query: {}, body: await scheduleBody(fx) });
    expectCreated(res, 'POST /schedules');
    return res.body.scheduleId;
  },
  approvalId: byCollection('approvalId'),
  policyId: byCollection('policyId'),
};

export type BodyFn = (fx: TenantFixtures, params: Params) => unknown;

export const BODIES: Record<string, BodyFn> = {
  // Exactly one of uploadId or sourceKey: a fresh upload of a small CSV.
  'POST /datasets/{datasetId}/versions': async (fx, params) => (await uploadedDatasetVersion(fx, params.datasetId)).body,
  // Invite viewers, not more tenant admins (the generator would take the first role of the enum).
  'POST /pipelines/train-evaluate/executions': async (fx, params) => trainEvaluateBody(fx, params.modelId ?? (await fx.resolve('modelId'))),
  // An approved version of the tenant's own, to a new endpoint each time (creates need unique names).
  'POST /deployments': async (fx) => ({
    endpointName: `${fx.marker.slice(0, 30)}-${randomBytes(3).toString('hex')}`,
    variants: [await approvedOnnxVersion(fx)],
  }),
  // One row of the deployed endpoint's schema (deployedEndpoint).
  'POST /endpoints/{endpointName}/invocations': () => [{ a: 1, b: 2 }],
  'POST /batch-jobs': async (fx) => JSON.parse(await fx.resolve('batchJobTemplate')),
  // An imported (not yet approved) ONNX version, on a ready dataset version holding its inputs and a target.
  'POST /pipelines/evaluate/executions': async (fx) => ({
    ...(await importedOnnxVersion(fx)),
    dataset: await readyDatasetVersion(fx, 'a,b,y', (i) => `${i / 10},${(20 - i) / 10},${i % 3 === 0 ? 1 : 0}`),
    target: 'y',
  }),
  'POST /pipelines/train-segments/executions': (fx) => trainSegmentsBody(fx),
  'POST /schedules': (fx) => scheduleBody(fx),
  'PATCH /schedules/{scheduleId}': (fx) => ({ description: `${fx.marker} changed` }),
  'POST /users': (fx) => ({
    email: `${fx.marker}${randomBytes(3).toString('hex')}@${fx.marker}.example`,
    displayName: `${fx.marker} invited`,
    roles: ['viewer'],
  }),
};

/**
 * An endpoint serving an ONNX version of a two-input model: imported by the
 * data scientist, approved by the approver, deployed by the deployer, waited
 * for until live. Its name carries the tenant's marker, so a leak shows.
 */
const approvedVersions = new WeakMap<TenantFixtures, Promise<{ modelId: string; version: number }>>();

/** One approved ONNX version of a two-input model per tenant: imported by the data scientist, approved by the approver. */
function approvedOnnxVersion(fx: TenantFixtures): Promise<{ modelId: string; version: number }> {
  let made = approvedVersions.get(fx);
  if (!made) {
    made = importAndApprove(fx);
    approvedVersions.set(fx, made);
  }
  return made;
}

async function importAndApprove(fx: TenantFixtures): Promise<{ modelId: string; version: number }> {
  const imported = await importOnnxVersion(fx);
  const v = `/models/${imported.modelId}/versions/${imported.version}`;
  for (const to of ['evaluating', 'evaluated', 'pending-approval']) await fx.call('data-scientist', 'POST', `${v}/status`, { to });
  await fx.call('approver', 'POST', `${v}/decision`, { decision: 'approve', reason: 'isolation fixture' });
  return imported;
}

const importedVersions = new WeakMap<TenantFixtures, Promise<{ modelId: string; version: number }>>();

/** One imported ONNX version per tenant, registered with its artifact verified and left for evaluation. */
function importedOnnxVersion(fx: TenantFixtures): Promise<{ modelId: string; version: number }> {
  let made = importedVersions.get(fx);
  if (!made) {
    made = importOnnxVersion(fx);
    importedVersions.set(fx, made);
  }
  return made;
}

/** A two-input logistic ONNX model imported by the data scientist: a new model, its version's artifact uploaded and verified. */
async function importOnnxVersion(fx: TenantFixtures): Promise<{ modelId: string; version: number }> {
  const schema = {
    inputs: [
      { name: 'a', type: 'float' },
      { name: 'b', type: 'float' },
    ],
    outputs: [{ name: 'probability', type: 'float' }],
  };
  const projectId = await fx.resolve('projectId');
  const model = await fx.call('data-scientist', 'POST', '/models', {
    projectId,
    name: `deploy-${randomBytes(3).toString('hex')}`,
    type: 'ml',
    framework: 'onnx',
    schema,
  });
  expectCreated(model, 'POST /models (endpoint fixture)');
  const bytes = exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    center: [0, 0],
    scale: [1, 1],
    coefficients: [0.5, -0.5],
    intercept: 0.1,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
  const base = `/models/${model.body.modelId}/versions`;
  const version = await fx.call('data-scientist', 'POST', base, {
    artifact: { format: 'onnx', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
  });
  expectCreated(version, 'POST versions (endpoint fixture)');
  const v = `${base}/${version.body.version}`;
  const upload = await fx.call('data-scientist', 'POST', `${v}/artifact/upload-url`);
  const put = await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: Buffer.from(bytes) });
  if (!put.ok) throw new Error(`endpoint fixture: upload answered ${put.status}`);
  const finalized = await fx.call('data-scientist', 'POST', `${v}/artifact/finalize`);
  expectCreated(finalized, 'POST artifact/finalize (endpoint fixture)');
  return { modelId: model.body.modelId, version: version.body.version };
}

const readyVersions = new WeakMap<TenantFixtures, Map<string, Promise<{ datasetId: string; version: number }>>>();

/** A ready version (profiled) of the tenant's dataset fixture with these columns and 20 rows; one per tenant and header. */
function readyDatasetVersion(fx: TenantFixtures, header: string, row: (i: number) => string): Promise<{ datasetId: string; version: number }> {
  const byHeader = readyVersions.get(fx) ?? new Map<string, Promise<{ datasetId: string; version: number }>>();
  readyVersions.set(fx, byHeader);
  let made = byHeader.get(header);
  if (!made) {
    made = (async () => {
      const datasetId = await fx.resolve('datasetId');
      const rows = Array.from({ length: 20 }, (_, i) => row(i));
      const registered = await fx.send(fx.credentialFor('catalog:write'), await uploadedDatasetVersion(fx, datasetId, `${header}\n${rows.join('\n')}\n`));
      expectCreated(registered, 'POST /datasets/{datasetId}/versions');
      await untilReady(fx, datasetId, registered.body.version);
      return { datasetId, version: registered.body.version as number };
    })();
    byHeader.set(header, made);
  }
  return made;
}

/** A train-segments request: two segments of ten rows in the tenant's project. */
async function trainSegmentsBody(fx: TenantFixtures): Promise<Record<string, unknown>> {
  const dataset = await readyDatasetVersion(fx, 'store,x,y', (i) => `${i % 2 === 0 ? 'north' : 'south'},${i / 10},${(i * 7) % 5 >= 2 ? 1 : 0}`);
  return {
    projectId: await fx.resolve('projectId'),
    family: `${fx.marker.slice(0, 20)}-${randomBytes(2).toString('hex')}`,
    dataset,
    segmentColumn: 'store',
    target: 'y',
  };
}

async function deployedEndpoint(fx: TenantFixtures): Promise<string> {
  const approved = await approvedOnnxVersion(fx);
  const endpointName = `${fx.marker.slice(0, 30)}-ep`;
  const started = await fx.call('deployer', 'POST', '/deployments', { endpointName, variants: [approved] });
  if (started.status !== 202) throw new Error(`endpoint fixture: POST /deployments answered ${started.status} ${JSON.stringify(started.body)}`);
  for (let i = 0; i < 300; i++) {
    const d = await fx.call('viewer', 'GET', `/endpoints/${endpointName}/deployments/${started.body.deployment.deploymentId}`);
    if (d.body?.status === 'live') return endpointName;
    if (d.body?.status === 'failed') throw new Error(`endpoint fixture: deployment failed: ${d.body.reason}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('endpoint fixture: deployment still not live');
}

async function scheduleBody(fx: TenantFixtures): Promise<Record<string, unknown>> {
  return { name: `${fx.marker}-schedule-${randomBytes(3).toString('hex')}`, expression: 'rate(1 day)', job: JSON.parse(await fx.resolve('batchJobTemplate')) };
}

/**
 * A batch job request on an approved version of the tenant: a one-feature
 * model trained by train-evaluate (policy auto-approves) on a 40-row version
 * of the tenant's dataset fixture (CSV), scoring that version.
 */
async function batchJobTemplate(fx: TenantFixtures): Promise<Record<string, unknown>> {
  const suffix = randomBytes(3).toString('hex');
  const write = fx.credentialFor('catalog:write');
  const project = await fx.send(write, { method: 'POST', path: '/projects', query: {}, body: { name: `${fx.marker}-batch-${suffix}` } });
  expectCreated(project, 'POST /projects');
  const schema = {
    inputs: [{ name: 'x', type: 'float' }],
    outputs: [
      { name: 'probability', type: 'float' },
      { name: 'label', type: 'long' },
    ],
  };
  const model = await fx.send(write, {
    method: 'POST',
    path: '/models',
    query: {},
    body: { projectId: project.body.projectId, name: `${fx.marker}-batch-${suffix}`, type: 'ml', framework: 'steward-built-in', tags: [], schema },
  });
  expectCreated(model, 'POST /models');
  // The tenant's dataset fixture, not a new dataset: an id first seen in a body would add parameter
  // sets (and dataset-version uploads) after the snapshot.
  const datasetId = await fx.resolve('datasetId');
  const rows = Array.from({ length: 40 }, (_, i) => `${(i - 20) / 10},${(i + (i % 7 === 0 ? 20 : 0)) % 40 >= 20 ? 1 : 0}`);
  const registered = await fx.send(write, await uploadedDatasetVersion(fx, datasetId, `x,y\n${rows.join('\n')}\n`));
  expectCreated(registered, 'POST /datasets/{datasetId}/versions');
  await untilReady(fx, datasetId, registered.body.version);
  const datasetRef = { datasetId, version: registered.body.version };
  // The run may approve its version only where the project's stored policy lets it (core/governance).
  const policy = await fx.send(fx.credentialFor('policy:manage'), {
    method: 'PUT',
    path: `/projects/${project.body.projectId}/policy`,
    query: {},
    body: { autoApprove: true, gates: ['auc >= 0'] },
  });
  if (policy.status !== 200) throw new Error(`fixture batchJobTemplate: project policy answered ${policy.status} ${JSON.stringify(policy.body)}`);
  const started = await fx.send(fx.credentialFor('pipelines:run'), {
    method: 'POST',
    path: '/pipelines/train-evaluate/executions',
    query: {},
    body: { modelId: model.body.modelId, dataset: datasetRef, target: 'y', policy: { metric: 'auc', minimum: 0, autoApprove: true } },
  });
  if (started.status !== 202) throw new Error(`fixture batchJobTemplate: train-evaluate answered ${started.status} ${JSON.stringify(started.body)}`);
  for (let i = 0; i < 600; i++) {
    const run = await fx.send(fx.credentialFor('pipelines:read'), { method: 'GET', path: `/executions/${started.body.executionId}`, query: {} });
    if (run.status === 200 && run.body.status === 'SUCCEEDED')
      return { model: { modelId: model.body.modelId, version: 1 }, input: { kind: 'dataset', ...datasetRef } };
    if (run.status === 200 && run.body.status !== 'RUNNING')
      throw new Error(`fixture batchJobTemplate: train-evaluate ended ${run.body.status}: ${run.body.cause}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('fixture batchJobTemplate: train-evaluate still running');
}

/** A train-evaluate request on a small registered dataset version of the tenant (the run may fail; the execution exists either way). */
async function trainEvaluateBody(fx: TenantFixtures, modelId: string): Promise<Record<string, unknown>> {
  const datasetId = await fx.resolve('datasetId');
  const registered = await fx.send(fx.credentialFor('catalog:write'), await uploadedDatasetVersion(fx, datasetId));
  expectCreated(registered, 'POST /datasets/{datasetId}/versions');
  await untilReady(fx, datasetId, registered.body.version);
  return { modelId, dataset: { datasetId, version: registered.body.version }, target: 'y' };
}

export const QUERIES: Record<string, (fx: TenantFixtures, params: Params) => Promise<Params> | Params> = {
  // A file the job really wrote: its manifest, written when it ends (the generator's `outputs/part-NNNNN.csv` names none).
  'GET /batch-jobs/{jobId}/download': async (fx, params) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await fx.send(fx.credentialFor('batch:read'), { method: 'GET', path: `/batch-jobs/${params.jobId}`, query: {} });
      if (job.status === 200 && job.body.status === 'succeeded') return { file: 'manifest.json' };
      if (job.status !== 200 || job.body.status === 'failed')
        throw new Error(`fixture batch job download: GET /batch-jobs/${params.jobId} answered ${job.status} ${JSON.stringify(job.body)}`);
      if (Date.now() > deadline) throw new Error(`fixture batch job download: job ${params.jobId} still ${job.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  },
};

const auditFilterProbes = (victim: TenantFixtures): Params[] => [
  ...[...victim.knownIds('userId')].map((id) => ({ targetType: 'user', targetId: id })),
  ...[...victim.knownIds('tokenId')].map((id) => ({ targetType: 'ci-token', targetId: id })),
  ...Object.values(victim.tenant.userIds).map((id) => ({ actor: `user:${id}` })),
  { targetType: 'tenant', targetId: victim.tenant.tenantId },
  ...[...victim.knownIds('projectId')].map((id) => ({ targetType: 'project', targetId: id })),
  ...[...victim.knownIds('modelId')].map((id) => ({ targetType: 'model', targetId: id })),
];

export const QUERY_PROBES: Record<string, (victim: TenantFixtures) => Params[]> = {
  'GET /audit/events': auditFilterProbes,
  'GET /audit/export': auditFilterProbes,
};

/** The registration request of a new version of a dataset, its file already uploaded. */
async function uploadedDatasetVersion(fx: TenantFixtures, datasetId: string, csv?: string): Promise<Request> {
  const dataset = await fx.send(fx.credentialFor('catalog:read'), { method: 'GET', path: `/datasets/${datasetId}`, query: {} });
  if (dataset.status !== 200) throw new Error(`fixture dataset version: GET /datasets/${datasetId} answered ${dataset.status}`);
  const format: string = dataset.body.format;
  const content = format === 'jsonl' ? '{"x":1,"y":2}\n{"x":3,"y":4}\n' : format === 'csv' ? (csv ?? 'x,y\n1,2\n3,4\n') : undefined;
  if (!content) throw new NoFixture('version', `no sample file for dataset format '${format}'`);
  const bytes = Buffer.from(content, 'utf8');
  const declared = { format, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const upload = await fx.send(fx.credentialFor('artifacts:write'), {
    method: 'POST',
    path: `/datasets/${datasetId}/versions/upload-url`,
    query: {},
    body: declared,
  });
  expectCreated(upload, 'POST /datasets/{datasetId}/versions/upload-url');
  const put = await fetch(upload.body.url, { method: upload.body.method ?? 'PUT', headers: upload.body.headers ?? {}, body: bytes });
  if (!put.ok) throw new Error(`fixture dataset version: PUT to the upload URL answered ${put.status} ${await put.text()}`);
  return {
    method: 'POST',
    path: `/datasets/${datasetId}/versions`,
    query: {},
    body: { uploadId: upload.body.uploadId, sha256: declared.sha256, sizeBytes: declared.sizeBytes },
  };
}

/** Creates the resource named by `param` with the POST on its collection (`POST /models` for `/models/{modelId}`). */
export function byCollection(param: string): FixtureFn {
  return async (fx, deps, collection) => {
    const create = collectionPost(fx.ops, param, collection);
    if (!create) throw new NoFixture(param, `no tenant POST on a collection followed by /{${param}}; add an explicit entry to PATH_FIXTURES`);
    const params: Params = {};
    for (const p of create.pathParams) params[p.name] = deps[p.name] ?? (await fx.resolve(p.name, deps));
    const request = await fx.buildRequest(create, params);
    const res = await fx.send(fx.credentialFor(create.permission), request);
    if (res.status < 200 || res.status >= 300) throw new Error(`fixture ${param}: ${create.key} answered ${res.status} ${JSON.stringify(res.body)}`);
    const value = findKey(res.body, param);
    if (value === undefined) throw new NoFixture(param, `${create.key} answered without a '${param}' field`);
    return String(value);
  };
}

export class NoFixture extends Error {
  constructor(
    readonly param: string,
    reason: string,
  ) {
    super(`no fixture for path parameter {${param}}: ${reason} (test/support/isolation/fixtures.ts)`);
  }
}

function collectionPost(ops: readonly Operation[], param: string, collection?: string): TenantOperation | undefined {
  const exact = ops.find((o): o is TenantOperation => o.kind === 'tenant' && o.method === 'POST' && o.path === collection);
  if (exact) return exact;
  const candidates = ops.filter(
    (o): o is TenantOperation =>
      o.kind === 'tenant' && o.method === 'POST' && !o.path.endsWith('}') && ops.some((q) => q.path.startsWith(`${o.path}/{${param}}`)),
  );
  return candidates.sort((a, b) => a.pathParams.length - b.pathParams.length)[0];
}

/** Breadth-first: the first value under `key`. */
export function findKey(body: unknown, key: string): unknown {
  const queue: unknown[] = [body];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next || typeof next !== 'object') continue;
    if (!Array.isArray(next) && key in next && ['string', 'number'].includes(typeof (next as Record<string, unknown>)[key]))
      return (next as Record<string, unknown>)[key];
    queue.push(...Object.values(next));
  }
  return undefined;
}

/** Registration answers 202 with a pending version; the profile-dataset pipeline makes it ready shortly after. */
async function untilReady(fx: TenantFixtures, datasetId: string, version: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await fx.send(fx.credentialFor('catalog:read'), { method: 'GET', path: `/datasets/${datasetId}/versions/${version}`, query: {} });
    if (res.status === 200 && res.body.status === 'ready') return;
    if (res.status !== 200 || res.body.status === 'failed')
      throw new Error(`fixture dataset version ${datasetId}/${version}: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fixture dataset version ${datasetId}/${version} still pending`);
}

function expectCreated(res: Reply, what: string): void {
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) throw new Error(`fixture: ${what} answered ${res.status} ${JSON.stringify(res.body)}`);
}

export interface Credential {
  /** `user:viewer`, `ci-token`, `platform-admin`. */
  readonly label: string;
  readonly token: string;
  readonly roles: readonly TenantRole[];
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: Params;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export function urlOf(request: Request): string {
  const query = new URLSearchParams(request.query).toString();
  return query ? `${request.path}?${query}` : request.path;
}

/** Everything a request carries, as text: what the caller already knew. */
export function requestText(request: Request): string {
  return `${decodeURIComponent(urlOf(request))} ${JSON.stringify(request.headers ?? {})} ${JSON.stringify(request.body ?? null)}`;
}

const CI_TOKEN_ROLES = TENANT_ROLES.filter((r) => r !== 'tenant-admin');

/**
 * One tenant's side of the tests: its credentials, the real resources made
 * for it (ids by parameter name), and everything that would betray it if
 * another tenant saw it (`secrets`).
 */
export class TenantFixtures {
  /** Lower-case marker planted in every generated free-text value of this tenant. */
  readonly marker: string;
  readonly secrets = new Set<string>();
  private readonly cache = new Map<string, Promise<string>>();
  private readonly known = new Map<string, Set<string>>();
  private ci?: Promise<Credential>;

  constructor(
    readonly label: string,
    readonly api: ApiClient,
    readonly doc: OpenApiDocument,
    readonly ops: readonly Operation[],
    readonly tenant: OnboardedTenant,
  ) {
    this.marker = `${label.toLowerCase()}sec${randomBytes(4).toString('hex')}`;
    for (const s of [tenant.tenantId, tenant.name, this.marker, ...Object.values(tenant.userIds), ...Object.values(tenant.emails)]) this.secrets.add(s);
    for (const id of Object.values(tenant.userIds)) this.remember('userId', id);
  }

  roleCredential(role: TenantRole): Credential {
    return { label: `user:${role}`, token: this.tenant.tokens[role], roles: [role] };
  }

  /** A CI token with every role a token may hold (all but tenant-admin). */
  async ciToken(): Promise<Credential> {
    this.ci ??= (async () => {
      const res = await this.call('tenant-admin', 'POST', '/tokens', { name: `${this.marker}-ci`, roles: CI_TOKEN_ROLES, expiresInDays: 30 });
      expectCreated(res, 'POST /tokens (CI credential)');
      this.secrets.add(res.body.secret);
      this.secrets.add(res.body.token.tokenId);
      this.remember('tokenId', res.body.token.tokenId);
      return { label: 'ci-token', token: res.body.secret as string, roles: CI_TOKEN_ROLES };
    })();
    return this.ci;
  }

  /** The first role (in TENANT_ROLES order) that holds `permission`. */
  credentialFor(permission: Permission): Credential {
    const role = TENANT_ROLES.find((r) => rolesGrant([r], permission));
    if (!role) throw new Error(`no tenant role grants '${permission}'`);
    return this.roleCredential(role);
  }

  /** Every credential of the tenant holding `permission`: one user per holding role, plus the CI token if it holds it. */
  async holders(permission: Permission): Promise<Credential[]> {
    const users = TENANT_ROLES.filter((r) => rolesGrant([r], permission)).map((r) => this.roleCredential(r));
    return rolesGrant(CI_TOKEN_ROLES, permission) ? [...users, await this.ciToken()] : users;
  }

  async call(role: TenantRole, method: string, url: string, body?: unknown): Promise<Reply> {
    return this.api.call(method, url, { token: this.tenant.tokens[role], body });
  }

  async send(credential: Credential | undefined, request: Request): Promise<Reply> {
    return this.api.call(request.method, urlOf(request), { token: credential?.token, body: request.body, headers: request.headers });
  }

  /** Every id of this tenant, whatever parameter it fills. */
  allIds(): string[] {
    return [...this.known.values()].flatMap((ids) => [...ids]);
  }

  /** True if the request names one of this tenant's resources. */
  isNamedIn(request: Request): boolean {
    const text = requestText(request);
    return this.allIds().some((id) => id.length >= 6 && text.includes(id));
  }

  /**
   * This tenant's request, made fit for `attacker` to replay: the same path
   * (this tenant's ids) but the attacker's marker in free text, so that even
   * an accepted replay plants none of this tenant's text in the attacker's data.
   */
  replayBy(attacker: TenantFixtures, request: Request): Request {
    if (request.body === undefined) return request;
    return { ...request, body: JSON.parse(JSON.stringify(request.body).split(this.marker).join(attacker.marker)) };
  }

  /** Every id of this tenant known for a parameter name (fixtures, onboarded users, CI token). */
  knownIds(param: string): ReadonlySet<string> {
    return this.known.get(param) ?? new Set();
  }

  private remember(param: string, id: string): void {
    if (!this.known.has(param)) this.known.set(param, new Set());
    this.known.get(param)!.add(id);
    if (id.length >= 6) this.secrets.add(id);
  }

  /** The tenant's resource for `param` (slot 0 or 1: two of each exist), created once. */
  resolve(param: string, deps: Params = {}, slot = 0, collection?: string): Promise<string> {
    const key = `${collection ?? ''}|${param}|${slot}|${JSON.stringify(deps)}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.create(param, deps, collection);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** A new resource for `param`, never shared (for calls that consume it). */
  fresh(param: string, deps: Params = {}, collection?: string): Promise<string> {
    return this.create(param, deps, collection);
  }

  private async create(param: string, deps: Params, collection?: string): Promise<string> {
    const fixture = (collection !== undefined ? PATH_FIXTURES[`${collection}/{${param}}`] : undefined) ?? PATH_FIXTURES[param];
    if (!fixture) throw new NoFixture(param, 'not in PATH_FIXTURES');
    const id = await fixture(this, deps, collection);
    this.remember(param, id);
    return id;
  }

  /** The path parameters of `op`, each a real resource of this tenant (earlier ones are the later ones' parents). */
  async params(op: Operation, slot = 0, fresh = false): Promise<Params> {
    const out: Params = {};
    for (const [i, p] of op.pathParams.entries()) {
      const last = i === op.pathParams.length - 1;
      const collection = op.path.slice(0, op.path.indexOf(`/{${p.name}}`));
      out[p.name] = fresh && last ? await this.fresh(p.name, { ...out }, collection) : await this.resolve(p.name, { ...out }, slot, collection);
    }
    return out;
  }

  /**
   * Parameter sets to address this tenant's resources with `op`: for a single
   * parameter every known id, for nested ones the two fixture chains.
   */
  async paramSets(op: Operation): Promise<Params[]> {
    if (op.pathParams.length === 0) return [{}];
    const sets = [await this.params(op, 0), await this.params(op, 1)];
    if (op.pathParams.length === 1) {
      const name = op.pathParams[0].name;
      for (const id of this.knownIds(name)) sets.push({ [name]: id });
    }
    const seen = new Set<string>();
    return sets.filter((s) => !seen.has(JSON.stringify(s)) && seen.add(JSON.stringify(s)));
  }

  private readonly built = new Map<string, Promise<Request>>();

  /**
   * The request for `op` on `params`, built once and then reused. Building may
   * act (a dataset version's body needs an upload), so requests replayed after
   * a snapshot must have been built before it.
   */
  requestFor(op: Operation, params: Params): Promise<Request> {
    const key = `${op.key} ${JSON.stringify(params)}`;
    let hit = this.built.get(key);
    if (!hit) {
      hit = this.buildRequest(op, params).then((request) => {
        // Ids the body carries (an uploadId, a projectId) are this tenant's too.
        walkIds(request.body, (name, id) => this.remember(name, id));
        return request;
      });
      this.built.set(key, hit);
    }
    return hit;
  }

  /** A minimal valid request for `op` as this tenant: path filled with `params`, body and required query generated. */
  async buildRequest(op: Operation, params: Params): Promise<Request> {
    const ctx = {
      doc: this.doc,
      marker: this.marker,
      reference: async (name: string) => (PATH_FIXTURES[name] ? this.resolve(name) : undefined),
    };
    const query: Params = {};
    const customQuery = QUERIES[op.key];
    if (customQuery) Object.assign(query, await customQuery(this, params));
    else {
      for (const p of op.queryParams.filter((q) => q.required)) query[p.name] = String(await generateValue(p.schema, ctx, `query.${p.name}`, p.name));
    }
    let body: unknown;
    const customBody = BODIES[op.key];
    if (customBody) body = await customBody(this, params);
    else if (op.body) {
      try {
        body = await generateValue(op.body.schema, ctx, 'body');
      } catch (error) {
        if (error instanceof CannotGenerate)
          throw new Error(`${op.key}: ${error.message}; add an entry to BODIES in test/support/isolation/fixtures.ts`, { cause: error });
        throw error;
      }
    }
    return { method: op.method, path: fillPath(op.path, params), query, body };
  }

  /**
   * Creates the two fixtures of every path parameter the operations use, then
   * builds the request of each operation on every parameter set, so that later
   * reads and replays create nothing. Returns why each failing operation failed.
   */
  async prepare(ops: readonly Operation[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    for (const op of ops) {
      try {
        await this.params(op, 0);
        await this.params(op, 1);
      } catch (error) {
        failed.set(op.key, String((error as Error).message));
      }
    }
    // Second pass: every id is known now, so every parameter set is final.
    for (const op of ops.filter((o) => !failed.has(o.key))) {
      try {
        for (const params of await this.paramSets(op)) await this.requestFor(op, params);
      } catch (error) {
        failed.set(op.key, String((error as Error).message));
      }
    }
    return failed;
  }
}

function walkIds(node: unknown, visit: (name: string, id: string) => void): void {
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (/Id$/.test(k) && k !== 'tenantId' && typeof v === 'string' && v.length >= 8) visit(k, v);
    else walkIds(v, visit);
  }
}

/** The credential and roles of every tenant role plus the CI token, for refusal checks. */
export async function everyCredential(fx: TenantFixtures): Promise<Credential[]> {
  return [...TENANT_ROLES.map((r) => fx.roleCredential(r)), await fx.ciToken()];
}
