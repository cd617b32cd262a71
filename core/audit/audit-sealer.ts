import type { MetadataTable } from '../ports/metadata-store';
import type { Log } from '../ports/log';
import { TenantRegistry } from '../tenancy/tenant-registry';
import { sealPending } from './audit-chain';

/** What request handling needs from sealing: a hint that a tenant has new events. */
export interface AuditSealing {
  nudge(tenantId: string): void;
}

/** Sealing where a DynamoDB stream does it (AWS): nothing to do in process. */
export const STREAM_SEALING: AuditSealing = { nudge: () => undefined };

/** The part of a Platform the sealer uses. */
export interface AuditSealerDeps {
  tenantTable(tenantId: string): MetadataTable;
  platformTable(): MetadataTable;
  readonly log: Log;
}

export interface AuditSealerOptions {
  /**
   * Period of the sweep over every tenant in the registry (and the platform's
   * own chain), which seals what no nudge announced: events written by
   * sign-in, sign-up, pipelines. Default 5000 ms; 0 disables the timer.
   */
  readonly sweepEveryMs?: number;
  /**
   * A nudge waits this long before sealing, and so does each run a nudge asks
   * for while another is in progress, so a burst of writes is sealed in few
   * batches. Default 20 ms.
   */
  readonly nudgeDelayMs?: number;
  /** Events sealed per run before yielding to other tenants. Default 1000. */
  readonly maxPerRun?: number;
  /** Events per seal transaction. Default 50. */
  readonly batch?: number;
  /** Tenants sealed at once during a sweep. Default 4. */
  readonly concurrency?: number;
}

interface Run {
  again: boolean;
  done: Promise<number>;
}

/**
 * The local, in-process sealer. `nudge(tenantId)` after a tenant's mutating
 * request seals its new events within milliseconds; a periodic sweep over the
 * tenant registry (a Query on its index, never a Scan) catches the rest. Runs
 * for one owner never overlap in this process (a nudge during a run asks for
 * one more run); runs in other processes may, and the chain's conditional
 * writes keep that safe.
 *
 * @example
 * const sealer = new AuditSealer(() => platform, { sweepEveryMs: 5000 }).start();
 * sealer.nudge(tenantId);
 * await sealer.stop();
 */
export class AuditSealer implements AuditSealing {
  private readonly runs = new Map<string, Run>();
  private readonly quietDeleted = new Set<string>();
  private timer?: ReturnType<typeof setInterval>;
  private sweeping?: Promise<number>;
  private stopped = false;
  private readonly deps: () => AuditSealerDeps;

  constructor(
    deps: AuditSealerDeps | (() => AuditSealerDeps),
    private readonly options: AuditSealerOptions = {},
  ) {
    this.deps = typeof deps === 'function' ? deps : () => deps;
  }

  /** Starts the periodic sweep (and one right away). */
  start(): this {
    const every = this.options.sweepEveryMs ?? 5000;
    this.stopped = false;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => void this.sweep(), every);
      this.timer.unref?.();
      void this.sweep();
    }
    return this;
  }

  /** Stops the sweep and waits for runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...[...this.runs.values()].map((r) => r.done), this.sweeping]);
  }

  nudge(tenantId: string): void {
    if (this.stopped) return;
    void this.sealTenant(tenantId);
  }

  /** Seals the tenant's pending events (joining a run in progress); resolves with how many this run sealed. */
  sealTenant(tenantId: string): Promise<number> {
    return this.schedule(`tenant:${tenantId}`, () => this.deps().tenantTable(tenantId));
  }

  sealPlatform(): Promise<number> {
    return this.schedule('platform', () => this.deps().platformTable());
  }

  /** One pass over the platform chain and every registered tenant; resolves with the number sealed. */
  sweep(): Promise<number> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const { log } = this.deps();
    let total = 0;
    try {
      total += await this.sealPlatform();
      const registry = new TenantRegistry(this.deps().platformTable());
      const concurrency = Math.max(1, this.options.concurrency ?? 4);
      let cursor: string | undefined;
      do {
        if (this.stopped) break;
        const page = await registry.list({ limit: 100, cursor });
        // A deleted tenant keeps its trail but gains no events after its deletion was sealed once.
        const due = page.items.filter((t) => !this.quietDeleted.has(t.tenantId));
        for (let i = 0; i < due.length && !this.stopped; i += concurrency) {
          const sealed = await Promise.all(due.slice(i, i + concurrency).map((t) => this.sealTenant(t.tenantId)));
          total += sealed.reduce((a, b) => a + b, 0);
        }
        for (const t of due) if (t.status === 'deleted') this.quietDeleted.add(t.tenantId);
        cursor = page.cursor;
      } while (cursor);
    } catch (error) {
      log.error('audit sweep failed', { error: describe(error) });
    }
    return total;
  }

  private schedule(owner: string, table: () => MetadataTable): Promise<number> {
    const current = this.runs.get(owner);
    if (current) {
      current.again = true;
      return current.done;
    }
    const run = { again: false } as Run;
    run.done = (async () => {
      const delay = this.options.nudgeDelayMs ?? 20;
      let total = 0;
      let full = false;
      do {
        // Nudges that arrived during the last run wait too, so a steady stream of
        // writes is sealed in batches of many events rather than run after run of a few.
        if (!full) await new Promise((resolve) => setTimeout(resolve, delay));
        run.again = false;
        const sealed = await this.sealOnce(owner, table);
        total += sealed;
        // A full run means more may wait; go again at once rather than leave them for the sweep.
        full = sealed >= (this.options.maxPerRun ?? 1000);
        if (full) run.again = true;
      } while (run.again && !this.stopped);
      return total;
    })().finally(() => this.runs.delete(owner));
    this.runs.set(owner, run);
    return run.done;
  }

  private async sealOnce(owner: string, table: () => MetadataTable): Promise<number> {
    try {
      return await sealPending(table(), { max: this.options.maxPerRun ?? 1000, batch: this.options.batch });
    } catch (error) {
      this.deps().log.error('audit sealing failed', { owner, error: describe(error) });
      return 0;
    }
  }
}

function describe(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { name: error.name, message: error.message } : { value: String(error) };
}
