import type { Log } from '../ports/log';
import { TRAINING_LOG_MAX_BYTES, type TrainingLogSource } from '../ports/training-log-source';
import type { TenantScope } from '../tenancy/tenant-scope';
import { trainingLogKey } from './container-training-plan';

/**
 * Keeps a finished training job's log (completed or failed) in the run's
 * folder, `models/<modelId>/runs/<run>/training.log`, where
 * `GET /executions/{id}/logs` reads it: copied from CloudWatch on AWS, from
 * the local training-job stand-in locally — the same key and the same text in
 * both places. The job name is the tenant's own (`<tenantId>-train-…`, built
 * by PlanContainerTraining), so a run only ever copies its tenant's log.
 *
 * Best effort: a log that cannot be read is logged and the run goes on (a
 * lost log must not fail a trained model, nor hide why a run failed).
 * Returns whether a log was kept.
 */
export async function keepTrainingLog(
  scope: TenantScope,
  source: TrainingLogSource | undefined,
  job: { modelId: string; runId: string; jobName: string },
  log: Log,
): Promise<boolean> {
  if (!source) return false;
  if (!job.jobName.startsWith(`${scope.tenantId}-`)) {
    log.warn("training log not kept: the job is not this tenant's", { tenantId: scope.tenantId, jobName: job.jobName });
    return false;
  }
  try {
    const text = await source.readJobLog(job.jobName, { maxBytes: TRAINING_LOG_MAX_BYTES });
    if (text === undefined) return false;
    await scope.objects.put(trainingLogKey(job.modelId, job.runId), text, 'text/plain; charset=utf-8');
    return true;
  } catch (error) {
    log.warn('training log not kept', { tenantId: scope.tenantId, jobName: job.jobName, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
