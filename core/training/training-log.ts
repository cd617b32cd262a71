import { NotFound } from '../errors';
import { getExecution } from '../pipelines/execution-log';
import { runIdOf } from '../pipelines/step-context';
import type { TenantScope } from '../tenancy/tenant-scope';
import { trainingLogKey } from './container-training-plan';

/**
 * The log of an execution's training job (stdout and stderr, newest 5 MiB),
 * as kept in the run folder when the job ended, completed or failed
 * (core/training/keep-training-log.ts: copied from CloudWatch on AWS, from the
 * local stand-in locally). While the job runs there is none yet; on AWS the
 * NotFound then says where the live log is. Another tenant's execution is NotFound too.
 */
export async function readTrainingLog(scope: TenantScope, executionId: string, options: { mode: 'aws' | 'local' }): Promise<string> {
  const { execution } = await getExecution(scope.table, executionId);
  const modelId =
    execution.pipeline === 'train-evaluate' && typeof execution.input === 'object' && execution.input !== null
      ? (execution.input as { modelId?: unknown }).modelId
      : undefined;
  const key = typeof modelId === 'string' ? trainingLogKey(modelId, runIdOf(executionId)) : undefined;
  if (key && (await scope.objects.head(key))) return new TextDecoder().decode(await scope.objects.getBytes(key));
  if (options.mode === 'aws' && key)
    throw new NotFound(
      'training log of execution (kept when the training job ends; until then, CloudWatch log group /aws/sagemaker/TrainingJobs)',
      executionId,
    );
  throw new NotFound('training log of execution', executionId);
}
