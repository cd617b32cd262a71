export interface PipelineFailure {
  readonly error: string;
  readonly cause: string;
}

const MAX_CAUSE_LENGTH = 2000;

/**
 * What a Catch hands over (`{ Error, Cause }`) as a person should read it. On
 * AWS a Lambda error's Cause is the runtime's JSON (`{"errorType",
 * "errorMessage","trace"}`); locally it is the message. Both become the message.
 * A failed `.sync` job's Cause is the job's description: its FailureReason,
 * prefixed with the job's name, is what a person needs.
 */
export function describeFailure(caught: { Error?: unknown; Cause?: unknown } | undefined): PipelineFailure {
  const error = typeof caught?.Error === 'string' && caught.Error.length > 0 ? caught.Error : 'States.Runtime';
  let cause = typeof caught?.Cause === 'string' ? caught.Cause : caught?.Cause === undefined ? '' : JSON.stringify(caught.Cause);
  if (cause.startsWith('{')) {
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown; FailureReason?: unknown; TransformJobName?: unknown; TrainingJobName?: unknown };
      if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
      else if (typeof parsed.FailureReason === 'string')
        cause =
          typeof parsed.TransformJobName === 'string'
            ? `transform job ${parsed.TransformJobName}: ${parsed.FailureReason}`
            : typeof parsed.TrainingJobName === 'string'
              ? `training job ${parsed.TrainingJobName}: ${parsed.FailureReason}`
              : parsed.FailureReason;
    } catch {
      // Not JSON after all: keep the text as it is.
    }
  }
  if (cause === '') cause = `the pipeline failed with ${error}`;
  return { error, cause: cause.length > MAX_CAUSE_LENGTH ? `${cause.slice(0, MAX_CAUSE_LENGTH - 1)}…` : cause };
}
