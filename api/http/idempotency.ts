import type { Context, MiddlewareHandler, Next } from 'hono';
import { Conflict, IdempotencyKeyReused, ValidationFailed } from '../../core/errors';
import { claimKey, completeKey, peekKey, releaseKey, requestFingerprint } from '../../core/idempotency/idempotency-records';
import type { TenantScope } from '../../core/tenancy/tenant-scope';
import type { ApiEnv } from './env';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer replayed from an earlier request with the same key. */
export const REPLAYED_HEADER = 'idempotent-replayed';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const KEY_DESCRIPTION =
  'Makes a retry safe: the first answer to this key (per tenant, kept 24 h) is returned again and nothing is created twice; the same key with another body is a 422';

/**
 * The header as the OpenAPI document describes it on every tenant POST (the
 * same parameter object the zod schema used to produce). Documentation only:
 * the middleware below checks the key itself, and a zod header validator
 * could never refuse an optional string, yet it copied every request header
 * into an object and parsed it on every POST (~2 % of the scoring route's CPU).
 */
export const IdempotencyParameter = {
  schema: { type: 'string', description: KEY_DESCRIPTION, example: 'ci-build-4711-register' },
  required: false,
  description: KEY_DESCRIPTION,
  name: IDEMPOTENCY_HEADER,
  in: 'header',
} as const;
/** Headers of the first answer that a replay repeats. */
const KEPT_HEADERS = ['content-type', 'location'];
/** Largest answer kept for replay (the record must stay well under the store's item limit). */
const MAX_KEPT_BODY = 256 * 1024;

/**
 * `Idempotency-Key` for tenant POSTs, added to every one by the route factory
 * (api/http/guards.ts), so no creating route can go without it. The first
 * request with a key claims it (a conditional write) and runs; its 2xx
 * answer is kept for a day and returned to every retry, which creates
 * nothing. A request with the same key but another body, path or caller is a
 * 422. A duplicate arriving while the first still runs waits for its answer
 * (up to `waitMs`, then 409). An answer that is not a success frees the key.
 */
export function idempotency(options: { now: () => Date; waitMs?: number; pollMs?: number }): MiddlewareHandler<ApiEnv> {
  const waitMs = options.waitMs ?? 15_000;
  const pollMs = options.pollMs ?? 50;
  const keyed = async (c: Context<ApiEnv>, next: Next, key: string): Promise<void | Response> => {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationFailed('the Idempotency-Key header must be 1–255 visible ASCII characters', [
        { field: 'header.idempotency-key', problem: 'malformed' },
      ]);
    }
    const scope: TenantScope = c.get('scope');
    const url = new URL(c.req.url);
    // Read once here; hono caches the text, so the body validator after this reads the same bytes.
    const body = await c.req.text();
    const fingerprint = requestFingerprint({ actor: scope.meta.actor, method: c.req.method, url: `${url.pathname}${url.search}`, body });
    const deadline = Date.now() + waitMs;
    let pause = pollMs;
    let claim = await claimKey(scope.table, key, fingerprint, scope.meta.actor, options.now());
    // A duplicate of a request still running waits for its answer, reading only (with back-off), and claims the key itself if the first one freed it.
    while (claim.kind === 'in-progress') {
      if (Date.now() > deadline) throw new Conflict('a request with this Idempotency-Key is still being processed; retry later');
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 500);
      const seen = await peekKey(scope.table, key, fingerprint);
      claim = seen.kind === 'absent' ? await claimKey(scope.table, key, fingerprint, scope.meta.actor, options.now()) : seen;
    }
    if (claim.kind === 'mismatch')
      throw new IdempotencyKeyReused('this Idempotency-Key was used for a different request (body, path or caller); use a new key for a new request');
    if (claim.kind === 'replay') {
      return c.body(claim.answer.body, claim.answer.status as 200, { ...claim.answer.headers, [REPLAYED_HEADER]: 'true' });
    }
    let kept = false;
    try {
      await next();
      const status = c.res.status;
      if (status >= 200 && status < 300) {
        const text = await c.res.clone().text();
        if (text.length <= MAX_KEPT_BODY) {
          const headers = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (c.res.headers.get(h) ? [[h, c.res.headers.get(h)!]] : [])));
          await completeKey(scope.table, key, { status, body: text, headers });
          kept = true;
        }
      }
    } finally {
      if (!kept) await releaseKey(scope.table, key, claim.revision);
    }
    return;
  };
  // Not itself async: a POST without a key (every scoring call, as a rule) goes straight on, without a promise of its own that next()'s would resolve.
  return (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    return key === undefined ? next() : keyed(c, next, key);
  };
}
