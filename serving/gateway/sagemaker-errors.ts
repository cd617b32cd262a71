import type { Prediction } from '../runtimes/tabular-model';

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

/** One InvokeEndpoint answer, independent of the transport that carries it (HTTP, or in process). */
export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** A model's JSON predictions as values, when its runtime gave them (InvocationResult.predictions): for a caller in this process. */
  readonly predictions?: readonly Prediction[];
}

const utf8 = new TextEncoder();

export function sagemakerError(type: SageMakerErrorType, message: string, requestId: string, model?: ModelErrorDetails): GatewayAnswer {
  const body: Record<string, unknown> = { Message: message };
  if (model) {
    body.ErrorCode = model.originalStatusCode >= 500 ? 'INTERNAL_FAILURE_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL';
    body.OriginalStatusCode = model.originalStatusCode;
    body.OriginalMessage = model.originalMessage;
    body.LogStreamArn = model.logStreamArn;
  }
  return {
    status: STATUS[type],
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker/`,
      'x-amzn-RequestId': requestId,
    },
    body: utf8.encode(JSON.stringify(body)),
  };
}

export function sagemakerErrorResponse(type: SageMakerErrorType, message: string, requestId: string, model?: ModelErrorDetails): Response {
  return answerResponse(sagemakerError(type, message, requestId, model));
}

/** The answer as a fetch Response (the hono route). */
export function answerResponse(answer: GatewayAnswer): Response {
  // slice(): a copy typed as ArrayBuffer-backed, which Response requires.
  return new Response(answer.body.slice(), { status: answer.status, headers: answer.headers });
}

/** SageMaker's wording for a model's non-2xx answer, pointing at where its logs are. */
export function modelErrorMessage(originalStatusCode: number, originalMessage: string, endpointName: string, accountId: string): string {
  const side = originalStatusCode >= 500 ? 'server' : 'client';
  return (
    `Received ${side} error (${originalStatusCode}) from primary with message "${originalMessage}". ` +
    `See the scoring gateway log (log group /aws/sagemaker/Endpoints/${endpointName}) in account ${accountId} for more information.`
  );
}
