import { DatasetVersionFailed, datasetVersionPollInterval, pendingLabel, statusOf, waitUntilSettled } from '../../../web/src/lib/dataset-version-status';

describe('a dataset version’s status in the console', () => {
  it('reads a version without a status as ready (registered before profiling moved to a pipeline)', () => {
    expect(statusOf({})).toBe('ready');
    expect(pendingLabel({})).toBeUndefined();
  });

  it('polls a page while the version is pending, and stops once it is settled', () => {
    expect(datasetVersionPollInterval(undefined)).toBe(1000);
    expect(datasetVersionPollInterval({ status: 'pending' })).toBe(1000);
    expect(datasetVersionPollInterval({ status: 'ready' })).toBe(false);
    expect(datasetVersionPollInterval({ status: 'failed', statusReason: 'x' })).toBe(false);
  });

  it('labels list rows that are not ready, with the pipeline’s reason for a refusal', () => {
    expect(pendingLabel({ status: 'pending' })).toBe('being verified and profiled…');
    expect(pendingLabel({ status: 'failed', statusReason: 'malformed CSV at line 4, column 2' })).toBe('refused: malformed CSV at line 4, column 2');
  });

  it('waits through pending reads and returns the ready version', async () => {
    const reads = [{ status: 'pending' as const }, { status: 'pending' as const }, { status: 'ready' as const, rowCount: 569 }];
    let pending = 0;
    const version = await waitUntilSettled(async () => reads.shift()!, { sleep: async () => undefined, onPending: () => pending++ });
    expect(version).toEqual({ status: 'ready', rowCount: 569 });
    expect(pending).toBe(2);
  });

  it('throws the refusal with its reason, for the upload form to show in place', async () => {
    const read = async () => ({ status: 'failed' as const, statusReason: 'sha256 differs from the declared one' });
    await expect(waitUntilSettled(read, { sleep: async () => undefined })).rejects.toThrow(
      new DatasetVersionFailed('The file was refused: sha256 differs from the declared one. Fix it and upload it again.'),
    );
  });
});
