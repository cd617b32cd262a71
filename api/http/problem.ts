import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import {
  Conflict,
  DependencyFailed,
  Forbidden,
  IdempotencyKeyReused,
  IllegalTransition,
  type InvalidField,
  NotFound,
  PayloadTooLarge,
  QuotaExceeded,
  RateLimited,
  StaleWrite,
  StewardError,
  Unauthenticated,
  ValidationFailed,
} from '../../core/errors';

/** RFC 9457 problem details, the one error shape of the API. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:steward:problem:validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string(),
    invalidFields: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof ProblemSchema>;

const STATUS_OF: ReadonlyArray<[new (...args: never[]) => StewardError, ContentfulStatusCode, string]> = [
  [ValidationFailed, 400, 'Invalid request'],
  [Unauthenticated, 401, 'Authentication required'],
  [Forbidden, 403, 'Forbidden'],
  [NotFound, 404, 'Not found'],
  [Conflict, 409, 'Conflict'],
  [IllegalTransition, 409, 'Illegal status transition'],
  [StaleWrite, 412, 'Precondition failed'],
  [IdempotencyKeyReused, 422, 'Idempotency key reused'],
  [PayloadTooLarge, 413, 'Payload too large'],
  [QuotaExceeded, 429, 'Quota exceeded'],
  [RateLimited, 429, 'Too many requests'],
  [DependencyFailed, 503, 'Dependency unavailable'],
];

export function problemType(code: string): string {
  return `urn:steward:problem:${code}`;
}

/**
 * Maps any thrown value to a problem response. Domain errors keep their message;
 * anything unexpected becomes a bare 500 whose detail names only the request id,
 * so no stack trace or internal message ever reaches a client.
 */
export function problemFromError(error: unknown, requestId: string): { problem: Problem; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (error instanceof StewardError) {
    const match = STATUS_OF.find(([type]) => error instanceof type);
    const [, status, title] = match ?? [undefined, 500, 'Internal error'];
    const problem: Problem = { type: problemType(error.code), title, status, detail: error.message, requestId };
    if (error instanceof ValidationFailed && error.fields.length) problem.invalidFields = [...error.fields];
    if (error instanceof RateLimited) headers['retry-after'] = String(error.retryAfterSeconds);
    if (error instanceof Unauthenticated) headers['www-authenticate'] = 'Bearer';
    if (error instanceof DependencyFailed) problem.detail = `${error.message} (request ${requestId})`;
    return { problem, headers };
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    // hono raises 400 for malformed JSON bodies and 401/413 from its own middleware.
    const code = status === 400 ? 'malformed-request' : status === 413 ? 'payload-too-large' : `http-${status}`;
    const detail = status === 400 ? 'the request body is not valid JSON' : error.message || undefined;
    const problem: Problem = { type: problemType(code), title: status === 400 ? 'Malformed request' : 'Request refused', status, detail, requestId };
    if (status === 400) problem.invalidFields = [{ field: 'body', problem: 'malformed JSON' }];
    return { problem, headers };
  }
  return {
    problem: {
      type: problemType('internal'),
      title: 'Internal error',
      status: 500,
      detail: `an unexpected error occurred; quote request id ${requestId}`,
      requestId,
    },
    headers,
  };
}

export function respondProblem(c: Context, problem: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, { ...headers, 'content-type': 'application/problem+json' });
}

/** Converts zod issues into named invalid fields, prefixed by where the value came from. */
export function invalidFieldsOf(target: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): InvalidField[] {
  const where = target === 'json' ? 'body' : target;
  return issues.map((issue) => ({
    field: [where, ...issue.path.map((p) => String(p))].join('.'),
    problem: issue.message,
  }));
}
