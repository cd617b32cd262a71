// Before any core module: some API schemas call .openapi() on zod schemas defined in core/ (e.g.
// CatalogIdSchema), which only works if @hono/zod-openapi extended zod before those were created —
// as api/app.ts's import order ensures in the API process. Needed for --in-process.
import '@hono/zod-openapi';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuWindow, otherCpu } from './drivers/cpu-usage';
import { commandLine, describeMachine, gitCommit, recordRun, type ComparisonResult } from './record';
import { GROUPS, SCENARIOS, scenarioNamed } from './scenarios';
import type { LoadSettings, MeasuredWindow, Measurement, Requirement, Scenario, SharedFixtures } from './scenarios/scenario';
import { acquireTarget } from './target';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Steward benchmarks (never run in CI or by the test suite).

  npm run bench [-- [scenario|group ...] [options]]

Scenarios (default: health):
${SCENARIOS.map((s) => `  ${s.name.padEnd(30)} ${s.measures}`).join('\n')}

Groups (run in this order, baselines before the API scenarios they judge):
${Object.entries(GROUPS)
  .map(([name, members]) => `  ${name.padEnd(30)} ${members.join(', ')}`)
  .join('\n')}
  all                            every scenario above, against one platform

Target (default: start a fresh local platform in its own process, or only the
stand-ins the scenarios need, on free ports, and stop it afterwards). Giving
any endpoint starts nothing; give every endpoint the selected scenarios need:
  --url <url>                 a running API, e.g. http://127.0.0.1:7700
  --dynamodb-endpoint <url>   DynamoDB for the dynamodb-* scenarios (npm start: :7701)
  --s3-endpoint <url>         S3 for scoring-invoke (npm start: :7702)
  --scoring-endpoint <url>    the scoring gateway for scoring-* (npm start: :7703)
  --admin-email, --admin-password
                              a platform administrator of the running platform, to onboard
                              bench tenants (default: STEWARD_BOOTSTRAP_ADMIN_EMAIL/PASSWORD)

Options:
  --connections <n>           override each scenario's concurrency
  --duration <seconds>        override each scenario's measured duration
  --warmup <seconds>          override each scenario's warm-up
  --workers <n>               serve the self-started platform's API from n worker processes, as
                              \`npm start -- --workers n\` (default 1); their CPU is counted as \`api\`
  --in-process                run a self-started platform inside the bench process (the load
                              generator then shares the API's event loop) instead of its own process
  --store <store>             the self-started platform's metadata store: sqlite (npm start's default) or
                              dynamodb-local; default: dynamodb-local when a scenario needs bare DynamoDB calls
  --bare-dynamodb <where>     platform (default): the bare catalog baselines run on the platform's
                              DynamoDB Local; memory: on a second DynamoDB Local, in memory
  --audit-chain <mode>        at-commit (default, as npm start): audit events are linked by the
                              transaction that writes them; deferred: by the sealer afterwards (as on AWS)
  --audit-sealer <on|off>     off stops the self-started platform's audit sealer (diagnosis only)
  --audit-sealer-delay <ms>   sets the sealer's nudge delay (default 20 ms) in a self-started platform
                              in its own process: more events per seal transaction (diagnosis only)
  --profile <dir>             write a V8 CPU profile of the API process per API scenario
                              (summarize with: npx tsx bench/tools/profile-summary.ts <file>)
  --quiet-machine <load>      before measuring, wait until the 1-minute load average is below <load>
  --quiet-wait <minutes>      … for at most this long (default 20), then measure anyway
  --max-other <cores>         before each scenario, wait (up to --quiet-wait) until other jobs use less
                              than <cores> of CPU; after it, measure again if they used more during
                              its window (see --retries)
  --retries <n>               measurements repeated for --max-other (default 2); the cleanest one is kept
  --note <text>               kept with the result (why this run, what differs)
  --no-record                 print only; write nothing to bench/results
  --keep-data                 keep the temporary data folder and logs of a self-started platform
  --list                      list scenarios and exit
`;

const report = (line: string) => process.stderr.write(`${line}\n`);

