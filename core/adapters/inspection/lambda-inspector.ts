import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { z } from 'zod';
import { DependencyFailed } from '../../errors';
import {
  ArtifactInspectionResult,
  type ArtifactInspectionJob,
  DatasetInspectionResult,
  type DatasetInspectionJob,
  type InspectionJob,
  InspectorAnswer,
  type InspectorRequest,
} from '../../inspection/inspection-job';
import { artifactLimits, datasetLimits, type IsolationLimits, limitExceeded, refusalField, timeLimitProblem } from '../../inspection/inspection-limits';
import { errorOf } from '../../inspection/inspection-work';
import type { FileInspector } from '../../ports/file-inspector';

/**
 * Inspections on AWS: each job is one synchronous invocation of the inspector
 * function (functions/inspector/handler.ts), which has its own memory,
 * timeout and reserved concurrency and a role with no data access. The
 * payload is the job alone: the presigned GET URL of the one object and the
 * declared size, format, hash and schema, never credentials.
 *
 * How the function ended decides the answer: its result or named refusal as
 * it sent them; its timeout or running out of memory as the file passing that
 * limit (400, as locally); a crash in its own start (import errors) or the
 * Lambda service refusing the call (throttled, not found) as a dependency
 * failure (503), since the file had no part in it.
 */
export class LambdaInspector implements FileInspector {
  constructor(
    private readonly lambda: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  inspectArtifact(job: Omit<ArtifactInspectionJob, 'kind'>): Promise<ArtifactInspectionResult> {
    return this.inspect({ kind: 'artifact', ...job }, artifactLimits(job.size), ArtifactInspectionResult);
  }

  inspectDataset(job: Omit<DatasetInspectionJob, 'kind'>): Promise<DatasetInspectionResult> {
    return this.inspect({ kind: 'dataset', ...job }, datasetLimits(job.size), DatasetInspectionResult);
  }

  private async inspect<T>(job: InspectionJob, limits: IsolationLimits, schema: z.ZodType<T>): Promise<T> {
    const request: InspectorRequest = { job, timeoutMs: limits.timeoutMs };
    let output: { FunctionError?: string; Payload?: Uint8Array };
    try {
      output = await this.lambda.send(
        new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }),
      );
    } catch (error) {
      throw new DependencyFailed('the inspector function could not be invoked', { cause: error });
    }
    const body = parseJson(output.Payload);
    const field = refusalField(job.kind);
    if (output.FunctionError) throw functionFailure(body, field, limits);
    const answer = InspectorAnswer.safeParse(body);
    if (!answer.success) throw new DependencyFailed(`the inspector function answered in an unexpected shape: ${answer.error.message}`);
    if (answer.data.outcome === 'refused') throw errorOf(answer.data.refusal);
    if (answer.data.outcome === 'failed') throw new DependencyFailed(`the inspection failed: ${answer.data.failure}`);
    const parsed = schema.safeParse(answer.data.result);
    if (!parsed.success) throw new DependencyFailed(`the inspection answered in an unexpected shape: ${parsed.error.message}`);
    return parsed.data;
  }
}

/** Errors of the function's own start: the deployment's fault, never the file's. */
const START_FAILURES = new Set(['Runtime.ImportModuleError', 'Runtime.HandlerNotFound', 'Runtime.UserCodeSyntaxError', 'Runtime.MalformedHandlerName']);

/** An invocation that ended in an error (`FunctionError` set): the payload is `{ errorType, errorMessage }`. */
function functionFailure(body: unknown, field: string, limits: IsolationLimits): Error {
  const { errorType = '', errorMessage = '' } = (typeof body === 'object' && body !== null ? body : {}) as { errorType?: string; errorMessage?: string };
  if (START_FAILURES.has(errorType)) return new DependencyFailed(`the inspector function could not start (${errorType})`);
  if (errorType === 'Sandbox.Timedout' || /Task timed out/i.test(errorMessage)) return limitExceeded(field, timeLimitProblem(limits));
  if (errorType === 'Runtime.OutOfMemory' || /out of memory|Allocation failed/i.test(errorMessage)) {
    return limitExceeded(field, 'the inspection used more memory than the inspector function has (limit: inspection memory) and was stopped');
  }
  if (errorType === 'Runtime.ExitError' || errorType.startsWith('Runtime.')) {
    return limitExceeded(field, `the file stopped the inspection function (${errorType}) before it answered`);
  }
  // The handler answers every job; an unhandled error of any other type is the function's fault.
  return new DependencyFailed(`the inspector function failed (${errorType || 'unknown error'})`);
}

function parseJson(payload: Uint8Array | undefined): unknown {
  if (!payload || payload.byteLength === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(payload)) as unknown;
  } catch {
    return undefined;
  }
}
