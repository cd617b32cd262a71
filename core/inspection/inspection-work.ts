import { createHash } from 'node:crypto';
import { ValidationFailed } from '../errors';
import { validateArtifact } from '../catalog/artifacts/validate-artifact';
import { MalformedDataset } from '../catalog/datasets/dataset-problems';
import { inspectDatasetObject } from '../catalog/datasets/inspect-dataset-object';
import type {
  ArtifactInspectionJob,
  ArtifactInspectionResult,
  DatasetInspectionJob,
  DatasetInspectionResult,
  InspectionJob,
  InspectionRefusal,
} from './inspection-job';
import { UrlObjectReader } from './url-object-reader';

/**
 * The inspections themselves, as the isolated worker runs them: read the one
 * object through its URL, hash it, and validate (artifacts) or profile
 * (datasets). Content problems come back as refusals; anything else throws.
 */
export async function runInspection(job: InspectionJob): Promise<ArtifactInspectionResult | DatasetInspectionResult> {
  return job.kind === 'artifact' ? inspectArtifact(job) : inspectDataset(job);
}

async function inspectArtifact(job: ArtifactInspectionJob): Promise<ArtifactInspectionResult> {
  const read = await new UrlObjectReader(job.url, 'artifact').readAll(job.size);
  if (read.truncated) {
    const problem = `the stored upload is larger than the declared ${job.size} bytes`;
    return { sha256: '0'.repeat(64), refusal: { message: `artifact rejected: ${problem}`, fields: [{ field: 'artifact.size', problem }] } };
  }
  const sha256 = createHash('sha256').update(read.bytes).digest('hex');
  if (sha256 !== job.expectedSha256) {
    const problem = `uploaded content hashes to ${sha256}, declared ${job.expectedSha256}`;
    return { sha256, refusal: { message: `artifact rejected: ${problem}`, fields: [{ field: 'artifact.sha256', problem }] } };
  }
  try {
    const validated = await validateArtifact({ format: job.format, bytes: read.bytes, ioSchema: job.ioSchema });
    return { sha256, summary: { ...validated.summary } };
  } catch (error) {
    if (error instanceof ValidationFailed) return { sha256, refusal: refusalOf(error) };
    throw error;
  }
}

async function inspectDataset(job: DatasetInspectionJob): Promise<DatasetInspectionResult> {
  const reader = new UrlObjectReader(job.url, 'dataset file');
  const storage = { open: () => reader.open(), ranges: async (_key: string, byteLength: number) => reader.ranges(byteLength) };
  const inspection = await inspectDatasetObject(storage, 'dataset file', job.format, { size: job.size, expectedSha256: job.expectedSha256 });
  return {
    sha256: inspection.sha256,
    bytes: inspection.bytes,
    profile: inspection.profile,
    problem: inspection.problem ? refusalOf(inspection.problem) : undefined,
  };
}

export function refusalOf(error: ValidationFailed): InspectionRefusal {
  return {
    message: error.message,
    fields: error.fields.map((f) => ({ field: f.field, problem: f.problem })),
    malformed: error instanceof MalformedDataset ? { format: error.format, problem: error.problem, location: { ...error.location } } : undefined,
  };
}

/** The refusal as the domain error it was on the other side. */
export function errorOf(refusal: InspectionRefusal): ValidationFailed {
  if (refusal.malformed) return new MalformedDataset(refusal.malformed.format, refusal.malformed.problem, refusal.malformed.location);
  return new ValidationFailed(refusal.message, refusal.fields);
}
