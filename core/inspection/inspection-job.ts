import { z } from 'zod';

/**
 * What crosses the boundary between the API and an isolated inspection, both
 * ways, parsed with zod on each side (the worker's answer is as untrusted as
 * the file it read). The worker gets a presigned GET URL for the one object
 * and nothing else.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ArtifactInspectionJob = z.object({
  kind: z.literal('artifact'),
  url: z.string().url(),
  /** The declared size: the worker reads no more than this. */
  size: z.number().int().positive(),
  format: z.string(),
  expectedSha256: Sha256,
  ioSchema: z.unknown(),
});
export type ArtifactInspectionJob = z.infer<typeof ArtifactInspectionJob>;

export const DatasetInspectionJob = z.object({
  kind: z.literal('dataset'),
  url: z.string().url(),
  size: z.number().int().positive(),
  format: z.enum(['csv', 'jsonl', 'parquet']),
  expectedSha256: Sha256.optional(),
});
export type DatasetInspectionJob = z.infer<typeof DatasetInspectionJob>;

export const InspectionJob = z.discriminatedUnion('kind', [ArtifactInspectionJob, DatasetInspectionJob]);
export type InspectionJob = z.infer<typeof InspectionJob>;

const Field = z.object({ field: z.string(), problem: z.string() });

/** A refusal as it crosses the boundary; rebuilt as ValidationFailed or MalformedDataset on the API side. */
export const InspectionRefusal = z.object({
  message: z.string(),
  fields: z.array(Field),
  malformed: z
    .object({
      format: z.string(),
      problem: z.string(),
      location: z.object({ line: z.number().optional(), column: z.number().optional(), row: z.number().optional() }),
    })
    .optional(),
});
export type InspectionRefusal = z.infer<typeof InspectionRefusal>;

export const ArtifactInspectionResult = z.object({
  sha256: Sha256,
  /** The validator's summary (validate-artifact.ts), stored with the version. */
  summary: z.record(z.string(), z.unknown()).optional(),
  refusal: InspectionRefusal.optional(),
});
export type ArtifactInspectionResult = z.infer<typeof ArtifactInspectionResult>;

export const DatasetInspectionResult = z.object({
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  /** The profile (checked against DatasetProfileSchema by the caller before it is stored). */
  profile: z.unknown().optional(),
  problem: InspectionRefusal.optional(),
});
export type DatasetInspectionResult = z.infer<typeof DatasetInspectionResult>;

/** The worker's first message: its modules are loaded and it waits for the job. */
export const WorkerReady = z.object({ ready: z.literal(true) });

/** The worker's one answer to the job. */
export const WorkerAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), failure: z.string() }),
]);
export type WorkerAnswer = z.infer<typeof WorkerAnswer>;

/**
 * What the API sends the inspector function on AWS: the job (its URL is the
 * function's only access) and the job's wall clock, shorter than the
 * function's own timeout so that JavaScript-level stalls are answered as a
 * named refusal; native work that never yields is ended by the function's
 * timeout, which the API maps to the same refusal.
 */
export const InspectorRequest = z.object({ job: InspectionJob, timeoutMs: z.number().int().positive() });
export type InspectorRequest = z.infer<typeof InspectorRequest>;

/** The inspector function's one answer: the result, a passed limit (named), or its own failure. */
export const InspectorAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('inspected'), result: z.unknown() }),
  z.object({ outcome: z.literal('refused'), refusal: InspectionRefusal }),
  z.object({ outcome: z.literal('failed'), failure: z.string() }),
]);
export type InspectorAnswer = z.infer<typeof InspectorAnswer>;