interface Outcome {
  scenario: Scenario;
  measurement?: Measurement;
  comparison?: ComparisonResult;
  error?: unknown;
  file?: string;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      's3-endpoint': { type: 'string' },
      'scoring-endpoint': { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      scenario: { type: 'string', multiple: true },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      workers: { type: 'string' },
      'bare-dynamodb': { type: 'string', default: 'platform' },
      store: { type: 'string' },
      'audit-sealer': { type: 'string', default: 'on' },
      'audit-chain': { type: 'string', default: 'at-commit' },
      'audit-sealer-delay': { type: 'string' },
      profile: { type: 'string' },
      'quiet-machine': { type: 'string' },
      'quiet-wait': { type: 'string', default: '20' },
      'max-other': { type: 'string' },
      retries: { type: 'string', default: '2' },
      note: { type: 'string' },
      'no-record': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || values.list) {
    process.stdout.write(HELP);
    return 0;
  }
  const names = [...positionals, ...(values.scenario ?? []).flatMap((s) => s.split(','))];
  const scenarios = selectScenarios(names.length ? names : ['health']);
  const overrides = {
    connections: positiveInteger(values.connections, '--connections'),
    durationSeconds: positiveInteger(values.duration, '--duration'),
    warmupSeconds: positiveInteger(values.warmup, '--warmup', true),
  };
  if (values.profile && (positiveInteger(values.workers, '--workers') ?? 1) > 1) throw new Error('--profile profiles the API process: run it with --workers 1');
  const bareDynamodb = oneOf(values['bare-dynamodb'], ['platform', 'memory'] as const, '--bare-dynamodb');
  const auditSealer = oneOf(values['audit-sealer'], ['on', 'off'] as const, '--audit-sealer') === 'on';
  const requirements = new Set<Requirement>(scenarios.flatMap((s) => s.requires));
  const commit = gitCommit(process.cwd());
  const command = commandLine(args);
  const adminEmail = values['admin-email'] ?? process.env.STEWARD_BOOTSTRAP_ADMIN_EMAIL;
  const adminPassword = values['admin-password'] ?? process.env.STEWARD_BOOTSTRAP_ADMIN_PASSWORD;

  if (values['quiet-machine']) await waitForQuietMachine(Number(values['quiet-machine']), Number(values['quiet-wait']));

