/**
 * A dataset version is registered `pending` and becomes `ready` (hashed,
 * parsed, profiled) or `failed` (with the reason) when the profile-dataset
 * pipeline has read it. These helpers keep the console's pages honest about
 * which of the three they show, and let the upload form wait for the verdict.
 */

export type DatasetVersionStatus = 'pending' | 'ready' | 'failed';

export interface DatasetVersionState {
  readonly status?: DatasetVersionStatus;
  readonly statusReason?: string;
}

/** Stored versions from before the pipeline have no status: they were verified when registered. */
export function statusOf(version: DatasetVersionState): DatasetVersionStatus {
  return version.status ?? 'ready';
}

/** How often a page showing a pending version asks again; false once it is settled. */
export function datasetVersionPollInterval(version: DatasetVersionState | undefined): number | false {
  return !version || statusOf(version) === 'pending' ? 1000 : false;
}

/** The row label a list shows for a version that is not ready yet, or undefined for a ready one. */
export function pendingLabel(version: DatasetVersionState): string | undefined {
  const status = statusOf(version);
  if (status === 'pending') return 'being verified and profiled…';
  if (status === 'failed') return `refused: ${version.statusReason ?? 'the file could not be read'}`;
  return undefined;
}

export class DatasetVersionFailed extends Error {
  override readonly name = 'DatasetVersionFailed';
}

/**
 * Reads the version until it is settled. A failed one throws with the
 * pipeline's reason (the malformed line and column, the mismatching digest),
 * which the upload form shows in place; a ready one is returned.
 */
export async function waitUntilSettled<V extends DatasetVersionState>(
  read: () => Promise<V>,
  options: { intervalMs?: number; sleep?: (ms: number) => Promise<void>; onPending?: () => void } = {},
): Promise<V> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const version = await read();
    const status = statusOf(version);
    if (status === 'ready') return version;
    if (status === 'failed')
      throw new DatasetVersionFailed(`The file was refused: ${version.statusReason ?? 'it could not be read'}. Fix it and upload it again.`);
    options.onPending?.();
    await sleep(options.intervalMs ?? 500);
  }
}
