import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ulid } from 'ulid';
import { Conflict, DependencyFailed, NotFound, ValidationFailed } from '../core/errors';
import { type AbandonCause, abandonCauseOf, settleAbandonedRun } from '../core/pipelines/abandoned-runs';
import { type ExecutionRecord, findExecutionByName, getExecution, markExecutionInterrupted, recordExecutionStarted } from '../core/pipelines/execution-log';
import { clearRunning, listRunning, markRunning, type RunningExecution } from '../core/pipelines/running-executions';
import type { Platform } from '../core/platform/platform';
import type { HealthProbe } from '../core/ports/health-probe';
import type { Log } from '../core/ports/log';
import type { PipelineRunner, StartedExecution, StartExecutionRequest } from '../core/ports/pipeline-runner';
import { assertTenantId } from '../core/storage/keys';
import type { InvocableStep } from '../functions/pipeline-steps/define-step';
import { PIPELINE_STEPS } from '../functions/pipeline-steps/registry';
import { InProcessPartitionScorer } from '../serving/batch/in-process-partition-scorer';
import { errorText, ExecutionRecorder } from './execution-recorder';
import { type DefinitionFile, loadDefinitionFiles } from './lint';
import { LocalSageMakerIntegration } from './local-sagemaker-integration';
import { localTrainingCommand } from './local-training-commands';
import { LocalTrainingLogs } from './local-training-logs';
import { machinesOf, type SageMakerIntegration, sageMakerIntegrationOf, stepNameOfResource, withLocalResources } from './resource-convention';

export interface LocalStepFunctionsRunnerOptions {
  /** Folder of `*.asl.json` definitions. @default the state-machines/ folder this file is in */
  readonly definitionsDir?: string;
  /** The platform the steps run against; a function because the platform is assembled around this runner. */
  readonly platform: () => Platform;
  readonly log: Log;
}

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type EngineInput = Parameters<StateMachine['run']>[0];

interface CompiledPipeline {
  readonly machine: StateMachine;
  /** Task state name → the step its Resource names. */
  readonly tasks: ReadonlyMap<string, InvocableStep>;
  /** Task state name → the SageMaker service integration its Resource names (local-sagemaker-integration.ts answers it). */
  readonly integrations: ReadonlyMap<string, SageMakerIntegration>;
}

interface ActiveExecution {
  readonly tenantId: string;
  readonly done: Promise<ExecutionRecord>;
  readonly inFlight: Set<Promise<unknown>>;
  abort(): void;
}

/** Scores local batch transforms when the platform has no partition scorer of its own. */
const inProcessScorer = new InProcessPartitionScorer();

/** Execution names as Step Functions accepts them (and safe as key segments). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FINISHED_KEPT = 200;
const CLOSE_GRACE_MS = 10_000;
/** How long an aborted execution waits for its in-flight steps before settling its subject (within CLOSE_GRACE_MS). */
const IN_FLIGHT_GRACE_MS = 5_000;

class ExecutionAborted extends Error {
  constructor() {
    super('the execution was aborted');
    this.name = 'States.Aborted';
  }
}

/**
 * PipelineRunner on one machine: aws-local-stepfunctions runs the same ASL as
 * Step Functions, each Task state bound by name to the step module its
 * `${…FunctionArn}` names, called in process, or, for a SageMaker service
 * integration (`arn:aws:states:::sagemaker:…`), to the local integration that
 * drives the scoring gateway. Executions run in the
 * background; every transition is written to the tenant's execution log as it
 * happens, and a control-plane index of running executions lets the next
 * start-up mark those a killed process left behind as interrupted.
 */
