import type { LoadSettings, MeasuredWindow, Measurement } from '../scenarios/scenario';
import { NO_WINDOW } from './cpu-usage';
import { round, SampleBuffer, summarizeLatencies } from './latency-summary';

/**
 * Drives an async operation from N concurrent callers, each starting its next
 * call as soon as the previous one ends (the same closed loop autocannon runs
 * over HTTP), so SDK-level baselines and API scenarios compare like for like.
 *
 * @param operation one call; `caller` is 0..N-1, `iteration` counts that caller's calls
 */
export async function runClosedLoop(
  title: string,
  operation: (caller: number, iteration: number) => Promise<unknown>,
  settings: LoadSettings,
  report: (line: string) => void,
  window: MeasuredWindow = NO_WINDOW,
): Promise<Measurement> {
  if (settings.warmupSeconds > 0) await phase(`${title} warm-up`, operation, settings.connections, settings.warmupSeconds, report);
  await window.begin();
  const run = await phase(title, operation, settings.connections, settings.durationSeconds, report);
  const facts = await window.end();
  const perSecond = run.perSecond;
  const mean = perSecond.reduce((a, b) => a + b, 0) / Math.max(perSecond.length, 1);
  const stddev = Math.sqrt(perSecond.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(perSecond.length, 1));
  return {
    driver: 'closed-loop',
    connections: settings.connections,
    durationSeconds: round(run.elapsedSeconds),
    warmupSeconds: settings.warmupSeconds,
    requests: {
      total: run.latencies.count + run.errors,
      perSecond: { mean: round(mean), stddev: round(stddev), min: Math.min(...perSecond), max: Math.max(...perSecond) },
    },
    latencyMs: summarizeLatencies(run.latencies.values()),
    errors: run.errors,
    non2xx: 0,
    statusCodes: { '200': run.latencies.count },
    ...facts,
  };
}

async function phase(
  label: string,
  operation: (caller: number, iteration: number) => Promise<unknown>,
  callers: number,
  seconds: number,
  report: (line: string) => void,
) {
  const latencies = new SampleBuffer();
  const perSecond: number[] = [];
  let errors = 0;
  let firstError: unknown;
  let completedThisSecond = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const ticker = setInterval(() => {
    perSecond.push(completedThisSecond);
    report(`  ${label}: ${perSecond.length}/${seconds} s, ${completedThisSecond} calls in the last second, ${latencies.count} so far`);
    completedThisSecond = 0;
  }, 1000);
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let iteration = 0; performance.now() < deadline; iteration++) {
        const t0 = performance.now();
        try {
          await operation(caller, iteration);
          latencies.push(performance.now() - t0);
          completedThisSecond++;
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  clearInterval(ticker);
  if (firstError)
    report(`  ${label}: ${errors} calls failed; first: ${firstError instanceof Error ? `${firstError.name}: ${firstError.message}` : String(firstError)}`);
  return { latencies, perSecond: perSecond.length ? perSecond : [latencies.count], errors, elapsedSeconds: (performance.now() - started) / 1000 };
}
