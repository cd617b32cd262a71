import { performance } from 'node:perf_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { TenantObjects } from '../../core/adapters/s3/tenant-objects';
import { readSettings } from '../../core/config/settings';
import { readCsvBatches } from '../../core/tabular/csv-rows';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { BenchApi, onboardTenant } from '../support/api';
import { required, type BenchTarget, type Measurement, type Scenario, type ScenarioContext } from './scenario';

const FEATURES = Array.from({ length: 20 }, (_, i) => `f${i}`);
const ROWS = Number(process.env.STEWARD_BENCH_BATCH_ROWS ?? 1_000_000);
const PARTITIONS = 8;
const TRAINING_ROWS = 2000;
const WEIGHTS = FEATURES.map((_, i) => (i % 2 ? 0.4 : -0.3) * (1 + (i % 5) / 4));

/** A deterministic generator, so every run scores the same file. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function featureRow(random: () => number): number[] {
  return FEATURES.map(() => Math.round((random() * 4 - 2) * 10_000) / 10_000);
}

/** `rows` rows of 20 features (an id column first) as CSV, in `parts` partitions, made at bench time and never stored in the repository. */
function scoringData(rows: number, parts: number): Buffer[] {
  const random = mulberry32(42);
  const per = Math.ceil(rows / parts);
  const out: Buffer[] = [];
  for (let p = 0, row = 0; p < parts; p++) {
    const lines = [`id,${FEATURES.join(',')}`];
    for (let i = 0; i < per && row < rows; i++, row++) lines.push(`${row},${featureRow(random).join(',')}`);
    out.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  return out;
}

function trainingData(): string {
  const random = mulberry32(7);
  const lines = [`${FEATURES.join(',')},label`];
  for (let i = 0; i < TRAINING_ROWS; i++) {
    const x = featureRow(random);
    const z = x.reduce((s, v, j) => s + v * WEIGHTS[j], 0);
    lines.push(`${x.join(',')},${random() < 1 / (1 + Math.exp(-z)) ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

interface BatchFixture {
  readonly partitions: Buffer[];
  readonly bytes: number;
  readonly api: BenchApi;
  readonly token: string;
  readonly modelId: string;
  readonly prefix: string;
}

/**
 * Set-up shared by both scenarios of a run, never measured: a tenant, a
 * 20-feature logistic regression trained by train-evaluate on generated data
 * and approved by its policy, and the scoring data (1,000,000 rows in 8 CSV
 * partitions) generated here and put under a prefix of the tenant's storage.
 */
function batchFixture({ target, shared, report }: ScenarioContext): Promise<BatchFixture> {
  return shared.once('batch-score', async () => {
    const tenant = await onboardTenant(target, 'Bench Batch', { report });
    const api = new BenchApi(required(target, 'apiUrl'));
    const token = tenant.dataScientistIdToken;
    const objects = tenantObjects(target, tenant.tenantId);
    report('  training a 20-feature logistic regression through train-evaluate…');
    const project = await api.call<{ projectId: string }>('POST', '/projects', { token, body: { name: 'bench-batch' } });
    // A run may only auto-approve when its project's stored policy lets it (core/governance).
    await api.call('PUT', `/projects/${project.projectId}/policy`, { token: tenant.adminIdToken, body: { gates: ['auc >= 0.5'], autoApprove: true } });
    const schema = {
      inputs: FEATURES.map((name) => ({ name, type: 'float' })),
      outputs: [
        { name: 'probability', type: 'float' },
        { name: 'label', type: 'long' },
      ],
    };
    const model = await api.call<{ modelId: string }>('POST', '/models', {
      token,
      body: { projectId: project.projectId, name: 'bench-batch', type: 'ml', framework: 'steward-built-in', tags: [], schema },
    });
    await objects.put('bench/training.csv', trainingData(), 'text/csv');
    const dataset = await api.call<{ datasetId: string }>('POST', '/datasets', { token, body: { name: 'bench-batch-training', format: 'csv', tags: [] } });
    const version = await api.call<{ version: number }>('POST', `/datasets/${dataset.datasetId}/versions`, {
      token,
      expect: 202,
      body: { sourceKey: 'bench/training.csv', targetColumn: 'label' },
    });
    // Registration answers pending; the profile-dataset pipeline makes the version ready.
    for (;;) {
      const settled = await api.call<{ status: string; statusReason?: string }>('GET', `/datasets/${dataset.datasetId}/versions/${version.version}`, { token });
      if (settled.status === 'ready') break;
      if (settled.status === 'failed') throw new Error(`bench dataset version failed: ${settled.statusReason}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = await api.call<{ executionId: string }>('POST', '/pipelines/train-evaluate/executions', {
      token,
      expect: 202,
      body: {
        modelId: model.modelId,
        dataset: { datasetId: dataset.datasetId, version: version.version },
        target: 'label',
        policy: { metric: 'auc', minimum: 0.5, autoApprove: true },
      },
    });
    for (;;) {
      const execution = await api.call<{ status: string; cause?: string }>('GET', `/executions/${started.executionId}`, { token });
      if (execution.status === 'SUCCEEDED') break;
      if (execution.status !== 'RUNNING') throw new Error(`train-evaluate ended ${execution.status}: ${execution.cause}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    report(`  generating ${ROWS.toLocaleString('en')} rows × ${FEATURES.length} features in ${PARTITIONS} CSV partitions…`);
    const partitions = scoringData(ROWS, PARTITIONS);
    const prefix = 'bench/scoring-input/';
    for (const [i, part] of partitions.entries()) await objects.put(`${prefix}part-${i}.csv`, part, 'text/csv');
    const bytes = partitions.reduce((n, p) => n + p.length, 0);
    report(`  ${(bytes / 1024 / 1024).toFixed(0)} MiB of CSV under ${prefix}`);
    return { partitions, bytes, api, token, modelId: model.modelId, prefix };
  });
}

function tenantObjects(target: BenchTarget, tenantId: string): TenantObjects {
  const settings = readSettings({
    STEWARD_MODE: 'local',
    STEWARD_S3_ENDPOINT: required(target, 's3Endpoint'),
    STEWARD_BUCKET_NAME: process.env.STEWARD_BUCKET_NAME,
  });
  const { s3 } = createAwsClients(settings) as { s3: S3Client };
  return new TenantObjects(s3, settings.STEWARD_BUCKET_NAME, tenantId);
}

/**
 * One progress read, retried on a dropped connection: while the platform's
 * event loop is busy scoring, a kept-alive socket can be closed under the
 * poll; that is the bench's connection, not the job, failing.
 */
async function pollJob(api: BenchApi, token: string, jobId: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.call('GET', `/batch-jobs/${jobId}`, { token });
    } catch (error) {
      if (attempt >= 5 || !(error instanceof TypeError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** A one-shot run as a Measurement: rows are the "requests", one window, wall time as every latency figure. */
function oneShot(rows: number, seconds: number, notes: Record<string, unknown>, window: { cpu?: Measurement['cpu'] }): Measurement {
  const ms = Math.round(seconds * 1000);
  const rate = rows / seconds;
  return {
    driver: 'closed-loop',
    connections: 1,
    durationSeconds: Math.round(seconds * 100) / 100,
    warmupSeconds: 0,
    requests: { total: rows, perSecond: { mean: rate, stddev: 0, min: rate, max: rate } },
    latencyMs: { mean: ms, p50: ms, p90: ms, p95: ms, p97_5: ms, p99: ms, max: ms },
    errors: 0,
    non2xx: 0,
    statusCodes: {},
    ...(window.cpu ? { cpu: window.cpu } : {}),
    notes: { ...notes, wallSeconds: Math.round(seconds * 100) / 100 },
  };
}

/** Only parsing the very partitions the job scores (csv-parse through core/tabular/csv-rows.ts, the reader the job uses), from memory, one after another. */
export const batchCsvParse: Scenario = {
  name: 'batch-csv-parse',
  measures: 'parse-only baseline: the batch job’s 1,000,000-row × 20-feature CSV partitions through the platform’s CSV reader, rows/s',
  requires: ['api', 's3'],
  defaults: { connections: 1, durationSeconds: 0, warmupSeconds: 0 },
  async run(context) {
    const fixture = await batchFixture(context);
    // One unmeasured pass so both sides meet a warm parser.
    for await (const _ of readCsvBatches(fixture.partitions[0], { batchSize: 8192 })) void _;
    await context.window.begin();
    const started = performance.now();
    let rows = 0;
    for (const part of fixture.partitions) for await (const batch of readCsvBatches(part, { batchSize: 8192 })) rows += batch.records.length;
    const seconds = (performance.now() - started) / 1000;
    const facts = await context.window.end();
    if (rows !== ROWS) throw new Error(`parsed ${rows} rows, expected ${ROWS}`);
    return oneShot(rows, seconds, { rows, features: FEATURES.length, partitions: PARTITIONS, csvBytes: fixture.bytes }, facts);
  },
};

/**
 * The whole batch-score pipeline on the same partitions: POST /batch-jobs,
 * then the state machine (plan → Map over partitions: read from storage,
 * parse, validate against the schema, score with onnxruntime, write outputs →
 * manifest → summary → statistics) until the job reads `succeeded`. Compared
 * with `batch-csv-parse` of the same run: wall time at most 2× parsing alone
 * is rows/s at least 0.5 of parsing's.
 */
export const batchScore: Scenario = {
  name: 'batch-score-1m',
  measures: 'POST /batch-jobs to succeeded: 1,000,000 rows × 20 features from 8 CSV partitions through batch-score (ONNX logistic regression), rows/s',
  requires: ['api', 's3'],
  defaults: { connections: 1, durationSeconds: 0, warmupSeconds: 0 },
  compare: { with: 'batch-csv-parse', kind: 'throughput', atLeast: 0.5 },
  async run(context) {
    const fixture = await batchFixture(context);
    const { api, token } = fixture;
    await context.window.begin();
    const started = performance.now();
    const job = await api.call<{ jobId: string }>('POST', '/batch-jobs', {
      token,
      expect: 202,
      body: {
        model: { modelId: fixture.modelId, version: 1 },
        input: { kind: 'prefix', prefix: fixture.prefix },
        outputPrefix: 'bench/scores/',
        passthrough: ['id'],
      },
    });
    let last = '';
    let done: {
      status: string;
      error?: string;
      progress: { partitionsDone: number; partitionsTotal: number; rowsIn: number; rowsOut: number; rowsRejected: number };
    };
    for (;;) {
      done = await pollJob(api, token, job.jobId);
      const line = `  ${done.status}: ${done.progress.partitionsDone}/${done.progress.partitionsTotal} partitions, ${done.progress.rowsOut.toLocaleString('en')} rows out`;
      if (line !== last) context.report(line);
      last = line;
      if (done.status === 'succeeded' || done.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const facts = await context.window.end();
    if (done.status !== 'succeeded') throw new Error(`batch job ${job.jobId} failed: ${done.error}`);
    if (done.progress.rowsOut !== ROWS || done.progress.rowsRejected !== 0)
      throw new Error(`batch job scored ${done.progress.rowsOut} rows, rejected ${done.progress.rowsRejected}; expected ${ROWS}, 0`);
    return oneShot(
      ROWS,
      seconds,
      { rows: ROWS, features: FEATURES.length, partitions: PARTITIONS, csvBytes: fixture.bytes, jobId: job.jobId, runtime: 'onnx' },
      facts,
    );
  },
};
