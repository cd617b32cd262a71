/**
 * Starts and inspects pipeline executions. On AWS: Step Functions
 * (core/adapters/sfn/step-functions-runner.ts); locally: aws-local-stepfunctions
 * running the same ASL (state-machines/local-runner.ts). Both record executions
 * and their transitions through the same ExecutionLog.
 */
export interface StartExecutionRequest {
  readonly tenantId: string;
  /** Pipeline name = ASL file name without `.asl.json`, e.g. `train-evaluate`. */
  readonly pipeline: string;
  readonly input: Record<string, unknown>;
  /** Who started it (user id, token id, or `system:<scheduler>`). */
  readonly actor: string;
  /**
   * The caller's name for the run, unique per tenant and pipeline: the same
   * name starts at most one execution (the second start returns the first,
   * marked `existing`). Never the Step Functions execution name, which is the
   * platform's execution id so that two tenants can use one name.
   */
  readonly name?: string;
}

export interface StartedExecution {
  readonly executionId: string;
  readonly startedAt: string;
  /** Set when `name` had already started an execution: this is that one, nothing new started. */
  readonly existing?: true;
}

export interface PipelineRunner {
  readonly kind: 'step-functions' | 'local';
  /** Pipelines this runner can start. */
  pipelines(): readonly string[];
  start(request: StartExecutionRequest): Promise<StartedExecution>;
}
