import { DescribeStateMachineCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import { Conflict, DependencyFailed, NotFound, ValidationFailed } from '../../errors';
import { type ExecutionRecord, findExecutionByName, recordExecutionStarted, recordExecutionStopped } from '../../pipelines/execution-log';
import { rememberExecutionTenant } from '../../pipelines/execution-tenants';
import type { HealthProbe } from '../../ports/health-probe';
import type { MetadataTable } from '../../ports/metadata-store';
import type { PipelineRunner, StartExecutionRequest, StartedExecution } from '../../ports/pipeline-runner';
import { assertTenantId } from '../../storage/keys';

/** Where the runner records what it starts (the platform's tables), given late because the platform is built around the runner. */
export interface ExecutionRecordTables {
  tenantTable(tenantId: string): MetadataTable;
  platformTable(): MetadataTable;
  now(): Date;
}

/** Execution names as Step Functions accepts them (and safe as key segments). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * PipelineRunner on AWS: StartExecution on the state machine the CDK stack
 * created from the same state-machines/<pipeline>.asl.json. The tenant and
 * actor travel in the input (`$.context`) so every step is tenant-bound.
 *
 * Like the local runner, it records the execution (RUNNING, in the tenant's
 * execution log) before starting it, and the Step Functions execution is
 * named after the platform's execution id, never after the caller's name:
 * names are unique per state machine across all tenants there, while a
 * caller's `name` is unique only within its tenant (the log's name claim).
 * The execution id → tenant mapping in the control plane is what the
 * recorder (functions/execution-recorder/) trusts when Step Functions
 * reports the execution's end.
 */
export class StepFunctionsRunner implements PipelineRunner {
  readonly kind = 'step-functions' as const;

  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachines: Record<string, string>,
    private readonly tables: () => ExecutionRecordTables,
  ) {}

  pipelines(): readonly string[] {
    return Object.keys(this.stateMachines);
  }

  async start(request: StartExecutionRequest): Promise<StartedExecution> {
    const arn = this.stateMachines[request.pipeline];
    if (!arn) throw new NotFound('pipeline', request.pipeline);
    const tenantId = assertTenantId(request.tenantId);
    if (!request.actor) throw new ValidationFailed('an execution needs an actor', [{ field: 'actor', problem: 'empty' }]);
    if (request.name !== undefined && !EXECUTION_NAME.test(request.name)) {
      throw new ValidationFailed('invalid execution name', [{ field: 'name', problem: 'use 1–80 letters, digits, hyphens or underscores' }]);
    }
    const tables = this.tables();
    const table = tables.tenantTable(tenantId);
    const existing = async () => {
      const found = request.name === undefined ? undefined : await findExecutionByName(table, request.pipeline, request.name);
      return found ? { executionId: found.executionId, startedAt: found.startedAt, existing: true as const } : undefined;
    };
    const earlier = await existing();
    if (earlier) return earlier;

    const executionId = ulid().toLowerCase();
    const startedAt = tables.now().toISOString();
    const input = { ...request.input, context: { tenantId, actor: request.actor, executionId } };
    await rememberExecutionTenant(tables.platformTable(), { executionId, tenantId, pipeline: request.pipeline, actor: request.actor });
    let record: ExecutionRecord;
    try {
      record = await recordExecutionStarted(table, {
        executionId,
        pipeline: request.pipeline,
        name: request.name ?? executionId,
        actor: request.actor,
        input,
        startedAt,
      });
    } catch (error) {
      const raced = error instanceof Conflict ? await existing() : undefined;
      if (raced) return raced;
      throw error;
    }
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: executionId, input: JSON.stringify(input) }));
    } catch (error) {
      const cause = `Step Functions did not start the execution: ${error instanceof Error ? error.message : String(error)}`;
      const at = tables.now().toISOString();
      await recordExecutionStopped(table, record, {
        status: 'FAILED',
        error: 'States.StartFailed',
        cause,
        event: { seq: 1, type: 'ExecutionFailed', at, error: 'States.StartFailed', cause },
      }).catch(() => undefined);
      throw new DependencyFailed(cause, { cause: error });
    }
    return { executionId, startedAt };
  }

  probe(): HealthProbe {
    return {
      name: 'state-machines',
      check: async () => {
        const arns = Object.values(this.stateMachines);
        if (arns.length === 0) throw new Error('no state machines configured (STEWARD_STATE_MACHINES)');
        await Promise.all(arns.map((arn) => this.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))));
        return `${arns.length} state machine(s)`;
      },
    };
  }
}
