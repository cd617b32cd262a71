import { z } from 'zod';
import { readSettings } from '../../core/config/settings';
import { executionTenantOf } from '../../core/pipelines/execution-tenants';
import { type AbandonCause, type AbandonedRun, type SettleOutcome, settleAbandonedRun } from '../../core/pipelines/abandoned-runs';
import { applyExecutionStatusChange, type StatusChangeOutcome } from '../../core/pipelines/execution-status-change';
import type { Platform } from '../../core/platform/platform';
import { isTenantId } from '../../core/storage/keys';
import { awsPlatform } from '../shared/aws-platform';

/**
 * Writes execution records on AWS from Step Functions' "Execution Status
 * Change" events (EventBridge rule in infra/aws/constructs/execution-recording.ts),
 * through the execution log the local runner writes, so
 * `GET /executions/{id}` answers the same in both places.
 *
 * The tenant comes from the control-plane mapping the platform stored when
 * it started the execution (core/pipelines/execution-tenants.ts); only an
 * execution started without the API (EventBridge Scheduler's batch runs,
 * whose input the platform wrote into the schedule) falls back to the
 * input's `context`. Nothing else in the event names a tenant.
 */
export const ExecutionStatusChangeEventSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    startDate: z.number(),
    stopDate: z.number().nullish(),
    input: z.string().nullish(),
    output: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});
export type ExecutionStatusChangeEvent = z.infer<typeof ExecutionStatusChangeEventSchema>;

export type RecorderOutcome = StatusChangeOutcome | 'ignored';
/** What the recorder needs of the platform: the tables and the log. */
export type RecorderPlatform = Pick<Platform, 'log' | 'tenantTable' | 'platformTable'>;
/** Fails the subject of a run that ended without its failure path (core/pipelines/abandoned-runs.ts). */
export type AbandonedRunSettler = (run: AbandonedRun) => Promise<SettleOutcome>;

/** Step Functions statuses whose execution ended without its Catch → Record*Failure path. */
const ABANDONED: Readonly<Record<string, AbandonCause>> = { TIMED_OUT: 'timed out', ABORTED: 'aborted' };

/** An execution that failed with States.Runtime never ran its Catch either: no Retry or Catch handles that error. */
function abandonCauseOfEvent(detail: { status: string; error?: string | null }): AbandonCause | undefined {
  if (detail.status === 'FAILED' && detail.error === 'States.Runtime') return 'runtime error';
  return ABANDONED[detail.status];
}

const EXECUTION_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ContextSchema = z.object({ context: z.object({ tenantId: z.string().refine(isTenantId), actor: z.string().min(1).max(200) }) });

/**
 * Records one event for a platform whose state machines are `stateMachines`
 * (pipeline → ARN, as in STEWARD_STATE_MACHINES). Events that are not about
 * one of them (a Distributed Map's child executions, another application's
 * machines) or whose tenant cannot be established are logged and ignored:
 * delivering them again would not change the answer.
 */
export async function recordStatusChange(
  platform: RecorderPlatform,
  stateMachines: Readonly<Record<string, string>>,
  raw: unknown,
  settle?: AbandonedRunSettler,
): Promise<RecorderOutcome> {
  const parsed = ExecutionStatusChangeEventSchema.safeParse(raw);
  if (!parsed.success) {
    platform.log.warn('not a Step Functions execution status change; ignored', { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    return 'ignored';
  }
  const { detail } = parsed.data;
  const pipeline = Object.keys(stateMachines).find((name) => stateMachines[name] === detail.stateMachineArn);
  if (!pipeline || !EXECUTION_ID.test(detail.name) || !detail.executionArn.endsWith(`:${detail.name}`)) {
    platform.log.info('status change of an execution that is not a Steward pipeline run; ignored', { executionArn: detail.executionArn });
    return 'ignored';
  }
  const executionId = detail.name;
  const input = parseJson(detail.input);
  const owner = await ownerOf(platform, executionId, pipeline, input);
  if (!owner) {
    platform.log.warn('execution with no known tenant; not recorded', { executionArn: detail.executionArn });
    return 'ignored';
  }
  const outcome = await applyExecutionStatusChange(platform.tenantTable(owner.tenantId), {
    executionId,
    pipeline,
    status: detail.status,
    actor: owner.actor,
    input: isRecord(input) ? input : {},
    startedAt: new Date(detail.startDate).toISOString(),
    ...(detail.stopDate ? { stoppedAt: new Date(detail.stopDate).toISOString() } : {}),
    ...(detail.output != null ? { output: parseJson(detail.output) } : {}),
    ...(detail.error != null ? { error: detail.error } : {}),
    ...(detail.cause != null ? { cause: detail.cause } : {}),
  });
  platform.log.info('execution status recorded', { tenantId: owner.tenantId, executionId, status: detail.status, outcome });
  // On every delivery, not only the first: settling is idempotent, and a failure here throws so EventBridge delivers again.
  const abandoned = abandonCauseOfEvent(detail);
  if (settle && abandoned) {
    const settled = await settle({
      tenantId: owner.tenantId,
      pipeline,
      executionId,
      actor: owner.actor,
      input: isRecord(input) ? input : {},
      cause: abandoned,
      ...(detail.cause ? { detail: detail.cause.slice(0, 300) } : {}),
    });
    platform.log.info('subject of an abandoned run', { tenantId: owner.tenantId, executionId, status: detail.status, ...settled });
  }
  return outcome;
}

async function ownerOf(
  platform: RecorderPlatform,
  executionId: string,
  pipeline: string,
  input: unknown,
): Promise<{ tenantId: string; actor: string } | undefined> {
  const mapped = await executionTenantOf(platform.platformTable(), executionId);
  if (mapped) return mapped.pipeline === pipeline ? { tenantId: mapped.tenantId, actor: mapped.actor } : undefined;
  const context = ContextSchema.safeParse(input);
  return context.success ? context.data.context : undefined;
}

function parseJson(text: string | null | undefined): unknown {
  if (text == null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

let deployed: { platform: Platform; stateMachines: Readonly<Record<string, string>> } | undefined;

export const handler = async (event: unknown): Promise<RecorderOutcome> => {
  // Built once per container (cold start), like every function's platform.
  deployed ??= { platform: awsPlatform(), stateMachines: readSettings({ ...process.env, STEWARD_MODE: 'aws' }).STEWARD_STATE_MACHINES };
  const { platform } = deployed;
  return recordStatusChange(platform, deployed.stateMachines, event, (run) => settleAbandonedRun(platform, run));
};
