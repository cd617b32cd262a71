import { type TrainingLogSource, truncationNotice } from '../core/ports/training-log-source';

/** Jobs whose logs are held at once; the oldest goes first (a run copies its job's log minutes after the job ends). */
const MAX_JOBS = 64;

/**
 * CloudWatch Logs' part in local training (`/aws/sagemaker/TrainingJobs`):
 * the training-job stand-in (local-training-jobs.ts) keeps each child
 * process's log here under the job's name, and the pipeline reads it back
 * through the TrainingLogSource port to keep it in the run's folder, as it
 * copies a SageMaker job's log from CloudWatch on AWS. In memory, for the
 * life of the process, the last 64 jobs.
 */
export class LocalTrainingLogs implements TrainingLogSource {
  private readonly logs = new Map<string, string>();

  /** What the job wrote (stdout and stderr, as the runner kept them). */
  keep(jobName: string, log: string): void {
    this.logs.delete(jobName);
    this.logs.set(jobName, log);
    while (this.logs.size > MAX_JOBS) this.logs.delete(this.logs.keys().next().value!);
  }

  async readJobLog(jobName: string, options: { maxBytes: number }): Promise<string | undefined> {
    const log = this.logs.get(jobName);
    if (log === undefined) return undefined;
    const bytes = Buffer.from(log);
    if (bytes.byteLength <= options.maxBytes) return log;
    return truncationNotice(bytes.byteLength - options.maxBytes, options.maxBytes) + bytes.subarray(bytes.byteLength - options.maxBytes).toString('utf8');
  }
}