export class LocalStepFunctionsRunner implements PipelineRunner {
  readonly kind = 'local' as const;
  private readonly definitionsDir: string;
  private readonly files: readonly DefinitionFile[];
  private readonly compiled = new Map<string, CompiledPipeline>();
  private readonly active = new Map<string, ActiveExecution>();
  private readonly finished = new Map<string, ExecutionRecord>();
  private readonly owner = `pid ${process.pid}/${randomUUID().slice(0, 8)}`;
  private closing = false;
  /** One per runner: SageMaker models and configs outlive the execution that created them, as on AWS. */
  private readonly sagemaker: LocalSageMakerIntegration;
  /** CloudWatch's part for the local training jobs: the platform reads a finished job's log from here (Platform.trainingLogs). */
  readonly trainingLogs = new LocalTrainingLogs();

  constructor(private readonly options: LocalStepFunctionsRunnerOptions) {
    this.definitionsDir = options.definitionsDir ?? __dirname;
    this.files = loadDefinitionFiles(this.definitionsDir);
    this.sagemaker = new LocalSageMakerIntegration(
      () => options.platform().serving.control,
      // batch-score's transforms run on the platform's batch engine (locally a worker pool), writing to the S3 emulator.
      () => {
        const platform = options.platform();
        return {
          objects: (tenantId) => platform.tenantObjects(tenantId),
          scorer: platform.batchScoring ?? inProcessScorer,
          bucket: platform.settings.STEWARD_BUCKET_NAME,
        };
      },
      // train-evaluate's training containers run as child processes of this machine (templates/<name>/).
      () => {
        const platform = options.platform();
        return {
          objects: (tenantId) => platform.tenantObjects(tenantId),
          bucket: platform.settings.STEWARD_BUCKET_NAME,
          commandOf: (image) => localTrainingCommand(image, platform.settings),
          logs: this.trainingLogs,
        };
      },
    );
    for (const file of this.files) {
      if (!file.definition || file.findings.length > 0) {
        options.log.error('pipeline definition rejected by the lint; it cannot be started', { pipeline: file.pipeline, findings: file.findings });
        continue;
      }
      const tasks = new Map<string, InvocableStep>();
      const integrations = new Map<string, SageMakerIntegration>();
      for (const { states } of machinesOf(file.definition)) {
        for (const { name, state } of states) {
          if (state.Type !== 'Task') continue;
          const step = stepNameOfResource(state.Resource);
          if (step) tasks.set(name, PIPELINE_STEPS[step]);
          const integration = sageMakerIntegrationOf(state.Resource);
          if (integration) integrations.set(name, integration);
        }
      }
      const machine = new StateMachine(withLocalResources(file.definition) as unknown as StateMachineDefinition, {
        validationOptions: { checkArn: true, checkPaths: true },
      });
      this.compiled.set(file.pipeline, { machine, tasks, integrations });
    }
  }

  pipelines(): readonly string[] {
    return [...this.compiled.keys()];
  }

  /** The document this runner executes for a pipeline: the ASL file with Task resources bound locally. */
  definitionOf(pipeline: string): unknown {
    const file = this.files.find((f) => f.pipeline === pipeline);
    return file?.definition ? withLocalResources(file.definition) : undefined;
  }

