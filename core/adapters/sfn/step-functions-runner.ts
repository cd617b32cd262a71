import { DescribeStateMachineCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { NotFound } from '../../errors';
import type { HealthProbe } from '../../ports/health-probe';
import type { PipelineRunner, StartExecutionRequest, StartedExecution } from '../../ports/pipeline-runner';

/**
 * PipelineRunner on AWS: StartExecution on the state machine the CDK stack
 * created from the same state-machines/<pipeline>.asl.json. The tenant and
 * actor travel in the input (`$.context`) so every step is tenant-bound.
 */
export class StepFunctionsRunner implements PipelineRunner {
  readonly kind = 'step-functions' as const;

  constructor(private readonly sfn: SFNClient, private readonly stateMachines: Record<string, string>) {}

  pipelines(): readonly string[] {
    return Object.keys(this.stateMachines);
  }

  async start(request: StartExecutionRequest): Promise<StartedExecution> {
    const arn = this.stateMachines[request.pipeline];
    if (!arn) throw new NotFound('pipeline', request.pipeline);
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: arn,
        name: request.name,
        input: JSON.stringify({ ...request.input, context: { tenantId: request.tenantId, actor: request.actor } }),
      }),
    );
    return { executionId: out.executionArn!, startedAt: (out.startDate ?? new Date()).toISOString() };
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
