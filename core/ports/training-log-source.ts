/**
 * Where a finished training job's log (its stdout and stderr) is read from,
 * by job name, so the pipeline can keep it in the run's folder and
 * `GET /executions/{id}/logs` answers the same in both places:
 * - AWS: CloudWatch Logs, group `/aws/sagemaker/TrainingJobs`, streams
 *   `<job name>/algo-1-<epoch>` (core/adapters/cloudwatch/cloudwatch-training-logs.ts);
 * - locally: what the training-job stand-in kept of its child process
 *   (state-machines/local-training-logs.ts).
 *
 * The text is the log as a person reads it: lines in the order they were
 * written, the newest `maxBytes` kept; when older lines were left out the text
 * starts with a `[steward: …]` line saying so.
 */
export interface TrainingLogSource {
  /** The job's log; undefined when it left none (never started, or nothing written yet). */
  readJobLog(jobName: string, options: { maxBytes: number }): Promise<string | undefined>;
}

/** Log bytes kept per run, in both places (the local runner keeps the same tail). @default 5 MiB */
export const TRAINING_LOG_MAX_BYTES = 5 * 1024 * 1024;

/** The first line of a log whose older part was left out. */
export function truncationNotice(droppedBytes: number | undefined, maxBytes: number): string {
  return droppedBytes === undefined
    ? `[steward: the older part of the log was left out to keep it under ${maxBytes} bytes]\n`
    : `[steward: the first ${droppedBytes} bytes of the log were dropped to keep it under ${maxBytes} bytes]\n`;
}
