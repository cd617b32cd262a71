import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationFailed } from '../errors';
import { onnxArtifactKey } from '../pipelines/model-artifact';
import type { TrainingResult } from '../pipelines/train-model';
import type { TrainingPlan } from '../pipelines/training-request';
import type { TenantScope } from '../tenancy/tenant-scope';
import { trainingLogKey } from './container-training-plan';
import { unpackModelArchive } from './model-archive';
import { METRICS_FILE, MODEL_FILE, OUTPUT_DATA_ARCHIVE, RESOURCES_FILE, trainerMetricsSchema, trainerResourcesSchema } from './training-contract';

/** The parts of DescribeTrainingJob (what `.sync` resolves with) the collector reads. */
export const finishedTrainingJobSchema = z.object({
  TrainingJobName: z.string().min(1),
  TrainingJobStatus: z.literal('Completed'),
  ModelArtifacts: z.object({ S3ModelArtifacts: z.string().min(1) }),
  AlgorithmSpecification: z.object({ TrainingImage: z.string().min(1) }).loose(),
  HyperParameters: z.record(z.string(), z.string()).default({}),
  TrainingStartTime: z.union([z.string(), z.number()]).optional(),
  TrainingEndTime: z.union([z.string(), z.number()]).optional(),
});

/** What the local stand-in measured of the process (SageMaker reports these as CloudWatch metrics, not in the description). */
export const trainingUsageSchema = z.object({
  durationMs: z.number().min(0),
  cpuMs: z.number().min(0).nullable(),
  peakMemoryBytes: z.number().int().min(0).nullable(),
});
export const USAGE_FILE = 'usage.json';

/**
 * CollectTrainedModel: the finished job's model.tar.gz (under the tenant's
 * storage, never elsewhere) → model.onnx written where TrainModel writes its
 * model, with the trainer's metrics.json, and the same `$.training` shape, so
 * registration (which checks the ONNX against the model's schema),
 * evaluation and approval run unchanged.
 */
export async function collectContainerModel(
  scope: TenantScope,
  input: { plan: TrainingPlan; job: z.infer<typeof finishedTrainingJobSchema>; trainRows: number; holdoutRows: number; runId: string; bucket: string },
): Promise<TrainingResult> {
  const { plan, job } = input;
  if (!plan.container) throw new ValidationFailed('the plan names no training container', [{ field: 'plan.container', problem: 'missing' }]);
  const root = `s3://${input.bucket}/${scope.objects.keyOf('x').slice(0, -1)}`;
  const uri = job.ModelArtifacts.S3ModelArtifacts;
  if (!uri.startsWith(root))
    throw new ValidationFailed(`the model archive ${uri} is outside this tenant's storage`, [
      { field: 'ModelArtifacts.S3ModelArtifacts', problem: 'not in the tenant prefix' },
    ]);
  const archiveKey = uri.slice(root.length);
  const files = await unpackModelArchive(await scope.objects.getBytes(archiveKey), [MODEL_FILE, METRICS_FILE]);
  const model = files[MODEL_FILE];
  if (!model)
    throw new ValidationFailed(`training job ${job.TrainingJobName} left no ${MODEL_FILE} in SM_MODEL_DIR`, [
      { field: 'ModelArtifacts', problem: `no ${MODEL_FILE} in model.tar.gz` },
    ]);
  let metrics: Record<string, number> | undefined;
  if (files[METRICS_FILE]) {
    const parsed = trainerMetricsSchema.safeParse(safeJson(new TextDecoder().decode(files[METRICS_FILE])));
    if (parsed.success) metrics = parsed.data;
  }
  const jobFolder = archiveKey.slice(0, archiveKey.lastIndexOf('/') + 1);
  const usage = await resourceUsageOf(scope, jobFolder, job);

  const key = onnxArtifactKey(plan.modelId, input.runId);
  await scope.objects.put(key, model, 'application/octet-stream');
  const logKey = trainingLogKey(plan.modelId, input.runId);
  return {
    runId: input.runId,
    artifact: { format: 'onnx', key, sha256: createHash('sha256').update(model).digest('hex'), size: model.byteLength },
    algorithm: plan.algorithm,
    hyperparameters: plan.hyperparameters,
    container: {
      template: plan.container.template,
      image: job.AlgorithmSpecification.TrainingImage,
      jobName: job.TrainingJobName,
      hyperparameters: job.HyperParameters,
      ...(metrics ? { metrics } : {}),
      ...((await scope.objects.head(logKey)) ? { logKey } : {}),
      resourceUsage: usage.source,
    },
    dataset: { key: plan.dataset.key, sha256: plan.dataset.sha256, size: plan.dataset.size },
    rowCount: plan.rowCount,
    trainRows: input.trainRows,
    holdoutRows: input.holdoutRows,
    iterations: 0,
    converged: true,
    trainingLoss: metrics?.train_log_loss ?? 0,
    durationMs: usage.durationMs,
    ...(usage.cpuMs !== undefined ? { cpuMs: usage.cpuMs } : {}),
    ...(usage.peakMemoryBytes !== undefined ? { peakMemoryBytes: usage.peakMemoryBytes } : {}),
  };
}

