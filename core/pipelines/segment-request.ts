import { z } from 'zod';
import { CatalogIdSchema } from '../catalog/identifiers';
import { builtInAlgorithmSchema } from './training-templates';
import { hyperparametersSchema } from './training-request';

/** Most segments one run trains: a plan's items must stay inside Step Functions' 256 KiB state. */
export const MAX_SEGMENTS = 2_000;
/** Family names leave room for `.<segment>` within the catalog's 100-character model names. */
const FamilySchema = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, dash or underscore, starting with a letter or digit (a dot separates the segment)');

/**
 * The input of a `train-segments` execution: one model per value of a
 * segment column ("segments of one": per store, per region), each trained,
 * registered, evaluated on its own hold-out and judged by the policy
 * governing the project, all in one run.
 *
 * Catalog shape: each segment is its own model `<family>.<segment>` in the
 * project (tags `family:<family>` and `segment:<value>`), so each has its own
 * versions, champion alias, comparisons and approvals — the champion of
 * store 17 is judged against store 17's champion, never store 4's. A rerun
 * adds a version to each existing segment model.
 *
 * @example
 * { "projectId": "01jc…", "family": "demand", "dataset": { "datasetId": "01jd…", "version": 2 },
 *   "segmentColumn": "store", "target": "sales", "features": ["price", "promo"] }
 */
export const trainSegmentsInputSchema = z
  .object({
    projectId: CatalogIdSchema,
    family: FamilySchema,
    dataset: z.object({ datasetId: CatalogIdSchema, version: z.number().int().min(1) }).strict(),
    segmentColumn: z.string().min(1).max(200),
    target: z.string().min(1).max(200),
    /** Numeric feature columns; default: every numeric column but the target and the segment column. */
    features: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
    task: z.enum(['auto', 'binary', 'regression']).default('auto'),
    algorithm: builtInAlgorithmSchema.optional(),
    hyperparameters: hyperparametersSchema.optional(),
    evaluation: z
      .object({
        holdoutFraction: z.number().gt(0).lt(1).optional(),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
      })
      .strict()
      .optional(),
    /** Segments with fewer rows are not trained (listed as skipped). @default 10 */
    minRows: z.number().int().min(4).max(1_000_000).optional(),
    /** Permutation importance in each segment's evaluation (features × 5 scorings of its hold-out). @default true */
    importance: z.boolean().optional(),
    codeRevision: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export type TrainSegmentsInput = z.infer<typeof trainSegmentsInputSchema>;

/** What every segment's training shares (the Map hands it to each iteration beside its segment). */
export const segmentRunSchema = z.object({
  runId: z.string().min(1),
  projectId: CatalogIdSchema,
  family: z.string(),
  dataset: z.object({ datasetId: CatalogIdSchema, version: z.number().int(), sha256: z.string(), protectedAttributes: z.array(z.string()) }),
  segmentColumn: z.string(),
  target: z.string(),
  features: z.array(z.string()).min(1),
  task: z.enum(['binary', 'regression']),
  algorithm: builtInAlgorithmSchema.optional(),
  hyperparameters: hyperparametersSchema.optional(),
  evaluation: z.object({ holdoutFraction: z.number().optional(), seed: z.number().int().optional() }).optional(),
  minRows: z.number().int(),
  importance: z.boolean().optional(),
  codeRevision: z.string().optional(),
  startedBy: z.string(),
});
export type SegmentRun = z.infer<typeof segmentRunSchema>;

/** One Map item: kept small (index and value), the segment's rows are in the run's folder under its index. */
export const segmentItemSchema = z.object({ index: z.number().int().min(0), value: z.string(), rows: z.number().int() });
export type SegmentItem = z.infer<typeof segmentItemSchema>;

export const segmentPlanSchema = z.object({
  run: segmentRunSchema,
  segments: z.array(segmentItemSchema),
  /** Values not trained at all (too few rows); recorded in the summary with the reason. */
  skipped: z.array(z.object({ value: z.string(), rows: z.number().int(), reason: z.string() })),
});
export type SegmentPlan = z.infer<typeof segmentPlanSchema>;

export const segmentsFolder = (runId: string) => `segment-runs/${runId}/`;
export const segmentDataKey = (runId: string, index: number) => `${segmentsFolder(runId)}segments/${String(index).padStart(6, '0')}.csv`;
export const segmentSummaryKey = (runId: string) => `${segmentsFolder(runId)}summary.json`;

/**
 * The catalog name of a segment's model: `<family>.<value>`, the value's
 * characters outside the catalog's name alphabet replaced by `-` (values
 * that collide that way are refused by the plan).
 */
export function segmentModelName(family: string, value: string): string {
  const slug = value
    .trim()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 100 - family.length - 1);
  return `${family}.${slug.length > 0 ? slug : '-'}`;
}
