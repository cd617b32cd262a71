import { type InspectorAnswer, InspectorRequest } from './inspection-job';
import { refusalField, timeLimitProblem } from './inspection-limits';
import { runInspection } from './inspection-work';

/**
 * The inspector function's work on AWS (functions/inspector/handler.ts): one
 * job in, one answer out, no Lambda types. It runs the same inspection as the
 * local worker (inspection-work.ts) with the same element and decode caps;
 * the function it runs in has its own memory and timeout and a role that can
 * read nothing, so the job's presigned URL is all it can reach.
 *
 * The job's wall clock is raced here; a file that blocks the event loop in
 * native code (an endless ONNX Loop) is ended by the function's timeout
 * instead, and the API (lambda-inspector.ts) names the same limit.
 */
export async function answerInspection(event: unknown): Promise<InspectorAnswer> {
  const request = InspectorRequest.safeParse(event);
  if (!request.success) return { outcome: 'failed', failure: `malformed request: ${request.error.message}` };
  const { job, timeoutMs } = request.data;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InspectorAnswer>((resolve) => {
    timer = setTimeout(() => {
      const problem = timeLimitProblem({ timeoutMs });
      resolve({ outcome: 'refused', refusal: { message: `refused: ${problem}`, fields: [{ field: refusalField(job.kind), problem }] } });
    }, timeoutMs);
  });
  const inspected = runInspection(job).then(
    (result): InspectorAnswer => ({ outcome: 'inspected', result }),
    (error: unknown): InspectorAnswer => ({ outcome: 'failed', failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
  try {
    return await Promise.race([inspected, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
