/**
 * Domain errors. The domain throws these; only the HTTP edge (api/http/problem.ts)
 * maps them to status codes, so the rules never know about HTTP.
 */
export interface InvalidField {
  /** Dotted path of the offending field, e.g. `body.schema.inputs.0.type`. */
  readonly field: string;
  readonly problem: string;
}

export abstract class StewardError extends Error {
  /** Stable machine-readable code; becomes the problem `type` suffix. */
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends StewardError {
  readonly code = 'validation-failed';
  constructor(
    message: string,
    readonly fields: readonly InvalidField[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class NotFound extends StewardError {
  readonly code = 'not-found';
  constructor(
    readonly resource: string,
    readonly id?: string,
    options?: ErrorOptions,
  ) {
    super(id ? `${resource} '${id}' was not found` : `${resource} was not found`, options);
  }
}

export class Conflict extends StewardError {
  readonly code = 'conflict';
}

/** Optimistic-lock failure: the caller's view is stale and should re-read. */
export class StaleWrite extends StewardError {
  readonly code = 'stale-write';
}

export class IllegalTransition extends StewardError {
  readonly code = 'illegal-transition';
  constructor(
    readonly from: string,
    readonly to: string,
    readonly allowed: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`cannot move from '${from}' to '${to}'; allowed from '${from}': ${allowed.length ? allowed.join(', ') : 'none'}`, options);
  }
}

export class Unauthenticated extends StewardError {
  readonly code = 'unauthenticated';
}

export class Forbidden extends StewardError {
  readonly code = 'forbidden';
}

export class QuotaExceeded extends StewardError {
  readonly code = 'quota-exceeded';
  constructor(
    readonly quota: string,
    readonly limit: number,
    options?: ErrorOptions,
  ) {
    super(`quota '${quota}' of ${limit} reached for this tenant's plan`, options);
  }
}

export class RateLimited extends StewardError {
  readonly code = 'rate-limited';
  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`request rate limit reached; retry after ${retryAfterSeconds}s`, options);
  }
}

export class PayloadTooLarge extends StewardError {
  readonly code = 'payload-too-large';
}

/** A dependency (store, runner, gateway) failed; not the client's fault. */
export class DependencyFailed extends StewardError {
  readonly code = 'dependency-failed';
}

/** An `Idempotency-Key` already used for a different request (another body, path or caller). */
export class IdempotencyKeyReused extends StewardError {
  readonly code = 'idempotency-key-reused';
}
