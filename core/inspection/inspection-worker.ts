import { InspectionJob, type WorkerAnswer } from './inspection-job';
import { runInspection } from './inspection-work';

/**
 * Entry of the isolated inspection process (core/adapters/inspection/child-process-inspector.ts
 * forks it): takes one job over IPC, answers once, exits. It has no
 * credentials and no store; the job's presigned URL is all it can reach.
 */
function answer(message: WorkerAnswer): void {
  process.send!(message, () => process.exit(0));
}

process.once('message', (message: unknown) => {
  const job = InspectionJob.safeParse(message);
  if (!job.success) {
    answer({ ok: false, failure: `malformed job: ${job.error.message}` });
    return;
  }
  runInspection(job.data).then(
    (result) => answer({ ok: true, result }),
    (error: unknown) => answer({ ok: false, failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});

// Every module is loaded: from here on, a crash is the file's doing, not the worker's start.
process.send!({ ready: true });
