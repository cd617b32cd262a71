import { z } from '@hono/zod-openapi';
import { EXECUTION_STATUSES } from '../../core/pipelines/execution-log';
import { PageQuery } from './common';

/**
 * Execution ids as the API shows them: the local runner's lower-case ULID, or
 * the execution name on AWS (never the ARN, which is not URL-safe).
 */
export const EXECUTION_ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_-]{0,79}$/;

export const ExecutionParam = z.object({
  executionId: z
    .string()
    .regex(EXECUTION_ID_PATTERN, 'not an execution id')
    .openapi({ param: { name: 'executionId', in: 'path' } }),
});

export const StartExecutionQuery = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/, 'use 1–80 letters, digits, hyphens or underscores')
    .optional()
    .openapi({
      description:
        'the run’s name, unique per tenant and pipeline: a name this tenant already used for this pipeline is a 409 (other tenants’ names do not matter); use the Idempotency-Key header to retry safely',
    }),
});

export const ListExecutionsQuery = PageQuery.extend({
  pipeline: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional()
    .openapi({ description: 'only executions of this pipeline' }),
  status: z.enum(EXECUTION_STATUSES).optional().openapi({ description: 'only executions in this status' }),
});

export const ExecutionDetailQuery = z.object({
  cursor: z.string().max(2048).optional().openapi({ description: 'the `transitionsCursor` of the previous reply, for executions with many transitions' }),
});

export const ExecutionStartedOut = z
  .object({
    executionId: z.string(),
    pipeline: z.string(),
    status: z.literal('RUNNING'),
    startedAt: z.string(),
    location: z.string().openapi({ description: 'where to follow its progress' }),
  })
  .openapi('ExecutionStarted');

export const ExecutionSummaryOut = z
  .object({
    executionId: z.string(),
    pipeline: z.string(),
    name: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    actor: z.string(),
    startedAt: z.string(),
    stoppedAt: z.string().optional(),
    durationMs: z.number().int().optional(),
    currentState: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
  })
  .openapi('ExecutionSummary');

export const StateProgressOut = z
  .object({
    name: z.string(),
    type: z.string().optional(),
    index: z.number().int().optional(),
    status: z.enum(['running', 'succeeded', 'failed', 'caught', 'stopped']),
    enteredAt: z.string(),
    exitedAt: z.string().optional(),
    durationMs: z.number().int().optional(),
    attempts: z.number().int(),
    error: z.string().optional(),
    cause: z.string().optional(),
  })
  .openapi('StateProgress');

export const TransitionOut = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.string(),
    state: z.string().optional(),
    stateType: z.string().optional(),
    durationMs: z.number().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    attempt: z.number().int().optional(),
    index: z.number().int().optional(),
  })
  .openapi('ExecutionTransition');

export const ExecutionOut = ExecutionSummaryOut.extend({
  input: z.unknown().openapi({ description: 'the input as started (without the runner’s context), or a truncated preview' }),
  output: z.unknown().optional(),
  states: z.array(StateProgressOut).openapi({ description: 'progress: one entry per state visit, in order' }),
  transitions: z.array(TransitionOut).openapi({ description: 'every recorded transition, in order' }),
  transitionsCursor: z.string().optional(),
}).openapi('Execution');
