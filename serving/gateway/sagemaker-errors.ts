/**
 * Errors in the wire shape of the SageMaker runtime (AWS restJson1): status,
 * `x-amzn-ErrorType` naming the error, and a JSON body whose members the SDK
 * copies onto its typed exception (`ValidationError`, `ModelError`, …).
 */
export type SageMakerErrorType = 'ValidationError' | 'ModelError' | 'ModelNotReadyException' | 'ServiceUnavailable' | 'InternalFailure';

const STATUS: Readonly<Record<SageMakerErrorType, number>> = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  ServiceUnavailable: 503,
  InternalFailure: 500,
};

export interface ModelErrorDetails {
  readonly originalStatusCode: number;
  readonly originalMessage: string;
  readonly logStreamArn: string;
}

export function sagemakerErrorResponse(type: SageMakerErrorType, message: string, requestId: string, model?: ModelErrorDetails): Response {
  const body: Record<string, unknown> = { Message: message };
  if (model) {
    body.ErrorCode = model.originalStatusCode >= 500 ? 'INTERNAL_FAILURE_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL';
    body.OriginalStatusCode = model.originalStatusCode;
    body.OriginalMessage = model.originalMessage;
    body.LogStreamArn = model.logStreamArn;
  }
  return new Response(JSON.stringify(body), {
    status: STATUS[type],
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker/`,
      'x-amzn-RequestId': requestId,
    },
  });
}

/** SageMaker's wording for a model's non-2xx answer, pointing at where its logs are. */
export function modelErrorMessage(originalStatusCode: number, originalMessage: string, endpointName: string, accountId: string): string {
  const side = originalStatusCode >= 500 ? 'server' : 'client';
  return (
    `Received ${side} error (${originalStatusCode}) from primary with message "${originalMessage}". ` +
    `See the scoring gateway log (log group /aws/sagemaker/Endpoints/${endpointName}) in account ${accountId} for more information.`
  );
}
