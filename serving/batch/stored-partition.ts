import { Writable } from 'node:stream';
import { NotFound, StewardError, ValidationFailed } from '../../core/errors';
import type { TenantObjectStore } from '../../core/ports/object-store';
import type { PartitionScoringOutcome, PartitionScoringRequest } from '../../core/ports/partition-scorer';
import { CsvFormatError } from '../../core/tabular/csv-rows';
import { ArtifactUnavailable, InvalidArtifact } from '../artifacts/artifact-errors';
import { InvalidModelInput } from '../runtimes/runtime-errors';
import { MissingPassthroughColumn, scoreStream } from './score-stream';
import type { StoredModels } from './stored-models';

/** Rows per predict call: big enough to amortise a native run, small enough to bound memory. */
const PARTITION_BATCH_ROWS = 8192;

/** A sink that keeps what it is given, to be stored as one object at the end. */
class CollectedOutput extends Writable {
  readonly chunks: Buffer[] = [];
  bytes = 0;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(buffer);
    this.bytes += buffer.length;
    done();
  }

  body(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }
}

/**
 * One batch partition through the batch engine: the source object streams
 * from the tenant's objects into scoreStream (parse, schema check, model),
 * and the output (and, only when a row was refused, the rejected rows) are
 * stored under the tenant's keys the request names. The output part is
 * collected and put once: S3's multipart upload needs 5 MiB parts anyway, and
 * a partition's output is a fraction of its input.
 *
 * Every failure leaves as a core error, so the pipeline step (in process, or
 * on the far side of a worker) fails the job with a message naming the file.
 */
export async function scoreStoredPartition(
  objects: TenantObjectStore,
  request: PartitionScoringRequest,
  models: StoredModels,
): Promise<PartitionScoringOutcome> {
  try {
    const model = await models.load(objects, request.model);
    const output = new CollectedOutput();
    const rejected = new CollectedOutput();
    const input = await objects.getStream(request.source);
    let result;
    try {
      result = await scoreStream({
        model,
        input,
        inputFormat: 'csv',
        csvHeader: true,
        passthrough: request.passthrough,
        output,
        rejected,
        batchRows: PARTITION_BATCH_ROWS,
      });
    } finally {
      // A job stopped early (a header lacking an input) leaves the object's body unread: release its connection.
      (input as { destroy?: () => void }).destroy?.();
    }
    await objects.put(request.outputKey, output.body(), 'text/csv');
    if (result.rowsRejected > 0) await objects.put(request.rejectedKey, rejected.body(), 'text/csv');
    return { rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected, statistics: result.statistics };
  } catch (error) {
    throw asCoreError(error, request);
  }
}

function asCoreError(error: unknown, request: PartitionScoringRequest): Error {
  if (error instanceof StewardError) return error;
  const { source } = request;
  if (error instanceof MissingPassthroughColumn) {
    return new ValidationFailed(
      `${source} has no column '${error.column}' to pass through`,
      [{ field: 'passthrough', problem: `no column '${error.column}' in ${source}` }],
      { cause: error },
    );
  }
  if (error instanceof InvalidModelInput || error instanceof CsvFormatError) {
    return new ValidationFailed(`${source}: ${error.message}`, [{ field: 'input', problem: error.message }], { cause: error });
  }
  if (error instanceof InvalidArtifact) {
    return new ValidationFailed(
      `version ${request.model.version} cannot be loaded for batch scoring: ${error.message}`,
      [{ field: 'model.version', problem: error.problem }],
      { cause: error },
    );
  }
  if (error instanceof ArtifactUnavailable) return new NotFound('model artifact', request.model.artifactKey, { cause: error });
  // Anything else (a failing model, a dropped object stream) fails the partition as it is: the step's Retry decides by name.
  return error instanceof Error ? error : new Error(String(error));
}
