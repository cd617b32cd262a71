import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ValidationFailed } from '../errors';
import { parseProcStat, samplePeakMemory } from './process-usage';
import {
  channelFileNameSchema,
  channelNameSchema,
  containerLayout,
  contractEnvironment,
  FAILURE_FILE,
  hyperparameterStrings,
  hyperparameterValueSchema,
  METRICS_FILE,
  MODEL_FILE,
  trainerMetricsSchema,
} from './training-contract';

/** What to run, with what data: validated at the edge of the runner, so a bad request fails before a process starts. */
export const trainingJobSchema = z
  .object({
    /** The program and its arguments, run directly (no shell): e.g. ["python3", "train.py"]. */
    command: z.array(z.string().min(1)).min(1),
    /** Working directory of the command; default: the job's work directory. */
    cwd: z.string().min(1).optional(),
    /** Channel → files (name → content), written to SM_CHANNEL_<NAME>. SageMaker's usual channels are `train`, `validation`, `test`. */
    channels: z.record(channelNameSchema, z.record(channelFileNameSchema, z.union([z.string(), z.instanceof(Uint8Array)]))),
    hyperparameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/), hyperparameterValueSchema).default({}),
    /** Extra environment for the command (never the platform's own: the child starts from an allowlist). */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /** Wall-clock limit; the process tree is stopped (TERM, then KILL after `killGraceMs`) when it is reached. */
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600 * 1000),
    killGraceMs: z.number().int().min(0).max(60_000).default(2000),
    /** Log kept (stdout and stderr, interleaved as they arrive); past this, the oldest bytes are dropped. @default 5 MiB */
    maxLogBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
    /** How often peak memory is sampled. @default 50 */
    memorySampleMs: z.number().int().min(5).max(10_000).default(50),
  })
  .strict();

export type TrainingJob = z.input<typeof trainingJobSchema>;

export interface TrainingJobUsage {
  readonly durationMs: number;
  /** CPU time of the command and its reaped descendants (user + system), from /proc; null where there is no /proc or the process was killed. */
  readonly cpuUserMs: number | null;
  readonly cpuSystemMs: number | null;
  /** Peak resident memory of the process tree (sampled, /proc); null where there is no /proc. */
  readonly peakMemoryBytes: number | null;
}

export interface TrainingJobResult {
  /** `completed`: exit 0 and a model.onnx; `failed`: non-zero exit, or no model; `timed-out`: stopped at the time limit. */
  readonly status: 'completed' | 'failed' | 'timed-out';
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Why it failed, for a person: SageMaker's failure file if the trainer wrote one, else what the runner saw. */
  readonly failureReason?: string;
  /** stdout and stderr as they arrived, for the caller to store (the runner keeps nothing). */
  readonly log: string;
  /** The bytes of SM_MODEL_DIR/model.onnx. */
  readonly model?: Uint8Array;
  /** SM_MODEL_DIR/metrics.json, when the trainer wrote a valid one. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Why metrics.json was ignored, if it was. */
  readonly metricsProblem?: string;
  /**
   * The files the trainer left in SM_OUTPUT_DATA_DIR (top level, up to 100
   * files and 10 MiB), which SageMaker uploads as `output/output.tar.gz`, e.g.
   * the trainer's own resources.json; absent when there are none.
   */
  readonly outputData?: Readonly<Record<string, Uint8Array>>;
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly usage: TrainingJobUsage;
}

/** Variables the child inherits from this process; everything else (credentials above all) stays out. */
const INHERITED_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'PYTHONPATH', 'SYSTEMROOT'] as const;

