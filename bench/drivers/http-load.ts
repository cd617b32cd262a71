import autocannon from 'autocannon';
import type { LoadSettings, MeasuredWindow, Measurement } from '../scenarios/scenario';
import { NO_WINDOW } from './cpu-usage';
import { SampleBuffer, summarizeLatencies } from './latency-summary';

export interface HttpRequestShape {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, appended to the origin of `url`. */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface HttpLoad {
  readonly title: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /**
   * Varies the request: called before every request autocannon sends (e.g. to
   * spread writes over many models, or reads over many keys). What it returns
   * overrides method/path/headers/body; absent fields keep the defaults above.
   */
  readonly next?: (sequence: number) => HttpRequestShape;
}

/**
 * Drives one HTTP request shape with autocannon: a discarded warm-up, then the
 * measured run. autocannon's progress bar on a terminal; one line per second
 * otherwise (CI logs, piped output).
 */
export async function runHttpLoad(
  load: HttpLoad,
  settings: LoadSettings,
  report: (line: string) => void,
  window: MeasuredWindow = NO_WINDOW,
): Promise<Measurement> {
  const options: autocannon.Options = {
    url: load.url,
    title: load.title,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: settings.connections,
    timeout: 10,
  };
  if (load.next) {
    const next = load.next;
    const basePath = new URL(load.url).pathname + new URL(load.url).search;
    let sequence = 0;
    options.requests = [
      {
        setupRequest: (request) => {
          const shape = next(sequence++);
          return {
            ...request,
            method: shape.method ?? load.method ?? 'GET',
            path: shape.path ?? basePath,
            headers: { ...load.headers, ...shape.headers },
            body: shape.body ?? load.body,
          };
        },
      },
    ];
  }
  if (settings.warmupSeconds > 0) await tracked({ ...options, duration: settings.warmupSeconds }, `${load.title} warm-up`, report);
  const latencies = new SampleBuffer();
  await window.begin();
  const result = await tracked({ ...options, duration: settings.durationSeconds }, load.title, report, latencies);
  const facts = await window.end();
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
    ...facts,
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
