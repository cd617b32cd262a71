import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, relative } from 'node:path';
import type { LoadSettings, Measurement } from './scenarios/scenario';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1/5/15-minute load before the run: a busy machine explains a slow result. */
  readonly loadAverage: readonly number[];
}

export interface RecordedRun {
  readonly scenario: string;
  readonly measures: string;
  readonly date: string;
  readonly commit: string;
  readonly command: string;
  readonly target: string;
  readonly load: LoadSettings;
  readonly machine: Machine;
  readonly measurement: Measurement;
  /** The scenario judged against its objective and against another scenario of the same run. */
  readonly comparison?: ComparisonResult;
  readonly note?: string;
}

export interface ComparisonResult {
  /** e.g. `≥ 300 req/s`, from the issue that asked for the scenario. */
  readonly objective?: string;
  readonly objectiveMet?: boolean;
  /** The scenario this one is compared with (a bare-DynamoDB baseline, the same query on a smaller catalog). */
  readonly with?: string;
  readonly kind?: 'throughput' | 'p95';
  /** this ÷ other: req/s for `throughput`, p95 for `p95`. */
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly other?: { readonly reqPerSec: number; readonly p95: number };
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osName()} (${type()} ${release()} ${arch()})`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? type();
  } catch {
    return type();
  }
}

/** HEAD's short hash, `-dirty` when the tree has changes, or why there is none. */
export function gitCommit(cwd: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let head: string;
  try {
    head = git('rev-parse', '--short=12', 'HEAD');
  } catch {
    return 'none (no commit yet)';
  }
  try {
    return git('status', '--porcelain') ? `${head}-dirty` : head;
  } catch {
    return head;
  }
}

/** The command as typed, so a reader can run it again. */
export function commandLine(args: readonly string[]): string {
  const quoted = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${quoted ? ` -- ${quoted}` : ''}`;
  return `npx tsx bench/run.ts${quoted ? ` ${quoted}` : ''}`;
}

const TABLE_HEADER = [
  '# Recorded benchmark results',
  '',
  'One row per scenario run, appended by `npm run bench` (see ../README.md). The JSON file',
  'named in the last column holds everything: machine, load settings, status codes, notes.',
  'Latencies in milliseconds; req/s is the mean of per-second samples.',
  '',
  '| date (UTC) | scenario | req/s | p50 | p97.5 | p99 | errors | non-2xx | load | machine | node | commit | command | file |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---|',
  '',
].join('\n');

/** Writes `<resultsDir>/<date>-<scenario>.json` and appends a row to `<resultsDir>/README.md`. */
export function recordRun(resultsDir: string, run: RecordedRun): string {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = run.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = join(resultsDir, `${stamp}-${run.scenario}.json`);
  writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  const table = join(resultsDir, 'README.md');
  if (!existsSync(table)) writeFileSync(table, TABLE_HEADER);
  const m = run.measurement;
  const cell = (value: string) => value.replace(/\|/g, '\\|');
  const row = [
    run.date.replace('T', ' ').replace(/\.\d+Z$/, ''),
    run.scenario,
    m.requests.perSecond.mean.toFixed(0),
    String(m.latencyMs.p50),
    String(m.latencyMs.p97_5),
    String(m.latencyMs.p99),
    String(m.errors),
    String(m.non2xx),
    `${m.connections} conn × ${run.load.durationSeconds} s (+${run.load.warmupSeconds} s warm-up)`,
    `${run.machine.cpuModel}, ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB`,
    run.machine.node,
    run.commit,
    `\`${run.command}\``,
    `[json](${relative(resultsDir, file)})`,
  ];
  appendFileSync(table, `| ${row.map(cell).join(' | ')} |\n`);
  return file;
}
