import { createHash } from 'node:crypto';
import { datasetTable } from '../pipelines/training-dataset';
import { loadPlannedDataset, splitFor } from '../pipelines/train-model';
import type { TrainingPlan } from '../pipelines/training-request';
import { runFolder } from '../pipelines/model-artifact';
import type { TenantScope } from '../tenancy/tenant-scope';
import { ValidationFailed } from '../errors';
import type { ContainerTemplateName } from './container-templates';
import { hyperparameterStrings } from './training-contract';

/** The training channel's one file, under the run folder. */
export const trainChannelKey = (modelId: string, runId: string) => `${runFolder(modelId, runId)}training/train/data.csv`;
/** Where the job's log is kept in the tenant's storage (written locally by the training job stand-in, or copied from CloudWatch). */
export const trainingLogKey = (modelId: string, runId: string) => `${runFolder(modelId, runId)}training.log`;

/** What a container training job of a train-evaluate run is: everything of CreateTrainingJob but the image and role, which are settings. */
export interface ContainerTrainingPlan {
  readonly template: ContainerTemplateName;
  /** `<tenantId>-train-<hash of the run>`: tenant-prefixed (IAM scopes the job ARN by it), ≤ 63 characters, one per run. */
  readonly jobName: string;
  /** s3://… prefix of the `train` channel (the plan's training rows; the hold-out rows stay back for the platform's evaluation). */
  readonly trainChannelUri: string;
  /** s3://… of the run folder; SageMaker writes `<jobName>/output/model.tar.gz` under it. */
  readonly outputUri: string;
  /** As SageMaker hands them over: strings, with `target` and `features` added. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * PlanContainerTraining: writes the `train` channel (the rows the built-in
 * trainers would train on, same split, so the platform's hold-out evaluation
 * stays honest) to the run folder and describes the job that trains on it.
 */
export async function planContainerTraining(
  scope: TenantScope,
  plan: TrainingPlan,
  options: { runId: string; bucket: string },
): Promise<ContainerTrainingPlan> {
  if (!plan.container) throw new ValidationFailed('the plan names no training container', [{ field: 'plan.container', problem: 'missing' }]);
  const reserved = ['target', 'features'].filter((name) => name in plan.container!.hyperparameters);
  if (reserved.length > 0)
    throw new ValidationFailed(
      'target and features are set by the plan',
      reserved.map((name) => ({ field: `container.hyperparameters.${name}`, problem: 'reserved' })),
    );
  const dataset = await loadPlannedDataset(scope.objects, plan);
  const table = datasetTable(dataset, { target: plan.target, features: plan.features });
  const split = splitFor(plan, table.y);
  const columns = [...plan.features, plan.target];
  const lines = [columns.map(csvField).join(',')];
  for (const i of split.train) lines.push([...table.x[i], table.y[i]].map(String).join(','));
  const channelKey = trainChannelKey(plan.modelId, options.runId);
  await scope.objects.put(channelKey, `${lines.join('\n')}\n`, 'text/csv');
  const root = `s3://${options.bucket}/${scope.objects.keyOf('x').slice(0, -1)}`;
  const jobName = `${scope.tenantId}-train-${createHash('sha256').update(`${plan.modelId}/${options.runId}`).digest('hex')}`.slice(0, 63).replace(/-+$/, '');
  return {
    template: plan.container.template,
    jobName,
    trainChannelUri: `${root}${channelKey.slice(0, channelKey.lastIndexOf('/') + 1)}`,
    outputUri: `${root}${runFolder(plan.modelId, options.runId)}`,
    hyperparameters: { ...hyperparameterStrings(plan.container.hyperparameters), target: plan.target, features: plan.features.join(',') },
    trainRows: split.train.length,
    holdoutRows: split.holdout.length,
    tags: { TenantId: scope.tenantId, ModelId: plan.modelId },
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
