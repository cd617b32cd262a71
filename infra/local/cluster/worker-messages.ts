import { z } from 'zod';

/**
 * What the primary of `npm start --workers n` and its workers say to each
 * other over the cluster IPC channel, and the configuration a worker is
 * forked with (the env variable STEWARD_WORKER_CONFIG, JSON).
 */

/** `leader`: bootstraps first, then runs the scheduler and the staging sweep; `follower`: serves. */
export const WorkerRoleSchema = z.enum(['leader', 'follower']);
export type WorkerRole = z.infer<typeof WorkerRoleSchema>;

export const WORKER_CONFIG_VARIABLE = 'STEWARD_WORKER_CONFIG';

export const WorkerConfigSchema = z.object({
  role: WorkerRoleSchema,
  /** How many workers serve (for sizing this one's batch threads). */
  workers: z.number().int().min(1),
  dataDir: z.string().min(1),
  apiPort: z.number().int().min(1).max(65535),
  scoringPort: z.number().int().min(1).max(65535),
  /** The stand-ins the primary started. */
  endpoints: z.object({ dynamodb: z.string(), s3: z.string(), scoring: z.string(), smtp: z.string().optional(), inbox: z.string().optional() }),
  /** Serve the console (the primary built it before forking). */
  console: z.boolean(),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export const LEASE = 'steward:rate-lease';
export const GIVE_BACK = 'steward:rate-give-back';
export const READY = 'steward:worker-ready';
export const FAILED = 'steward:worker-failed';
export const STOP = 'steward:worker-stop';

export const LeaseRequestSchema = z.object({
  type: z.literal(LEASE),
  id: z.number().int(),
  tenantId: z.string(),
  rate: z.number().positive(),
  wanted: z.number().int().positive(),
});
export const GiveBackSchema = z.object({ type: z.literal(GIVE_BACK), tenantId: z.string(), rate: z.number().positive(), tokens: z.number().int().positive() });
export const LeaseReplySchema = z.object({
  type: z.literal(LEASE),
  id: z.number().int(),
  granted: z.number().int().min(0),
  retryAfterSeconds: z.number().int().min(0),
  nextTokenInMs: z.number().min(0),
});
export type LeaseReply = z.infer<typeof LeaseReplySchema>;

/** A worker → primary message: ready to serve (both ports listened to), or could not start. */
export const WorkerStatusSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal(READY) }),
  z.object({ type: z.literal(FAILED), message: z.string() }),
]);

/**
 * What a worker runs beside the API: only the leader fires schedules and
 * sweeps staged uploads (each once, not once per worker); every worker runs its
 * own pipeline runner, audit sealer and hosted gateway, and a share of the
 * batch partition threads so that workers × threads ≈ cores.
 */
export function workerDuties(role: WorkerRole, workers: number, cores: number): { scheduler: boolean; stagingSweep: boolean; batchThreads: number } {
  const leader = role === 'leader';
  return { scheduler: leader, stagingSweep: leader, batchThreads: Math.max(1, Math.round(cores / workers)) };
}
