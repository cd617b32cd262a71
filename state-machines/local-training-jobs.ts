import { z } from 'zod';
import type { TenantObjectStore } from '../core/ports/object-store';
import { USAGE_FILE } from '../core/training/collect-container-model';
import { runTrainingJob } from '../core/training/container-training-runner';
import { packModelArchive } from '../core/training/model-archive';
import { METRICS_FILE, MODEL_FILE, OUTPUT_DATA_ARCHIVE } from '../core/training/training-contract';
import { failed, SageMakerIntegrationFailed } from './local-sagemaker-integration';

/** What the local training jobs run on: the tenant's objects (the S3 emulator), the bucket S3 URIs name, and the command behind each image. */
export interface LocalTrainingDeps {
  objects(tenantId: string): TenantObjectStore;
  readonly bucket: string;
  /** The image named in AlgorithmSpecification → the command that stands in for it (infra resolves the template folder and interpreter); undefined: no such image here. */
  commandOf(image: string): { command: string[]; cwd: string } | undefined;
  /** CloudWatch's part: each job's log is kept here under its name (state-machines/local-training-logs.ts), for the pipeline to copy into the run folder. */
  readonly logs: { keep(jobName: string, log: string): void };
}

const NAME = z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'a SageMaker name: 1–63 letters, digits and hyphens');
const S3_URI = z.string().regex(/^s3:\/\/[^/]+\//, 'an s3:// URI');

/** CreateTrainingJob as train-evaluate sends it (core/adapters/sagemaker/training-requests.ts). */
export const CreateTrainingJobRequest = z.object({
  TrainingJobName: NAME,
  AlgorithmSpecification: z.object({ TrainingImage: z.string().min(1), TrainingInputMode: z.enum(['File', 'Pipe', 'FastFile']) }).passthrough(),
  RoleArn: z.string().min(20),
  InputDataConfig: z
    .array(
      z.object({
        ChannelName: z.string().regex(/^[A-Za-z0-9.\-_]+$/),
        ContentType: z.string().optional(),
        DataSource: z.object({
          S3DataSource: z.object({ S3DataType: z.enum(['S3Prefix', 'ManifestFile', 'AugmentedManifestFile']), S3Uri: S3_URI }).passthrough(),
        }),
      }),
    )
    .min(1)
    .max(20),
  OutputDataConfig: z.object({ S3OutputPath: S3_URI }).passthrough(),
  ResourceConfig: z.object({ InstanceType: z.string().min(1), InstanceCount: z.number().int().min(1) }).passthrough(),
  HyperParameters: z.record(z.string().max(256), z.string().max(2500)).default({}),
  StoppingCondition: z.object({ MaxRuntimeInSeconds: z.number().int().min(1) }).passthrough(),
  Tags: z.array(z.object({ Key: z.string().min(1), Value: z.string() })).default([]),
});
export type CreateTrainingJobRequest = z.infer<typeof CreateTrainingJobRequest>;

/** Log bytes kept, newest last (as much as a person reads through the API). */
const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * `sagemaker:createTrainingJob.sync` on one machine, for train-evaluate's
 * container trainers: the channels' objects are fetched from the tenant's
 * storage, the image's stand-in command runs as a child process under the
 * training contract (core/training/container-training-runner.ts), and what
 * SageMaker leaves is written where it leaves it: `<S3OutputPath><job>/output/model.tar.gz`.
 * The job's log (stdout and stderr, newest 5 MiB) goes to the local
 * CloudWatch stand-in under the job's name (the pipeline copies it into the
 * run folder, as it does from CloudWatch on AWS), SM_OUTPUT_DATA_DIR's files
 * to `<job>/output/output.tar.gz` as SageMaker uploads them, and the measured
 * CPU, peak memory and duration to `<job>/output/usage.json` (SageMaker
 * reports none of those in the job's description).
 * Like SageMaker: a name is used once; a failing trainer ends the job
 * `Failed` with the failure file as FailureReason, which `.sync` reports as
 * `States.TaskFailed` with the description as cause; every S3 URI must be in
 * the storage of the tenant the job is tagged with (IAM enforces it on AWS).
 */
export class LocalTrainingJobs {
  private readonly names = new Set<string>();

  constructor(private readonly deps?: () => LocalTrainingDeps) {}

  async run(request: CreateTrainingJobRequest): Promise<Record<string, unknown>> {
    const name = request.TrainingJobName;
    if (!this.deps) throw new SageMakerIntegrationFailed('States.Runtime', 'sagemaker:createTrainingJob.sync has no local training runner in this runner');
    if (this.names.has(name))
      throw failed(
        'optimized',
        `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${trainingJobArn(name)})`,
      );
    const tenantId = request.Tags.find((t) => t.Key === 'TenantId')?.Value;
    if (!tenantId) throw failed('optimized', 'validation error detected: Tags: a Steward training job is tagged with its TenantId');
    const deps = this.deps();
    const stand = deps.commandOf(request.AlgorithmSpecification.TrainingImage);
    if (!stand) throw failed('optimized', `no local stand-in for the training image ${request.AlgorithmSpecification.TrainingImage}`);
    this.names.add(name);
    const created = new Date();
    let outputPath = request.OutputDataConfig.S3OutputPath;
    if (!outputPath.endsWith('/')) outputPath += '/';
    const describe = (status: 'Completed' | 'Failed', ended: Date, failureReason?: string) => ({
      TrainingJobName: name,
      TrainingJobArn: trainingJobArn(name),
      TrainingJobStatus: status,
      SecondaryStatus: status,
      ...(failureReason ? { FailureReason: failureReason } : {}),
      ...(status === 'Completed' ? { ModelArtifacts: { S3ModelArtifacts: `${outputPath}${name}/output/model.tar.gz` } } : {}),
      AlgorithmSpecification: request.AlgorithmSpecification,
      RoleArn: request.RoleArn,
      InputDataConfig: request.InputDataConfig,
      OutputDataConfig: request.OutputDataConfig,
      ResourceConfig: request.ResourceConfig,
      StoppingCondition: request.StoppingCondition,
      HyperParameters: request.HyperParameters,
      CreationTime: created.toISOString(),
      TrainingStartTime: created.toISOString(),
      TrainingEndTime: ended.toISOString(),
    });
    const jobFailed = (reason: string) => new SageMakerIntegrationFailed('States.TaskFailed', JSON.stringify(describe('Failed', new Date(), reason)));

    const objects = deps.objects(tenantId);
    const root = `s3://${deps.bucket}/${objects.keyOf('x').slice(0, -1)}`;
    const within = (uri: string, what: string) => {
      if (!uri.startsWith(root)) throw jobFailed(`ClientError: ${what} ${uri} is outside the storage of tenant ${tenantId}`);
      return uri.slice(root.length);
    };
    const outputFolder = within(outputPath, 'the output path');
    const channels: Record<string, Record<string, Uint8Array<ArrayBuffer>>> = {};
    for (const channel of request.InputDataConfig) {
      const prefix = within(channel.DataSource.S3DataSource.S3Uri, `channel ${channel.ChannelName}`);
      const files: Record<string, Uint8Array<ArrayBuffer>> = {};
      const folder = prefix.endsWith('/') ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1);
      for (const object of await objects.list(prefix, 1000)) {
        const fileName = object.key.slice(object.key.lastIndexOf('/') + 1);
        // SageMaker copies the prefix's objects into the channel directory; one level, as the contract's channels are flat.
        if (fileName && (await objects.head(`${folder}${fileName}`))) files[fileName] = new Uint8Array(await objects.getBytes(`${folder}${fileName}`));
      }
      if (Object.keys(files).length === 0) throw jobFailed(`ClientError: No S3 objects found under S3 URL "${channel.DataSource.S3DataSource.S3Uri}"`);
      channels[channel.ChannelName] = files;
    }

    const result = await runTrainingJob({
      command: stand.command,
      cwd: stand.cwd,
      channels,
      hyperparameters: request.HyperParameters,
      timeoutMs: request.StoppingCondition.MaxRuntimeInSeconds * 1000,
      maxLogBytes: MAX_LOG_BYTES,
    });
    deps.logs.keep(name, result.log);
    if (result.outputData)
      await objects.put(`${outputFolder}${name}/output/${OUTPUT_DATA_ARCHIVE}`, await packModelArchive(result.outputData), 'application/gzip');
    const usage = {
      durationMs: result.usage.durationMs,
      cpuMs: result.usage.cpuUserMs === null || result.usage.cpuSystemMs === null ? null : result.usage.cpuUserMs + result.usage.cpuSystemMs,
      peakMemoryBytes: result.usage.peakMemoryBytes,
    };
    await objects.put(`${outputFolder}${name}/output/${USAGE_FILE}`, JSON.stringify(usage), 'application/json');
    if (result.status !== 'completed' || !result.model) {
      throw jobFailed(
        result.status === 'timed-out' ? `MaxRuntimeExceeded: ${result.failureReason}` : `AlgorithmError: ${result.failureReason ?? 'the trainer failed'}`,
      );
    }
    const archive = await packModelArchive({ [MODEL_FILE]: result.model, ...(result.metrics ? { [METRICS_FILE]: JSON.stringify(result.metrics) } : {}) });
    await objects.put(`${outputFolder}${name}/output/model.tar.gz`, archive, 'application/gzip');
    return describe('Completed', new Date());
  }
}

export function trainingJobArn(name: string): string {
  return `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name.toLowerCase()}`;
}
