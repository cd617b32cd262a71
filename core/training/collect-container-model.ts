import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationFailed } from '../errors';
import { onnxArtifactKey } from '../pipelines/model-artifact';
import type { TrainingResult } from '../pipelines/train-model';
import type { TrainingPlan } from '../pipelines/training-request';
import type { TenantScope } from '../tenancy/tenant-scope';
import { trainingLogKey } from './container-training-plan';
import { unpackModelArchive } from './model-archive';
import { METRICS_FILE, MODEL_FILE, trainerMetricsSchema } from './training-contract';

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
  if (!uri.startsWith(root)) throw new ValidationFailed(`the model archive ${uri} is outside this tenant's storage`, [{ field: 'ModelArtifacts.S3ModelArtifacts', problem: 'not in the tenant prefix' }]);
  const archiveKey = uri.slice(root.length);
  const files = await unpackModelArchive(await scope.objects.getBytes(archiveKey), [MODEL_FILE, METRICS_FILE]);
  const model = files[MODEL_FILE];
  if (!model) throw new ValidationFailed(`training job ${job.TrainingJobName} left no ${MODEL_FILE} in SM_MODEL_DIR`, [{ field: 'ModelArtifacts', problem: `no ${MODEL_FILE} in model.tar.gz` }]);
  let metrics: Record<string, number> | undefined;
  if (files[METRICS_FILE]) {
    const parsed = trainerMetricsSchema.safeParse(safeJson(new TextDecoder().decode(files[METRICS_FILE])));
    if (parsed.success) metrics = parsed.data;
  }
  const usageKey = `${archiveKey.slice(0, archiveKey.lastIndexOf('/') + 1)}${USAGE_FILE}`;
  const usage = (await scope.objects.head(usageKey)) ? trainingUsageSchema.safeParse(safeJson(new TextDecoder().decode(await scope.objects.getBytes(usageKey)))) : undefined;
  const started = job.TrainingStartTime !== undefined ? new Date(job.TrainingStartTime).getTime() : NaN;
  const ended = job.TrainingEndTime !== undefined ? new Date(job.TrainingEndTime).getTime() : NaN;
  const durationMs = usage?.success ? usage.data.durationMs : Number.isFinite(ended - started) ? Math.max(0, ended - started) : 0;

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
    },
    dataset: { key: plan.dataset.key, sha256: plan.dataset.sha256, size: plan.dataset.size },
    rowCount: plan.rowCount,
    trainRows: input.trainRows,
    holdoutRows: input.holdoutRows,
    iterations: 0,
    converged: true,
    trainingLoss: metrics?.train_log_loss ?? 0,
    durationMs,
    ...(usage?.success && usage.data.cpuMs !== null ? { cpuMs: usage.data.cpuMs } : {}),
    ...(usage?.success && usage.data.peakMemoryBytes !== null ? { peakMemoryBytes: usage.data.peakMemoryBytes } : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
