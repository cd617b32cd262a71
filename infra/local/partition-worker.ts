import { parentPort, workerData } from 'node:worker_threads';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { TenantObjects } from '../../core/adapters/s3/tenant-objects';
import type { Settings } from '../../core/config/settings';
import { NotFound, StewardError, ValidationFailed } from '../../core/errors';
import type { PartitionScoringRequest } from '../../core/ports/partition-scorer';
import { scoreStoredPartition } from '../../serving/batch/stored-partition';
import { StoredModels } from '../../serving/batch/stored-models';
import type { PartitionJobMessage, PartitionResult, PartitionWorkerAnswer, SerializedError } from './partition-worker-messages';

/**
 * One thread of the local partition worker pool (partition-worker-pool.ts):
 * scores the partitions it is handed with the serving batch engine, reading
 * and writing the tenant's objects through its own S3 client over the same
 * emulator as the API, bound to the tenant the job names — the same
 * TenantObjects the platform gives that tenant. Models stay loaded between
 * partitions of a job.
 */
const settings = workerData as Settings;
const { s3 } = createAwsClients(settings);
const models = new StoredModels();
const port = parentPort!;

port.on('message', (message: PartitionJobMessage) => {
  void run(message.tenantId, message.request).then((result) => {
    const answer: PartitionWorkerAnswer = { id: message.id, ...result };
    port.postMessage(answer);
  });
});

async function run(tenantId: string, request: PartitionScoringRequest): Promise<PartitionResult> {
  try {
    const objects = new TenantObjects(s3, settings.STEWARD_BUCKET_NAME, tenantId);
    return { ok: true, outcome: await scoreStoredPartition(objects, request, models) };
  } catch (error) {
    return { ok: false, error: serialize(error) };
  }
}

function serialize(error: unknown): SerializedError {
  if (error instanceof ValidationFailed) return { name: 'ValidationFailed', message: error.message, fields: [...error.fields] };
  if (error instanceof NotFound)
    return { name: 'NotFound', message: error.message, resource: error.resource, ...(error.id !== undefined ? { id: error.id } : {}) };
  if (error instanceof StewardError) return { name: error.name, message: error.message };
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}