/**
 * Where a container run's CPU time and peak memory come from, best first:
 * - `measured`: the local stand-in's own measurement of the process tree
 *   (usage.json; authoritative locally, whatever the trainer says);
 * - `reported`: the trainer's resources.json in output.tar.gz (on AWS the
 *   only source: SageMaker's job description has neither figure);
 * - `unknown`: neither; the figures are left out, never recorded as zero.
 * Duration is the stand-in's measurement, else TrainingEndTime − TrainingStartTime.
 */
async function resourceUsageOf(
  scope: TenantScope,
  jobFolder: string,
  job: z.infer<typeof finishedTrainingJobSchema>,
): Promise<{ source: 'measured' | 'reported' | 'unknown'; durationMs: number; cpuMs?: number; peakMemoryBytes?: number }> {
  const started = job.TrainingStartTime !== undefined ? new Date(job.TrainingStartTime).getTime() : NaN;
  const ended = job.TrainingEndTime !== undefined ? new Date(job.TrainingEndTime).getTime() : NaN;
  const jobDurationMs = Number.isFinite(ended - started) ? Math.max(0, ended - started) : 0;
  const usageKey = `${jobFolder}${USAGE_FILE}`;
  const measured = (await scope.objects.head(usageKey))
    ? trainingUsageSchema.safeParse(safeJson(new TextDecoder().decode(await scope.objects.getBytes(usageKey))))
    : undefined;
  if (measured?.success && (measured.data.cpuMs !== null || measured.data.peakMemoryBytes !== null)) {
    return {
      source: 'measured',
      durationMs: measured.data.durationMs,
      ...(measured.data.cpuMs !== null ? { cpuMs: measured.data.cpuMs } : {}),
      ...(measured.data.peakMemoryBytes !== null ? { peakMemoryBytes: measured.data.peakMemoryBytes } : {}),
    };
  }
  const durationMs = measured?.success ? measured.data.durationMs : jobDurationMs;
  const outputKey = `${jobFolder}${OUTPUT_DATA_ARCHIVE}`;
  if (await scope.objects.head(outputKey)) {
    const files = await unpackModelArchive(await scope.objects.getBytes(outputKey), [RESOURCES_FILE]).catch((): Record<string, Uint8Array> => ({}));
    const reported = files[RESOURCES_FILE] ? trainerResourcesSchema.safeParse(safeJson(new TextDecoder().decode(files[RESOURCES_FILE]))) : undefined;
    if (reported?.success && (reported.data.cpu_ms !== undefined || reported.data.peak_memory_bytes !== undefined)) {
      return {
        source: 'reported',
        durationMs,
        ...(reported.data.cpu_ms !== undefined ? { cpuMs: reported.data.cpu_ms } : {}),
        ...(reported.data.peak_memory_bytes !== undefined ? { peakMemoryBytes: reported.data.peak_memory_bytes } : {}),
      };
    }
  }
  return { source: 'unknown', durationMs };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
