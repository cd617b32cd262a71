import { z } from 'zod';
import { ValidationFailed } from '../errors';
import type { Platform } from '../platform/platform';
import { TENANT_ID_PATTERN } from '../storage/keys';
import { pipelineScope, type TenantScope } from '../tenancy/tenant-scope';

/**
 * What every pipeline step receives besides its own input: the tenant and the
 * actor the execution runs for. The runner puts it in the execution input
 * (`$.context`) and the state machine hands it to every Task state, so a step
 * never decides on its own which tenant it works for.
 */
export const pipelineContextSchema = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN, 'not a tenant id'),
  actor: z.string().min(1).max(200),
  /** `$$.Execution.Id`: an execution ARN on AWS, the local runner's id locally. */
  executionId: z.string().min(1).max(2048).optional(),
});

export type PipelineContext = z.infer<typeof pipelineContextSchema>;

export interface StepContext extends PipelineContext {
  /** Aborted when the local runner shuts down; long steps check it between units of work. */
  readonly signal?: AbortSignal;
}

/**
 * A short, storage-safe id for one execution's outputs (artifact folder,
 * version idempotency key): the execution name, i.e. the last `:` segment of
 * the execution ARN on AWS, the local execution id locally.
 */
export function runIdOf(executionId: string): string {
  const name = executionId.slice(executionId.lastIndexOf(':') + 1);
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return safe.length > 0 ? safe : 'run';
}

/**
 * The catalog scope a step acts in: the execution's tenant, as the pipeline
 * principal `pipeline:<run id>` (core/tenancy/tenant-scope.ts `pipelineScope`),
 * with the tenant's plan quotas. `executionId` is the run id used in the
 * version's lineage, the audit trail and the run's storage folder.
 */
export async function stepScope(platform: Platform, ctx: PipelineContext): Promise<{ scope: TenantScope; executionId: string }> {
  if (!ctx.executionId) {
    throw new ValidationFailed('a pipeline step acting on the catalog needs context.executionId ($$.Execution.Id)', [
      { field: 'context.executionId', problem: 'missing' },
    ]);
  }
  const executionId = runIdOf(ctx.executionId);
  return { scope: await pipelineScope(platform, { tenantId: ctx.tenantId, actor: ctx.actor, executionId }), executionId };
}
