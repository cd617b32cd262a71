import type { StoredObject, TenantObjectStore } from '../../../core/ports/object-store';
import { unpackModelArchive } from '../../../core/training/model-archive';
import { LocalSageMakerIntegration } from '../../../state-machines/local-sagemaker-integration';
import type { LocalTrainingDeps } from '../../../state-machines/local-training-jobs';
import { LocalTrainingLogs } from '../../../state-machines/local-training-logs';
import { sageMakerIntegrationOf } from '../../../state-machines/resource-convention';

/** Tenant objects in memory, under `tenants/<id>/` as the real store keys them. */
class MemoryObjects implements Pick<TenantObjectStore, 'tenantId' | 'keyOf' | 'put' | 'getBytes' | 'head' | 'list'> {
  constructor(
    readonly tenantId: string,
    private readonly all: Map<string, Uint8Array>,
  ) {}
  keyOf(relative: string): string {
    return `tenants/${this.tenantId}/${relative}`;
  }
  async put(relative: string, body: Uint8Array | string): Promise<void> {
    this.all.set(this.keyOf(relative), typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }
  async getBytes(relative: string): Promise<Uint8Array> {
    const found = this.all.get(this.keyOf(relative));
    if (!found) throw new Error(`no ${relative}`);
    return found;
  }
  async head(relative: string): Promise<StoredObject | undefined> {
    const found = this.all.get(this.keyOf(relative));
    return found ? { key: relative, size: found.byteLength } : undefined;
  }
  async list(prefix: string): Promise<StoredObject[]> {
    const root = this.keyOf('');
    return [...this.all.entries()].filter(([k]) => k.startsWith(this.keyOf(prefix))).map(([k, v]) => ({ key: k.slice(root.length), size: v.byteLength }));
  }
}

const TRAIN = sageMakerIntegrationOf('arn:aws:states:::sagemaker:createTrainingJob.sync')!;
/** A stand-in trainer: reads its channel and hyper-parameters from the contract's environment, logs, writes a model (or fails when told to). */
const TRAINER = [
  '/bin/sh',
  '-c',
  'echo "rows: $(wc -l < "$SM_CHANNEL_TRAIN/data.csv")"; echo "hp: $SM_HPS"; ' +
    'case "$SM_HPS" in *fail*) echo "ValueError: C must be > 0" > "$SM_OUTPUT_DIR/failure"; echo boom >&2; exit 3;; esac; ' +
    'printf "onnx-bytes" > "$SM_MODEL_DIR/model.onnx"; printf \'{"train_auc":0.97}\' > "$SM_MODEL_DIR/metrics.json"; ' +
    'printf \'{"cpu_ms":12.5,"peak_memory_bytes":2048}\' > "$SM_OUTPUT_DATA_DIR/resources.json"',
];

describe('local createTrainingJob.sync', () => {
  const all = new Map<string, Uint8Array>();
  const logs = new LocalTrainingLogs();
  const deps: LocalTrainingDeps = {
    logs,
    objects: (tenantId) => new MemoryObjects(tenantId, all) as unknown as TenantObjectStore,
    bucket: 'steward-artifacts',
    commandOf: (image) => (image === 'trainer:local' ? { command: TRAINER, cwd: '.' } : undefined),
  };
  const sagemaker = new LocalSageMakerIntegration(
    () => {
      throw new Error('no endpoints here');
    },
    undefined,
    () => deps,
  );
  const request = (name: string, overrides: Record<string, unknown> = {}) => ({
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: 'trainer:local', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::000000000000:role/sagemaker',
    InputDataConfig: [
      { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://steward-artifacts/tenants/t1/runs/r1/train/' } } },
    ],
    OutputDataConfig: { S3OutputPath: 's3://steward-artifacts/tenants/t1/runs/r1/' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    HyperParameters: { C: '0.5' },
    StoppingCondition: { MaxRuntimeInSeconds: 60 },
    Tags: [{ Key: 'TenantId', Value: 't1' }],
    ...overrides,
  });

  beforeAll(async () => {
    await deps.objects('t1').put('runs/r1/train/data.csv', 'x,y\n1,0\n2,1\n');
  });

  it('is a supported .sync action', () => {
    expect(LocalSageMakerIntegration.supports(TRAIN)).toBe(true);
  });

  it('runs the image stand-in under the contract and leaves model.tar.gz, output.tar.gz and the usage where SageMaker leaves its output, and the log with the CloudWatch stand-in', async () => {
    const described = await sagemaker.call(TRAIN, request('t1-train-ok'));
    expect(described).toMatchObject({
      TrainingJobName: 't1-train-ok',
      TrainingJobStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: 's3://steward-artifacts/tenants/t1/runs/r1/t1-train-ok/output/model.tar.gz' },
      AlgorithmSpecification: { TrainingImage: 'trainer:local' },
      HyperParameters: { C: '0.5' },
      TrainingStartTime: expect.any(String),
      TrainingEndTime: expect.any(String),
    });
    const objects = deps.objects('t1');
    const files = await unpackModelArchive(await objects.getBytes('runs/r1/t1-train-ok/output/model.tar.gz'), ['model.onnx', 'metrics.json']);
    expect(new TextDecoder().decode(files['model.onnx'])).toBe('onnx-bytes');
    expect(JSON.parse(new TextDecoder().decode(files['metrics.json']))).toEqual({ train_auc: 0.97 });
    // SM_OUTPUT_DATA_DIR, packed as SageMaker uploads it.
    const output = await unpackModelArchive(await objects.getBytes('runs/r1/t1-train-ok/output/output.tar.gz'), ['resources.json']);
    expect(JSON.parse(new TextDecoder().decode(output['resources.json']))).toEqual({ cpu_ms: 12.5, peak_memory_bytes: 2048 });
    // The log is CloudWatch's on AWS: kept under the job's name for the pipeline to copy, not written into the run folder by the job.
    expect(await objects.head('runs/r1/training.log')).toBeUndefined();
    const log = (await logs.readJobLog('t1-train-ok', { maxBytes: 1 << 20 }))!;
    expect(log).toContain('rows: 3');
    expect(log).toContain('"C":"0.5"');
    const usage = JSON.parse(new TextDecoder().decode(await objects.getBytes('runs/r1/t1-train-ok/output/usage.json')));
    expect(usage.durationMs).toBeGreaterThan(0);
  });

  it('a failing trainer ends the job Failed: States.TaskFailed with the failure file as FailureReason, the log kept', async () => {
    const error = await sagemaker.call(TRAIN, request('t1-train-bad', { HyperParameters: { mode: 'fail' } })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'States.TaskFailed' });
    expect(JSON.parse((error as Error).message)).toMatchObject({
      TrainingJobName: 't1-train-bad',
      TrainingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: ValueError: C must be > 0',
    });
    expect(await logs.readJobLog('t1-train-bad', { maxBytes: 1 << 20 })).toContain('boom');
    expect(await deps.objects('t1').head('runs/r1/t1-train-bad/output/output.tar.gz')).toBeUndefined();
  });

  it("refuses another tenant's storage, a reused name, an untagged job and an unknown image", async () => {
    const foreign = await sagemaker
      .call(TRAIN, request('t1-train-foreign', { OutputDataConfig: { S3OutputPath: 's3://steward-artifacts/tenants/t2/runs/r1/' } }))
      .catch((e: Error) => e);
    expect(foreign).toMatchObject({ name: 'States.TaskFailed' });
    expect(JSON.parse((foreign as Error).message).FailureReason).toContain('outside the storage of tenant t1');
    await expect(sagemaker.call(TRAIN, request('t1-train-ok'))).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining('already exists'),
    });
    await expect(sagemaker.call(TRAIN, request('t1-train-untagged', { Tags: [] }))).rejects.toMatchObject({ message: expect.stringContaining('TenantId') });
    await expect(
      sagemaker.call(TRAIN, request('t1-train-image', { AlgorithmSpecification: { TrainingImage: 'other:1', TrainingInputMode: 'File' } })),
    ).rejects.toMatchObject({ message: expect.stringContaining('no local stand-in') });
  });

  it('keeps the newest bytes of a log past the limit, saying how many were dropped', async () => {
    const local = new LocalTrainingLogs();
    local.keep('t1-train-long', 'old line\nnew line\n');
    expect(await local.readJobLog('t1-train-long', { maxBytes: 9 })).toBe(
      '[steward: the first 9 bytes of the log were dropped to keep it under 9 bytes]\nnew line\n',
    );
    expect(await local.readJobLog('t1-train-none', { maxBytes: 9 })).toBeUndefined();
  });
});
