import { ValidationFailed } from '../errors';

/** What an isolated inspection may spend before it is stopped and the file refused. */
export interface IsolationLimits {
  /** Wall clock for the whole job, download included. */
  readonly timeoutMs: number;
  /** Memory of the inspection (locally the worker's V8 heap; on AWS the function's memory is fixed at deploy). */
  readonly memoryMb: number;
}

/** ONNX/rules/container check: 15 s plus a second per 50 MB downloaded. */
export function artifactLimits(size: number): IsolationLimits {
  return { timeoutMs: 15_000 + Math.ceil(size / 50e6) * 1000, memoryMb: 1024 };
}

/** Dataset profiling (one or two passes over the file): 60 s plus a second per 10 MB. */
export function datasetLimits(size: number): IsolationLimits {
  return { timeoutMs: 60_000 + Math.ceil(size / 10e6) * 1000, memoryMb: 1536 };
}

/** The request field a refusal names: the artifact, or the dataset file. */
export function refusalField(kind: 'artifact' | 'dataset'): string {
  return kind === 'artifact' ? 'artifact' : 'file';
}

/** A passed isolation limit, as the 400 the API answers for it (`problem` names the limit). */
export function limitExceeded(field: string, problem: string): ValidationFailed {
  return new ValidationFailed(`refused: ${problem}`, [{ field, problem }]);
}

export function timeLimitProblem(limits: Pick<IsolationLimits, 'timeoutMs'>): string {
  return `the inspection did not finish within ${limits.timeoutMs / 1000} s (limit: inspection time) and was stopped`;
}
