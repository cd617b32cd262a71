import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commandLine, describeMachine, gitCommit, recordRun } from './record';
import { SCENARIOS, scenarioNamed } from './scenarios';
import type { LoadSettings, Measurement, Requirement, Scenario } from './scenarios/scenario';
import { acquireTarget } from './target';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Steward benchmarks (never run in CI or by the test suite).

  npm run bench [-- [scenario ...] [options]]

Scenarios (default: health):
${SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.measures}`).join('\n')}
  all                every scenario above, against one platform

Target (default: start a fresh local platform, or only the stand-ins the
scenarios need, on free ports, and stop it afterwards). Giving any endpoint
starts nothing; give every endpoint the selected scenarios need:
  --url <url>                 a running API, e.g. http://127.0.0.1:7700
  --dynamodb-endpoint <url>   DynamoDB for the dynamodb-* scenarios (npm start: :7701)
  --s3-endpoint <url>         S3 for scoring-invoke (npm start: :7702)
  --scoring-endpoint <url>    the scoring gateway for scoring-* (npm start: :7703)

Options:
  --connections <n>           override each scenario's concurrency
  --duration <seconds>        override each scenario's measured duration
  --warmup <seconds>          override each scenario's warm-up
  --note <text>               kept with the result (why this run, what differs)
  --no-record                 print only; write nothing to bench/results
  --keep-data                 keep the temporary data folder and logs of a self-started platform
  --list                      list scenarios and exit
`;

const report = (line: string) => process.stderr.write(`${line}\n`);

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
      scenario: { type: 'string', multiple: true },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
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
  const requirements = new Set<Requirement>(scenarios.flatMap((s) => s.requires));
  const commit = gitCommit(process.cwd());
  const command = commandLine(args);

  const acquired = await acquireTarget(
    requirements,
    { apiUrl: values.url, dynamodbEndpoint: values['dynamodb-endpoint'], s3Endpoint: values['s3-endpoint'], scoringEndpoint: values['scoring-endpoint'] },
    { keepData: values['keep-data'], report },
  );
  const outcomes: { scenario: Scenario; measurement?: Measurement; error?: unknown; file?: string }[] = [];
  const stopOnSignal = () => {
    report('\ninterrupted; stopping what the bench started…');
    void acquired.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    report(`target: ${acquired.target.description}`);
    for (const scenario of scenarios) {
      const load: LoadSettings = {
        connections: overrides.connections ?? scenario.defaults.connections,
        durationSeconds: overrides.durationSeconds ?? scenario.defaults.durationSeconds,
        warmupSeconds: overrides.warmupSeconds ?? scenario.defaults.warmupSeconds,
      };
      report(`\n▶ ${scenario.name}: ${scenario.measures}\n  ${load.connections} connections, ${load.warmupSeconds} s warm-up, ${load.durationSeconds} s measured`);
      const machine = describeMachine();
      const date = new Date().toISOString();
      try {
        const measurement = await scenario.run({ target: acquired.target, load, report });
        const file = values['no-record']
          ? undefined
          : recordRun(join(__dirname, 'results'), { scenario: scenario.name, measures: scenario.measures, date, commit, command, target: acquired.target.description, load, machine, measurement, note: values.note });
        outcomes.push({ scenario, measurement, file });
        if (measurement.errors || measurement.non2xx) report(`  ⚠ ${measurement.errors} errors, ${measurement.non2xx} non-2xx answers (${JSON.stringify(measurement.statusCodes)}): the numbers describe a failing service`);
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

/** SDK errors from the emulators can be bare ('UnknownError'); the status code says more. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}: ${error.message}${status ? ` (HTTP ${status})` : ''}`;
}

function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.includes('all')) return [...SCENARIOS];
  return names.map((name) => {
    const scenario = scenarioNamed(name);
    if (!scenario) throw new Error(`no scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  });
}

function positiveInteger(value: string | undefined, flag: string, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1)) throw new Error(`${flag} must be a whole number${zeroAllowed ? '' : ' above 0'}, not '${value}'`);
  return n;
}

function printSummary(outcomes: readonly { scenario: Scenario; measurement?: Measurement; error?: unknown; file?: string }[]): void {
  const rows = outcomes.map(({ scenario, measurement: m, error, file }) =>
    m
      ? [scenario.name, m.requests.perSecond.mean.toFixed(0), String(m.latencyMs.p50), String(m.latencyMs.p97_5), String(m.latencyMs.p99), String(m.errors), String(m.non2xx), file ? file.slice(file.indexOf('bench/')) : '(not recorded)']
      : [scenario.name, 'failed', '', '', '', '', '', error instanceof Error ? error.message.slice(0, 60) : ''],
  );
  const header = ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'non-2xx', 'result'];
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
