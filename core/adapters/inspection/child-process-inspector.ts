import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { DependencyFailed } from '../../errors';
import {
  ArtifactInspectionResult,
  DatasetInspectionResult,
  type ArtifactInspectionJob,
  type DatasetInspectionJob,
  type InspectionJob,
  WorkerAnswer,
  WorkerReady,
} from '../../inspection/inspection-job';
import { artifactLimits, datasetLimits, type IsolationLimits, limitExceeded, refusalField, timeLimitProblem } from '../../inspection/inspection-limits';
import type { FileInspector } from '../../ports/file-inspector';

/**
 * Runs an inspection of an untrusted file (ONNX load and smoke run, Parquet,
 * CSV and JSON Lines profiling) in a separate process with a V8 heap cap and
 * a wall-clock limit, killed (SIGKILL) when it passes either: a hostile file
 * costs that process, never the API's memory or event loop. The process gets
 * a presigned GET URL for the one object and an environment without
 * credentials. At most MAX_CONCURRENT run at once per API process; further
 * inspections wait.
 *
 * The element and decode caps (onnx-inspection.ts MAX_FED_ELEMENTS,
 * tabular-readers.ts DEFAULT_PARQUET_LIMITS) refuse most hostile files
 * early with the limit named; this process boundary catches what they cannot
 * see (an endless Loop, a page that lies about its size, native memory).
 *
 * Local mode only: the worker entry is TypeScript run by tsx. On AWS the same
 * job goes to a separate function (lambda-inspector.ts); a bundle without the
 * worker entry refuses to inspect rather than inspect in process.
 */
export class ChildProcessInspector implements FileInspector {
  inspectArtifact(job: Omit<ArtifactInspectionJob, 'kind'>, limits = artifactLimits(job.size)): Promise<ArtifactInspectionResult> {
    return inspect({ kind: 'artifact', ...job }, limits, ArtifactInspectionResult);
  }

  inspectDataset(job: Omit<DatasetInspectionJob, 'kind'>, limits = datasetLimits(job.size)): Promise<DatasetInspectionResult> {
    return inspect({ kind: 'dataset', ...job }, limits, DatasetInspectionResult);
  }
}

const MAX_CONCURRENT = 2;
/** How long the worker may take to load its modules before it is given the job (not counted against the file's limits). */
const STARTUP_MS = 30_000;
const WORKER_ENTRY = join(__dirname, '..', '..', 'inspection', 'inspection-worker.ts');

let running = 0;
const waiting: Array<() => void> = [];

async function inspect<T>(job: InspectionJob, limits: IsolationLimits, schema: z.ZodType<T>): Promise<T> {
  if (!existsSync(WORKER_ENTRY))
    throw new DependencyFailed('the inspection worker is not part of this build (on AWS, inspections run in the inspector function)');
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const result = await inWorker(job, limits, refusalField(job.kind));
    const parsed = schema.safeParse(result);
    if (!parsed.success) throw new DependencyFailed(`the inspection answered in an unexpected shape: ${parsed.error.message}`);
    return parsed.data;
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function inWorker(job: InspectionJob, limits: IsolationLimits, field: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    let stderr = '';
    let settled = false;
    let ready = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      outcome();
    };
    try {
      child = fork(WORKER_ENTRY, [], {
        execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href, `--max-old-space-size=${limits.memoryMb}`],
        // No credentials, no settings: the URL in the job is the worker's only access.
        env: {
          PATH: process.env.PATH ?? '',
          ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          NODE_OPTIONS: '',
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (error) {
      reject(new DependencyFailed('could not start the inspection process', { cause: error }));
      return;
    }
    // The file's wall clock starts when the worker gets the job; until then only the start is timed.
    let timer = setTimeout(() => finish(() => reject(new DependencyFailed(`the inspection process did not start within ${STARTUP_MS / 1000} s`))), STARTUP_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    child.on('message', (message: unknown) => {
      if (!ready && WorkerReady.safeParse(message).success) {
        ready = true;
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish(() => reject(limitExceeded(field, timeLimitProblem(limits))));
        }, limits.timeoutMs);
        child.send(job);
        return;
      }
      // Objects IPC builds may come from another realm (jest's vm context): canonical JSON accepts plain objects of any realm.
      const answer = WorkerAnswer.safeParse(message);
      if (!answer.success) finish(() => reject(new DependencyFailed('the inspection process sent a malformed answer')));
      else if (answer.data.ok) {
        const result = answer.data.result;
        finish(() => resolve(result));
      } else {
        const failure = answer.data.failure;
        finish(() => reject(new DependencyFailed(`the inspection failed: ${failure}`)));
      }
    });
    child.on('error', (error) => finish(() => reject(new DependencyFailed('the inspection process failed', { cause: error }))));
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (!ready) {
        // It died loading its own modules, before it saw the file: our failure, not the upload's.
        finish(() =>
          reject(
            new DependencyFailed(
              `the inspection process could not start (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`,
            ),
          ),
        );
      } else if (/heap out of memory|Allocation failed/i.test(stderr)) {
        finish(() => reject(limitExceeded(field, `the inspection used more than ${limits.memoryMb} MB of memory (limit: inspection memory) and was stopped`)));
      } else {
        finish(() => reject(limitExceeded(field, `the file stopped the inspection process (${signal ?? `exit code ${code}`}) before it answered`)));
      }
    });
  });
}
