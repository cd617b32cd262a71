/**
 * Failures of a model while scoring. Each carries the HTTP status a serving
 * container returns for it; the gateway turns that into SageMaker's ModelError
 * (OriginalStatusCode, OriginalMessage), exactly as SageMaker does with a
 * container's non-2xx answer.
 */
export class ModelInvocationError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request body cannot be scored: malformed, wrong number of features, not numbers. */
export class InvalidModelInput extends ModelInvocationError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
  }
}

/** The request's Content-Type is not one the runtime reads. */
export class UnsupportedContentType extends ModelInvocationError {
  constructor(
    readonly contentType: string | undefined,
    readonly supported: readonly string[],
  ) {
    super(415, `content type '${contentType ?? '(none)'}' is not supported; send one of: ${supported.join(', ')}`);
  }
}

/** None of the types in the request's Accept is one the runtime writes. */
export class NotAcceptable extends ModelInvocationError {
  constructor(
    readonly accept: string,
    readonly supported: readonly string[],
  ) {
    super(406, `cannot answer in '${accept}'; accepted: ${supported.join(', ')}`);
  }
}

/** The request body is larger than a runtime reads (413, as SageMaker refuses bodies over 6 MB). */
export class PayloadTooLarge extends ModelInvocationError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(413, `the request body is ${size} bytes; the limit is ${limit} bytes (send larger inputs as a batch scoring job)`);
  }
}
