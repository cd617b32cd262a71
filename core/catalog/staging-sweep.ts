import type { Platform } from '../platform/platform';
import { TenantRegistry } from '../tenancy/tenant-registry';
import { sweepStaging } from './staged-uploads';

/**
 * Expires staged uploads of every tenant (core/catalog/staged-uploads.ts) on
 * a timer. Local mode runs it in process (infra/local/local-platform.ts); on
 * AWS the bucket's lifecycle rule removes the objects of `staging/` after a
 * day, and the same sweep, run on a schedule, would release their reservations.
 */
export class StagingSweep {
  private timer?: ReturnType<typeof setInterval>;
  private running?: Promise<number>;

  constructor(
    private readonly platform: () => Platform,
    private readonly options: { everyMs: number } = { everyMs: 10 * 60 * 1000 },
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.sweep(), this.options.everyMs);
    this.timer.unref?.();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every tenant; returns how many staged uploads expired. Overlapping calls share the pass under way. */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const platform = this.platform();
    const registry = new TenantRegistry(platform.platformTable());
    let removed = 0;
    let cursor: string | undefined;
    do {
      const page = await registry.list({ limit: 100, cursor });
      for (const tenant of page.items) {
        try {
          removed += await sweepStaging(platform.tenantTable(tenant.tenantId), platform.tenantObjects(tenant.tenantId), platform.now());
        } catch (error) {
          platform.log.warn('staging sweep failed for a tenant', { tenantId: tenant.tenantId, error: error instanceof Error ? error.message : String(error) });
        }
      }
      cursor = page.cursor;
    } while (cursor);
    return removed;
  }
}