/**
 * Runs a training command as SageMaker would run a training container, as a
 * local child process: a fresh work directory laid out like /opt/ml (input
 * channels, config/hyperparameters.json, model/, output/), the SM_*
 * variables pointing into it, no other environment than PATH/locale and the
 * job's `env`. Captures the log, CPU time, peak memory and duration; stops
 * the process tree at the time limit; returns the model bytes and metrics and
 * removes the work directory. Never throws for a failing trainer (the result
 * says so); throws ValidationFailed for a malformed job.
 *
 * @example
 * const result = await runTrainingJob({
 *   command: ['python3', 'templates/python-sklearn/train.py'],
 *   channels: { train: { 'data.csv': csvText } },
 *   hyperparameters: { target: 'benign', C: 1 },
 *   timeoutMs: 10 * 60_000,
 * });
 * if (result.status === 'completed') await register(result.model!, result.metrics);
 */
export async function runTrainingJob(input: TrainingJob, options: { signal?: AbortSignal } = {}): Promise<TrainingJobResult> {
  const parsed = trainingJobSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationFailed(
      'invalid training job',
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'job', problem: i.message })),
    );
  }
  const job = parsed.data;
  const root = await mkdtemp(join(tmpdir(), 'steward-training-'));
  try {
    const layout = containerLayout(root);
    const channels = Object.keys(job.channels);
    await Promise.all(
      [layout.configDir, layout.modelDir, layout.outputDataDir, join(root, 'tmp'), ...channels.map((c) => join(layout.dataDir, c))].map((d) =>
        mkdir(d, { recursive: true }),
      ),
    );
    for (const [channel, files] of Object.entries(job.channels)) {
      for (const [name, content] of Object.entries(files)) await writeFile(join(layout.dataDir, channel, name), content);
    }
    const hyperparameters = hyperparameterStrings(job.hyperparameters);
    await writeFile(join(layout.configDir, 'hyperparameters.json'), JSON.stringify(hyperparameters));
    await writeFile(
      join(layout.configDir, 'inputdataconfig.json'),
      JSON.stringify(Object.fromEntries(channels.map((c) => [c, { TrainingInputMode: 'File' }]))),
    );
    await writeFile(join(layout.configDir, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }));
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, { HOME: root, TMPDIR: join(root, 'tmp') }, contractEnvironment(layout, channels, hyperparameters, availableParallelism()), job.env);

    const run = await runWithUsage(job.command, {
      cwd: job.cwd ?? root,
      env,
      timeoutMs: job.timeoutMs,
      killGraceMs: job.killGraceMs,
      maxLogBytes: job.maxLogBytes,
      memorySampleMs: job.memorySampleMs,
      usageFile: join(root, 'usage.stat'),
      signal: options.signal,
    });

    const model = await readFile(join(layout.modelDir, MODEL_FILE)).then(
      (b) => new Uint8Array(b),
      () => undefined,
    );
    const failureFile = await readFile(join(layout.outputDir, FAILURE_FILE), 'utf8').then(
      (t) => t.trim().slice(0, 4000) || undefined,
      () => undefined,
    );
    let metrics: Record<string, number> | undefined;
    let metricsProblem: string | undefined;
    const metricsText = await readFile(join(layout.modelDir, METRICS_FILE), 'utf8').catch(() => undefined);
    if (metricsText !== undefined) {
      try {
        const checked = trainerMetricsSchema.safeParse(JSON.parse(metricsText));
        if (checked.success) metrics = checked.data;
        else
          metricsProblem = `${METRICS_FILE} is not a flat object of finite numbers: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      } catch (error) {
        metricsProblem = `${METRICS_FILE} is not JSON: ${(error as Error).message}`;
      }
    }
    const outputData = await readOutputData(layout.outputDataDir);
    let status: TrainingJobResult['status'];
    let failureReason: string | undefined;
    if (run.timedOut) {
      status = 'timed-out';
      failureReason = `stopped after the time limit of ${job.timeoutMs} ms`;
    } else if (run.spawnError) {
      status = 'failed';
      failureReason = `the command could not be started: ${run.spawnError}`;
    } else if (run.exitCode !== 0) {
      status = 'failed';
      failureReason = failureFile ?? (run.signal ? `killed by ${run.signal}` : `exited with code ${run.exitCode}`);
    } else if (!model) {
      status = 'failed';
      failureReason = `the trainer exited 0 but wrote no ${MODEL_FILE} to SM_MODEL_DIR`;
    } else status = 'completed';
    return {
      status,
      exitCode: run.exitCode,
      signal: run.signal,
      ...(failureReason ? { failureReason } : {}),
      log: run.log,
      ...(model ? { model } : {}),
      ...(metrics ? { metrics } : {}),
      ...(metricsProblem ? { metricsProblem } : {}),
      ...(outputData ? { outputData } : {}),
      hyperparameters,
      usage: run.usage,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** SM_OUTPUT_DATA_DIR's top-level files, within what a log-sized upload should hold. */
async function readOutputData(dir: string): Promise<Record<string, Uint8Array> | undefined> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: Record<string, Uint8Array> = {};
  let total = 0;
  for (const entry of entries.filter((e) => e.isFile()).slice(0, 100)) {
    const bytes = await readFile(join(dir, entry.name)).catch(() => undefined);
    if (!bytes || total + bytes.byteLength > 10 * 1024 * 1024) continue;
    total += bytes.byteLength;
    files[entry.name] = new Uint8Array(bytes);
  }
  return Object.keys(files).length > 0 ? files : undefined;
}

interface RunOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly spawnError?: string;
  readonly log: string;
  readonly usage: TrainingJobUsage;
}

/**
 * The command under a POSIX shell that, once the command has exited, copies
 * its own /proc/<pid>/stat (whose cutime/cstime then hold the command's CPU
 * time) to `usageFile`; the shell leads a new process group, so a timeout
 * stops every process the trainer started.
 */
const WRAPPER = 'usage="$1"; shift; "$@"; code=$?; cat "/proc/$$/stat" > "$usage" 2>/dev/null; exit $code';

async function runWithUsage(
  command: readonly string[],
  o: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    killGraceMs: number;
    maxLogBytes: number;
    memorySampleMs: number;
    usageFile: string;
    signal?: AbortSignal;
  },
): Promise<RunOutcome> {
  const started = performance.now();
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    kept += chunk.length;
    while (kept > o.maxLogBytes) {
      const excess = kept - o.maxLogBytes;
      if (chunks[0].length <= excess) {
        const first = chunks.shift()!;
        kept -= first.length;
        dropped += first.length;
      } else {
        chunks[0] = chunks[0].subarray(excess);
        kept -= excess;
        dropped += excess;
      }
    }
  };
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'steward-training', o.usageFile, ...command], {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const memory = child.pid !== undefined ? samplePeakMemory(child.pid, o.memorySampleMs) : undefined;
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    const group = -child.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      /* already gone */
    }
    killTimer = setTimeout(() => {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, o.killGraceMs);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, o.timeoutMs);
  const onAbort = () => stop();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const { exitCode, signal, spawnError } = await new Promise<{ exitCode: number | null; signal: string | null; spawnError?: string }>((resolve) => {
    child.once('error', (error) => resolve({ exitCode: null, signal: null, spawnError: error.message }));
    child.once('close', (code, sig) => resolve({ exitCode: code, signal: sig }));
  });
  clearTimeout(timer);
  if (killTimer) clearTimeout(killTimer);
  o.signal?.removeEventListener('abort', onAbort);
  // A descendant that outlived the shell (daemonised, or the group was killed) is not left running.
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* none left */
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const peakMemoryBytes = memory ? await memory.stop() : null;
  const stat = await readFile(o.usageFile, 'utf8').then(parseProcStat, () => undefined);
  const log = Buffer.concat(chunks).toString('utf8');
  return {
    exitCode,
    signal,
    timedOut,
    ...(spawnError ? { spawnError } : {}),
    log: dropped > 0 ? `[steward: the first ${dropped} bytes of the log were dropped to keep it under ${o.maxLogBytes} bytes]\n${log}` : log,
    usage: {
      durationMs,
      cpuUserMs: stat ? stat.childrenUserMs : null,
      cpuSystemMs: stat ? stat.childrenSystemMs : null,
      peakMemoryBytes,
    },
  };
}