  async start(request: StartExecutionRequest): Promise<StartedExecution> {
    if (this.closing) throw new DependencyFailed('the local pipeline runner is shutting down');
    const pipeline = this.compiled.get(request.pipeline);
    if (!pipeline) {
      if (this.files.some((f) => f.pipeline === request.pipeline))
        throw new DependencyFailed(`pipeline '${request.pipeline}' has lint findings and cannot run; see the state-machines health check`);
      throw new NotFound('pipeline', request.pipeline);
    }
    const tenantId = assertTenantId(request.tenantId);
    if (!request.actor) throw new ValidationFailed('an execution needs an actor', [{ field: 'actor', problem: 'empty' }]);
    if (request.name !== undefined && !EXECUTION_NAME.test(request.name)) {
      throw new ValidationFailed('invalid execution name', [{ field: 'name', problem: 'use 1–80 letters, digits, hyphens or underscores' }]);
    }
    const platform = this.options.platform();
    const table = platform.tenantTable(tenantId);
    if (request.name !== undefined) {
      const existing = await findExecutionByName(table, request.pipeline, request.name);
      if (existing) return { executionId: existing.executionId, startedAt: existing.startedAt, existing: true };
    }
    // Lower-case, like catalog ids: URL-safe, and usable as the actor `pipeline:<executionId>` in audit filters.
    const executionId = ulid().toLowerCase();
    const name = request.name ?? executionId;
    const startedAt = platform.now().toISOString();
    // The caller's input cannot name the tenant: `context` is always the runner's.
    const input = { ...request.input, context: { tenantId, actor: request.actor, executionId } };
    const entry: RunningExecution = { tenantId, executionId, pipeline: request.pipeline, startedAt, owner: this.owner };
    await markRunning(platform.platformTable(), entry);
    let record: ExecutionRecord;
    try {
      record = await recordExecutionStarted(table, { executionId, pipeline: request.pipeline, name, actor: request.actor, input, startedAt });
    } catch (error) {
      await clearRunning(platform.platformTable(), entry).catch((e: unknown) =>
        this.options.log.error('could not clear a running-execution entry', { executionId, error: errorText(e) }),
      );
      if (error instanceof Conflict && request.name !== undefined) {
        const existing = await findExecutionByName(table, request.pipeline, request.name);
        if (existing) return { executionId: existing.executionId, startedAt: existing.startedAt, existing: true };
      }
      throw error;
    }
    this.launch(pipeline, platform, record, input, entry);
    this.options.log.info('pipeline execution started', { pipeline: request.pipeline, tenantId, executionId, actor: request.actor });
    return { executionId, startedAt };
  }

