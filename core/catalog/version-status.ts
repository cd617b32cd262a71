import { IllegalTransition } from '../errors';

export const VERSION_STATUSES = [
  'registered',
  'training',
  'trained',
  'evaluating',
  'evaluated',
  'pending-approval',
  'approved',
  'rejected',
  'deployed',
  'retired',
  'failed',
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/**
 * The only moves a version's status can make. Imported (BYOM) versions go from
 * registered straight to evaluating; `failed` is reachable from every running
 * state; `deployed → approved` is an undeploy or a rollback away from it.
 */
export const VERSION_TRANSITIONS: Readonly<Record<VersionStatus, readonly VersionStatus[]>> = {
  registered: ['training', 'evaluating', 'retired'],
  training: ['trained', 'failed'],
  trained: ['evaluating', 'retired'],
  evaluating: ['evaluated', 'failed'],
  evaluated: ['pending-approval', 'evaluating', 'retired'],
  'pending-approval': ['approved', 'rejected'],
  approved: ['deployed', 'retired'],
  rejected: ['retired'],
  deployed: ['approved', 'retired'],
  retired: [],
  failed: ['retired'],
};

/** Governed moves: made only through approvals or deployments, which check their own policies. */
export const GOVERNED_STATUSES: ReadonlySet<VersionStatus> = new Set(['approved', 'rejected', 'deployed']);

export function assertVersionTransition(from: VersionStatus, to: VersionStatus): void {
  if (!VERSION_TRANSITIONS[from].includes(to)) throw new IllegalTransition(from, to, VERSION_TRANSITIONS[from]);
}
