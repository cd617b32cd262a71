import type { DependencyHealth, HealthProbe } from '../ports/health-probe';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly checkedAt: string;
  readonly dependencies: readonly DependencyHealth[];
}

/**
 * Probes every dependency in parallel, each bounded by a timeout. Results are
 * reused for `cacheMs` so that a health-check storm (load balancers, monitors,
 * a benchmark) does not become a storm on the table and the bucket.
 */
export class HealthCheck {
  private cached?: { at: number; report: Promise<HealthReport> };

  constructor(
    private readonly probes: readonly HealthProbe[],
    private readonly options: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {},
  ) {}

  report(): Promise<HealthReport> {
    const now = (this.options.now ?? Date.now)();
    const cacheMs = this.options.cacheMs ?? 1000;
    if (this.cached && now - this.cached.at < cacheMs) return this.cached.report;
    const report = this.run();
    this.cached = { at: now, report };
    return report;
  }

  private async run(): Promise<HealthReport> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const dependencies = await Promise.all(this.probes.map((probe) => probeOnce(probe, timeoutMs)));
    return {
      status: dependencies.every((d) => d.status === 'ok') ? 'ok' : 'degraded',
      checkedAt: new Date().toISOString(),
      dependencies,
    };
  }
}

async function probeOnce(probe: HealthProbe, timeoutMs: number): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      probe.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: probe.name, status: 'ok', detail, latencyMs: elapsed(started) };
  } catch (error) {
    return { name: probe.name, status: 'failing', detail: error instanceof Error ? error.message : String(error), latencyMs: elapsed(started) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