  private launch(pipeline: CompiledPipeline, platform: Platform, record: ExecutionRecord, input: Record<string, unknown>, entry: RunningExecution): void {
    const { log } = this.options;
    const controller = new AbortController();
    const inFlight = new Set<Promise<unknown>>();
    const handlers: TaskHandlers = {};
    const bind = (stateName: string, name: string, call: (taskInput: unknown) => Promise<unknown>) => {
      handlers[stateName] = (taskInput) => {
        // The interpreter retries a failed Task at once after an abort; a stopped execution runs no more steps.
        if (controller.signal.aborted) return Promise.reject(new ExecutionAborted());
        const running = call(taskInput).catch((error: unknown) => {
          throw this.asTaskFailure(name, record.executionId, error);
        });
        inFlight.add(running);
        running.finally(() => inFlight.delete(running)).catch(() => undefined);
        return running as ReturnType<TaskHandlers[string]>;
      };
    };
    for (const [stateName, step] of pipeline.tasks) bind(stateName, step.name, (taskInput) => step.invoke(platform, taskInput, { signal: controller.signal }));
    for (const [stateName, integration] of pipeline.integrations)
      bind(stateName, `sagemaker:${integration.action}`, (taskInput) => this.sagemaker.call(integration, taskInput));
    const execution = pipeline.machine.run(input as EngineInput, {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: record.executionId, Name: record.name },
        StateMachine: { Id: `local:${record.pipeline}`, Name: record.pipeline },
      },
    });
    const abort = () => {
      controller.abort();
      execution.abort();
    };
    // Handled at once: a failed execution rejects `result` while its events are still being recorded,
    // and a rejection nobody has listened to yet is an unhandled rejection for the whole process.
    const outcome = execution.result.then(
      () => undefined,
      (error: unknown) => error,
    );
    const recorder = new ExecutionRecorder(platform.tenantTable(entry.tenantId), record, log, abort);
    const done = (async () => {
      // Kept when the subject of an aborted run could not be settled: the next start-up's recovery tries again.
      let keepEntry = false;
      try {
        for await (const event of execution.eventLogs) await recorder.handle(event);
        const failure = await outcome;
        if (recorder.current.status === 'RUNNING') {
          await recorder.stopWithoutEvent('FAILED', 'States.Runtime', failure instanceof Error ? failure.message : 'the interpreter stopped without a result');
        }
        // Aborted (shutdown), timed out or failed with States.Runtime: the Catch → Record*Failure path never ran, so the run's subject is settled here.
        // A detached recorder means another process's recovery took the execution over, and settles it itself.
        const abandoned = recorder.detached ? undefined : abandonCauseOf(recorder.current);
        if (abandoned) {
          // A step still running (it ignores the abort signal) must not undo the settling, e.g. update the endpoint after its restore.
          await withTimeout(Promise.allSettled([...inFlight]), IN_FLIGHT_GRACE_MS, 'steps did not return').catch(() => undefined);
          const detail =
            abandoned === 'aborted' ? 'the local runner shut down' : abandoned === 'runtime error' ? recorder.current.cause?.slice(0, 300) : undefined;
          keepEntry = !(await this.settleAbandoned(recorder.current, entry.tenantId, abandoned, detail));
        }
      } catch (error) {
        log.error('recording a pipeline execution failed', { executionId: record.executionId, error: errorText(error) });
      } finally {
        if (!keepEntry)
          await clearRunning(platform.platformTable(), entry).catch((e: unknown) =>
            log.error('could not clear a running-execution entry', { executionId: record.executionId, error: errorText(e) }),
          );
        this.active.delete(record.executionId);
        this.remember(recorder.current);
      }
      log.info('pipeline execution stopped', { pipeline: record.pipeline, executionId: record.executionId, status: recorder.current.status });
      return recorder.current;
    })();
    this.active.set(record.executionId, { tenantId: entry.tenantId, done, inFlight, abort });
  }

  /**
   * What a Lambda failure looks like to Step Functions: the error's name and
   * message, nothing else. The interpreter would otherwise report an error's
   * `cause` (an SDK exception) in place of its message.
   */
  private asTaskFailure(step: string, executionId: string, error: unknown): Error {
    const source = error instanceof Error ? error : new Error(String(error));
    if (source.cause !== undefined) {
      this.options.log.warn('pipeline step failed', { step, executionId, error: errorText(source), cause: errorText(source.cause) });
    }
    const failure = new Error(source.message);
    failure.name = source.name;
    return failure;
  }

  private remember(record: ExecutionRecord): void {
    this.finished.set(record.executionId, record);
    if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.keys().next().value!);
  }

  /**
   * Waits until an execution this runner started has stopped and returns its
   * record (for tests and the CLI's `--wait`). Rejects after `timeoutMs`.
   */
  async waitFor(executionId: string, timeoutMs = 30_000): Promise<ExecutionRecord> {
    const finished = this.finished.get(executionId);
    if (finished) return finished;
    const active = this.active.get(executionId);
    if (!active) throw new NotFound('execution', executionId);
    return withTimeout(active.done, timeoutMs, `execution ${executionId} did not stop within ${timeoutMs} ms`);
  }

  /** The recorded execution with its transitions (a convenience over getExecution for callers holding the runner). */
  async describe(tenantId: string, executionId: string): ReturnType<typeof getExecution> {
    return getExecution(this.options.platform().tenantTable(tenantId), executionId);
  }

  /**
   * At start-up: executions a previous process left RUNNING (killed, Ctrl-C
   * before close finished) cannot resume, so they are marked FAILED with
   * `States.Interrupted`. Reads the running index with a Query. An entry
   * whose owner is another process of this machine that is still alive is
   * left to it: starting a second process must not fail the first one's runs.
   */
  async recoverInterrupted(): Promise<void> {
    const platform = this.options.platform();
    const { log } = this.options;
    const entries = await listRunning(platform.platformTable());
    for (const entry of entries) {
      if (this.active.has(entry.executionId)) continue;
      if (ownedByAnotherLiveProcess(entry.owner)) {
        // A second process on the same data (another `npm start`, a test's API process) is still running it.
        log.info('pipeline execution left to the live process running it', { tenantId: entry.tenantId, executionId: entry.executionId, owner: entry.owner });
        continue;
      }
      try {
        const table = platform.tenantTable(entry.tenantId);
        const marked = await markExecutionInterrupted(table, entry.executionId, {
          at: platform.now().toISOString(),
          cause: `the local process running it (${entry.owner}) stopped before it finished; start the pipeline again`,
        });
        if (marked)
          log.warn('interrupted pipeline execution marked FAILED', { tenantId: entry.tenantId, executionId: entry.executionId, pipeline: entry.pipeline });
        // Its subject too (a deploying deployment, a pending dataset version…); also an aborted run whose settling failed at shutdown.
        const stopped =
          marked ??
          (await getExecution(table, entry.executionId, { eventLimit: 1 })
            .then((e) => e.execution)
            .catch(() => undefined));
        const abandoned = stopped ? abandonCauseOf(stopped) : undefined;
        if (stopped && abandoned && !(await this.settleAbandoned(stopped, entry.tenantId, abandoned, `the local process running it (${entry.owner}) stopped`)))
          continue;
        await clearRunning(platform.platformTable(), entry);
      } catch (error) {
        log.error('could not recover an interrupted execution', { tenantId: entry.tenantId, executionId: entry.executionId, error: errorText(error) });
      }
    }
  }

  /** Fails the subject of a run that ended without its failure path (core/pipelines/abandoned-runs.ts); false when that could not be done now. */
  private async settleAbandoned(record: ExecutionRecord, tenantId: string, cause: AbandonCause, detail: string | undefined): Promise<boolean> {
    try {
      await settleAbandonedRun(this.options.platform(), {
        tenantId,
        pipeline: record.pipeline,
        executionId: record.executionId,
        actor: record.actor,
        input: record.input,
        cause,
        ...(detail ? { detail } : {}),
      });
      return true;
    } catch (error) {
      this.options.log.error('could not settle the subject of an abandoned pipeline run; retried at the next start-up', {
        tenantId,
        executionId: record.executionId,
        pipeline: record.pipeline,
        error: errorText(error),
      });
      return false;
    }
  }

  /** Aborts running executions (recorded ABORTED) and waits, boundedly, for their steps to return. */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.active.values()];
    for (const execution of running) execution.abort();
    await withTimeout(Promise.allSettled(running.map((e) => e.done)), CLOSE_GRACE_MS, 'executions did not stop').catch((e: Error) =>
      this.options.log.warn(e.message),
    );
    const steps = running.flatMap((e) => [...e.inFlight]);
    await withTimeout(Promise.allSettled(steps), CLOSE_GRACE_MS, 'steps did not return').catch((e: Error) => this.options.log.warn(e.message));
  }

  /** Healthy when every definition loaded and passed the lint. */
  probe(): HealthProbe {
    return {
      name: 'state-machines',
      check: async () => {
        if (this.files.length === 0) throw new Error(`no *.asl.json definitions in ${this.definitionsDir}`);
        const rejected = this.files.filter((f) => f.findings.length > 0);
        if (rejected.length > 0) {
          throw new Error(
            rejected
              .map((f) => `${f.pipeline}: [${f.findings[0].rule}] ${f.findings[0].message}${f.findings.length > 1 ? ` (+${f.findings.length - 1} more)` : ''}`)
              .join('; '),
          );
        }
        return `${this.files.length} pipeline(s): ${this.files.map((f) => f.pipeline).join(', ')}`;
      },
    };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a running entry's owner (`pid <n>/<id>`) is another process of this
 * machine that still exists. This process's own pid is never "another": an
 * entry carrying it that this runner does not hold was left by an earlier
 * process that had the same pid (a container's pid 1) or by a runner of this
 * process that is gone.
 */
export function ownedByAnotherLiveProcess(owner: string): boolean {
  const pid = Number(/^pid (\d+)\//.exec(owner)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