  const acquired = await acquireTarget(
    requirements,
    { apiUrl: values.url, dynamodbEndpoint: values['dynamodb-endpoint'], s3Endpoint: values['s3-endpoint'], scoringEndpoint: values['scoring-endpoint'] },
    {
      keepData: values['keep-data'],
      report,
      platformProcess: values['in-process'] ? 'in-process' : 'separate',
      bareDynamodb,
      store: values.store === undefined ? undefined : oneOf(values.store, ['sqlite', 'dynamodb-local'] as const, '--store'),
      auditSealer,
      auditChain: oneOf(values['audit-chain'], ['at-commit', 'deferred'] as const, '--audit-chain'),
      auditSealerDelayMs: positiveInteger(values['audit-sealer-delay'], '--audit-sealer-delay', true),
      workers: positiveInteger(values.workers, '--workers'),
      admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    },
  );
  const outcomes: Outcome[] = [];
  const stopOnSignal = () => {
    report('\ninterrupted; stopping what the bench started…');
    void acquired.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const fixtures = new Map<string, Promise<unknown>>();
  const shared: SharedFixtures = {
    once<T>(key: string, build: () => Promise<T>): Promise<T> {
      if (!fixtures.has(key)) {
        const built = build();
        fixtures.set(key, built);
        built.catch(() => fixtures.delete(key));
      }
      return fixtures.get(key) as Promise<T>;
    },
  };
  const profileDir = values.profile ? resolve(values.profile) : undefined;
  const maxOther = values['max-other'] === undefined ? undefined : Number(values['max-other']);
  if (maxOther !== undefined && !(maxOther > 0)) throw new Error('--max-other needs a number of cores above 0');
  const retries = positiveInteger(values.retries, '--retries', true) ?? 2;
  const quietWaitMs = Number(values['quiet-wait']) * 60_000;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  try {
    report(`target: ${acquired.target.description}`);
    for (const scenario of scenarios) {
      const load: LoadSettings = {
        connections: overrides.connections ?? scenario.defaults.connections,
        durationSeconds: overrides.durationSeconds ?? scenario.defaults.durationSeconds,
        warmupSeconds: overrides.warmupSeconds ?? scenario.defaults.warmupSeconds,
      };
      report(
        `\n▶ ${scenario.name}: ${scenario.measures}\n  ${load.connections} connections, ${load.warmupSeconds} s warm-up, ${load.durationSeconds} s measured; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
      const machine = describeMachine();
      const date = new Date().toISOString();
      const profileFile =
        profileDir && acquired.control && scenario.requires.includes('api')
          ? join(profileDir, `${date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-${scenario.name}.cpuprofile`)
          : undefined;
      try {
        const measureOnce = async (): Promise<Measurement> => {
          const cpu = cpuWindow(acquired.target.processes);
          const control = acquired.control;
          const counting = control?.storeCalls && scenario.requires.includes('api');
          // The profile, like the CPU figures and the call counts, covers the measured window only (no set-up, no warm-up).
          const window: MeasuredWindow = {
            begin: async () => {
              // Right before the window (set-up and warm-up done): wait out other people's jobs.
              if (maxOther !== undefined) await waitForOtherJobs(acquired.target.processes, maxOther, quietWaitMs);
              if (profileFile) await control!.startProfile();
              if (counting) await control.storeCalls!(true);
              await cpu.begin();
            },
            end: async () => {
              const facts = await cpu.end();
              const apiStoreCalls = counting ? await control.storeCalls!(true) : undefined;
              if (profileFile) {
                await control!.stopProfile(profileFile);
                report(`  CPU profile of the API process (measured window): ${profileFile}`);
              }
              return { ...facts, apiStoreCalls };
            },
          };
          return scenario.run({ target: acquired.target, load, report, shared, window, selected: scenarios.map((s) => s.name) });
        };
        let measurement: Measurement;
        if (maxOther === undefined) {
          measurement = await measureOnce();
        } else {
          // Other people's jobs on a shared machine: wait them out, and measure again when they came back mid-window.
          const attempts: Measurement[] = [];
          for (let attempt = 0; attempt <= retries; attempt++) {
            const m = await measureOnce();
            attempts.push(m);
            const other = m.cpu?.other ?? 0;
            if (other <= maxOther) break;
            report(
              `  ⚠ other jobs used ${other} cores during the window (limit ${maxOther})${attempt < retries ? '; measuring again' : '; keeping the cleanest attempt'}`,
            );
          }
          const cleanest = attempts.reduce((best, m) => ((m.cpu?.other ?? 0) < (best.cpu?.other ?? 0) ? m : best));
          measurement = {
            ...cleanest,
            notes: {
              ...cleanest.notes,
              attempts: attempts.map((m) => ({ reqPerSec: m.requests.perSecond.mean, p95: m.latencyMs.p95, otherCores: m.cpu?.other, kept: m === cleanest })),
            },
          };
        }
        const comparison = compare(scenario, measurement, outcomes);
        const file = values['no-record']
          ? undefined
          : recordRun(join(__dirname, 'results'), {
              scenario: scenario.name,
              measures: scenario.measures,
              date,
              commit,
              command,
              target: acquired.target.description,
              load,
              machine,
              measurement,
              comparison,
              note: values.note,
            });
        outcomes.push({ scenario, measurement, comparison, file });
        if (measurement.cpu)
          report(
            `  CPU over the measured window (cores): ${Object.entries(measurement.cpu.byProcess)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}, other ${measurement.cpu.other} (machine ${measurement.cpu.machineBusy} of ${measurement.cpu.cores})`,
          );
        if (measurement.apiStoreCalls) {
          const served = measurement.requests.total || 1;
          const calls = Object.entries(measurement.apiStoreCalls.byCommand).map(([k, v]) =>
            v / served >= 0.01 ? `${k} ${(v / served).toFixed(2)}` : `${k} ×${v}`,
          );
          const failed = Object.entries(measurement.apiStoreCalls.failed).map(([k, v]) => `${k} ×${v}`);
          report(`  API's SDK calls per request: ${calls.join(', ') || 'none'}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
        }
        if (comparison) report(`  ${describeComparison(comparison)}`);
        if (measurement.errors || measurement.non2xx)
          report(
            `  ⚠ ${measurement.errors} errors, ${measurement.non2xx} non-2xx answers (${JSON.stringify(measurement.statusCodes)}): the numbers describe a failing service`,
          );
      } catch (error) {
        report(`  ✗ ${scenario.name} failed: ${describeError(error)}`);
        outcomes.push({ scenario, error });
      }
    }
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await acquired.stop();
  }
  printSummary(outcomes);
  return outcomes.some((o) => o.error) ? 1 : 0;
}

/** The scenario's result against the one it is judged by, if that one ran earlier in this run. */
function compare(scenario: Scenario, measurement: Measurement, earlier: readonly Outcome[]): ComparisonResult | undefined {
  const spec = scenario.compare;
  const objective = scenario.objective?.reqPerSecAtLeast;
  const other = spec ? earlier.find((o) => o.scenario.name === spec.with && o.measurement) : undefined;
  const result: { -readonly [K in keyof ComparisonResult]?: ComparisonResult[K] } = {};
  if (objective !== undefined) {
    result.objective = `≥ ${objective} req/s`;
    result.objectiveMet = measurement.requests.perSecond.mean >= objective;
  }
  if (spec && other?.measurement) {
    const m = other.measurement;
    result.with = spec.with;
    result.kind = spec.kind;
    if (spec.kind === 'throughput') {
      result.ratio = round(measurement.requests.perSecond.mean / m.requests.perSecond.mean);
      result.other = { reqPerSec: m.requests.perSecond.mean, p95: m.latencyMs.p95 };
    } else {
      result.ratio = round(measurement.latencyMs.p95 / m.latencyMs.p95);
      result.other = { reqPerSec: m.requests.perSecond.mean, p95: m.latencyMs.p95 };
    }
    if (spec.atLeast !== undefined) result.met = result.ratio >= spec.atLeast;
    if (spec.atMost !== undefined) result.met = result.ratio <= spec.atMost;
    result.target = spec.atLeast !== undefined ? `≥ ${spec.atLeast}` : spec.atMost !== undefined ? `≤ ${spec.atMost}` : undefined;
  }
  return Object.keys(result).length ? result : undefined;
}

function describeComparison(c: ComparisonResult): string {
  const parts: string[] = [];
  if (c.objective) parts.push(`objective ${c.objective}: ${c.objectiveMet ? 'met' : 'MISSED'}`);
  if (c.ratio !== undefined) {
    const what = c.kind === 'throughput' ? `req/s ÷ ${c.with}'s (${c.other?.reqPerSec.toFixed(0)} req/s)` : `p95 ÷ ${c.with}'s (${c.other?.p95} ms)`;
    parts.push(`${what} = ${c.ratio}${c.target ? ` (target ${c.target}: ${c.met ? 'met' : 'MISSED'})` : ''}`);
  }
  return parts.join('; ');
}

/** Waits until other jobs use less than `maxOther` cores (3-s probes), for at most `budgetMs`. */
async function waitForOtherJobs(processes: Readonly<Record<string, number | readonly number[]>>, maxOther: number, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const other = await otherCpu(processes, 3);
    if (other < maxOther) return;
    if (Date.now() >= deadline) {
      report(`  ⚠ other jobs still use ${other} cores after ${Math.round(budgetMs / 60_000)} min; measuring anyway`);
      return;
    }
    report(`  waiting for other jobs: they use ${other} cores (want < ${maxOther}), ${Math.ceil((deadline - Date.now()) / 60_000)} min left`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function waitForQuietMachine(maxLoad: number, maxMinutes: number): Promise<void> {
  if (!Number.isFinite(maxLoad) || maxLoad <= 0) throw new Error('--quiet-machine needs a load average above 0');
  const deadline = Date.now() + maxMinutes * 60_000;
  for (;;) {
    const [one] = loadavg();
    if (one < maxLoad) {
      report(
        `machine quiet enough: load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} (< ${maxLoad})`,
      );
      return;
    }
    if (Date.now() >= deadline) {
      report(`⚠ load average still ${one.toFixed(2)} after ${maxMinutes} min (wanted < ${maxLoad}); measuring anyway — read the figures as a lower bound`);
      return;
    }
    report(
      `waiting for a quieter machine: load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (want < ${maxLoad}), ${Math.ceil((deadline - Date.now()) / 60_000)} min left`,
    );
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

/** SDK errors from the emulators can be bare ('UnknownError'); the status code says more. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}: ${error.message}${status ? ` (HTTP ${status})` : ''}`;
}

function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.includes('all')) return [...SCENARIOS];
  const expanded = names.flatMap((name) => GROUPS[name] ?? [name]);
  const unique = [...new Set(expanded)];
  return unique.map((name) => {
    const scenario = scenarioNamed(name);
    if (!scenario) throw new Error(`no scenario or group '${name}'; known: ${[...SCENARIOS.map((s) => s.name), ...Object.keys(GROUPS)].join(', ')}`);
    return scenario;
  });
}

function positiveInteger(value: string | undefined, flag: string, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1)) throw new Error(`${flag} must be a whole number${zeroAllowed ? '' : ' above 0'}, not '${value}'`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (!allowed.includes(value as T)) throw new Error(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

const round = (n: number) => Math.round(n * 100) / 100;

function printSummary(outcomes: readonly Outcome[]): void {
  const rows = outcomes.map(({ scenario, measurement: m, comparison: c, error, file }) =>
    m
      ? [
          scenario.name,
          m.requests.perSecond.mean.toFixed(0),
          String(m.latencyMs.p50),
          String(m.latencyMs.p95),
          String(m.latencyMs.p99),
          String(m.errors),
          String(m.non2xx),
          c?.objective ? `${c.objective} ${c.objectiveMet ? 'met' : 'MISSED'}` : '',
          c?.ratio !== undefined
            ? `${c.ratio} (${c.kind === 'p95' ? 'p95' : 'req/s'} vs ${c.with}${c.target ? `; ${c.target} ${c.met ? 'met' : 'MISSED'}` : ''})`
            : '',
          file ? file.slice(file.indexOf('bench/')) : '(not recorded)',
        ]
      : [scenario.name, 'failed', '', '', '', '', '', '', '', error instanceof Error ? error.message.slice(0, 60) : ''],
  );
  const header = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'objective', 'ratio', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i > 0 && i < 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    report(`bench: ${describeError(error)}`);
    process.exit(1);
  },
);
