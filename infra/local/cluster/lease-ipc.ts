import type { Worker } from 'node:cluster';
import type { RateLeaseTransport } from '../../../core/tenancy/leased-rate-limiter';
import type { LeaseAnswer, TenantTokenBuckets } from '../../../core/tenancy/tenant-token-buckets';
import { GIVE_BACK, GiveBackSchema, LEASE, LeaseReplySchema, LeaseRequestSchema, type LeaseReply } from './worker-messages';

/**
 * The worker's side of the tenant rate limit over the cluster IPC channel
 * (process.send to the primary, replies matched by id).
 */
export class ClusterLeaseTransport implements RateLeaseTransport {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: LeaseAnswer) => void; reject: (error: Error) => void }>();

  constructor(private readonly channel: NodeJS.Process = process) {
    channel.on('message', (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type !== LEASE) return;
      const reply = LeaseReplySchema.safeParse(message);
      if (!reply.success) return;
      const waiter = this.pending.get(reply.data.id);
      this.pending.delete(reply.data.id);
      waiter?.resolve(reply.data);
    });
    channel.on('disconnect', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('the primary process is gone (IPC channel closed)'));
      this.pending.clear();
    });
  }

  lease(tenantId: string, rate: number, wanted: number): Promise<LeaseAnswer> {
    return new Promise((resolve, reject) => {
      if (!this.channel.send || !this.channel.connected) return reject(new Error('no IPC channel to the primary process'));
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.channel.send({ type: LEASE, id, tenantId, rate, wanted });
    });
  }

  giveBack(tenantId: string, rate: number, tokens: number): void {
    if (this.channel.connected) this.channel.send?.({ type: GIVE_BACK, tenantId, rate, tokens });
  }
}

/** The primary's side: answers a worker's lease requests and give-backs from the one set of buckets. */
export function answerLeases(worker: Worker, buckets: TenantTokenBuckets): void {
  worker.on('message', (message: unknown) => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === LEASE) {
      const request = LeaseRequestSchema.safeParse(message);
      if (!request.success) return;
      const { id, tenantId, rate, wanted } = request.data;
      const reply: LeaseReply = { type: LEASE, id, ...buckets.lease(tenantId, rate, wanted) };
      if (worker.isConnected()) worker.send(reply);
    } else if (type === GIVE_BACK) {
      const back = GiveBackSchema.safeParse(message);
      if (back.success) buckets.giveBack(back.data.tenantId, back.data.rate, back.data.tokens);
    }
  });
}
