import autocannon from 'autocannon';
import type { LoadSettings, Measurement } from '../scenarios/scenario';
import { SampleBuffer, summarizeLatencies } from './latency-summary';

export interface HttpLoad {
  readonly title: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * Drives one HTTP request shape with autocannon: a discarded warm-up, then the
 * measured run. autocannon's progress bar on a terminal; one line per second
 * otherwise (CI logs, piped output).
 */
export async function runHttpLoad(load: HttpLoad, settings: LoadSettings, report: (line: string) => void): Promise<Measurement> {
  const options: autocannon.Options = {
    url: load.url,
    title: load.title,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: settings.connections,
    timeout: 10,
  };
  if (settings.warmupSeconds > 0) await tracked({ ...options, duration: settings.warmupSeconds }, `${load.title} warm-up`, report);
  const latencies = new SampleBuffer();
  const result = await tracked({ ...options, duration: settings.durationSeconds }, load.title, report, latencies);
  return {
    driver: 'autocannon',
    connections: settings.connections,
    durationSeconds: result.duration,
    warmupSeconds: settings.warmupSeconds,
    requests: {
      total: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
      perSecond: { mean: result.requests.mean, stddev: result.requests.stddev, min: result.requests.min, max: result.requests.max },
    },
    // Of 2xx answers, as autocannon counts them; failures are counted apart.
    latencyMs: summarizeLatencies(latencies.values()),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

async function tracked(options: autocannon.Options, label: string, report: (line: string) => void, latencies?: SampleBuffer): Promise<autocannon.Result> {
  const instance = autocannon(options);
  if (latencies) {
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  }
  if (process.stderr.isTTY) {
    autocannon.track(instance, { renderProgressBar: true, renderResultsTable: false });
  } else {
    let seconds = 0;
    let total = 0;
    instance.on('tick', (counter: { counter: number }) => {
      // autocannon ticks once more as it finishes; that second is not part of the run.
      if (seconds >= (options.duration ?? 0)) return;
      seconds += 1;
      total += counter.counter;
      report(`  ${label}: ${seconds}/${options.duration} s, ${counter.counter} req in the last second, ${total} so far`);
    });
  }
  return instance;
}
