export interface PipelineFailure {
  readonly error: string;
  readonly cause: string;
}

const MAX_CAUSE_LENGTH = 2000;

/**
 * What a Catch hands over (`{ Error, Cause }`) as a person should read it. On
 * AWS a Lambda error's Cause is the runtime's JSON (`{"errorType",
 * "errorMessage","trace"}`); locally it is the message. Both become the message.
 */
export function describeFailure(caught: { Error?: unknown; Cause?: unknown } | undefined): PipelineFailure {
  const error = typeof caught?.Error === 'string' && caught.Error.length > 0 ? caught.Error : 'States.Runtime';
  let cause = typeof caught?.Cause === 'string' ? caught.Cause : caught?.Cause === undefined ? '' : JSON.stringify(caught.Cause);
  if (cause.startsWith('{')) {
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
    } catch {
      // Not JSON after all: keep the text as it is.
    }
  }
  if (cause === '') cause = `the pipeline failed with ${error}`;
  return { error, cause: cause.length > MAX_CAUSE_LENGTH ? `${cause.slice(0, MAX_CAUSE_LENGTH - 1)}…` : cause };
}
