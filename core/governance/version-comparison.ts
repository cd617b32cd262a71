import { z } from 'zod';
import { pad } from '../catalog/identifiers';
import { loadModelRecord } from '../catalog/models';
import { listModelVersions } from '../catalog/version-catalog';
import { loadVersion, type ModelVersion } from '../catalog/versions';
import { ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { EVALUATION_SOURCES, type EvaluationSource } from './approval-policy';
import { canonicalMetric, GATE_METRICS } from './gate-metrics';
import { countedMetrics } from './version-judgement';

export const MAX_COMPARED_VERSIONS = 20;
const DEFAULT_COMPARED_VERSIONS = 5;

const point = z.record(z.string(), z.number().nullable());
/** Curve sections an evaluation may store (`details`, written by platform evaluations): passed through for overlay charts. */
const CurvesSchema = z.object({
  rocCurve: z.array(point).optional(),
  precisionRecallCurve: z.array(point).optional(),
  calibration: z
    .object({ bins: z.array(point) })
    .passthrough()
    .optional(),
  residualHistogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).optional(),
});

/** An evaluation as this comparison reads it: loose about sections it does not need. */
const StoredEvaluationSchema = z.object({
  evaluationId: z.string(),
  metrics: z.record(z.string(), z.number()),
  createdAt: z.string(),
  createdBy: z.string(),
  source: z.enum(EVALUATION_SOURCES).optional(),
  dataset: z.object({ datasetId: z.string(), version: z.number() }).optional(),
  details: z.unknown().optional(),
});
type StoredEvaluation = z.infer<typeof StoredEvaluationSchema> & { source: EvaluationSource };

export const ComparedVersionSchema = z.object({
  version: z.number().int(),
  status: z.string(),
  stage: z.string().optional(),
  isChampion: z.boolean(),
  metrics: z.record(z.string(), z.number()),
  /** Candidate minus champion, per metric both have. */
  deltas: z.record(z.string(), z.number()),
  /** Whether the version is better than the champion on each metric with a known direction. */
  betterThanChampion: z.record(z.string(), z.boolean()),
  evaluations: z.array(
    z.object({
      evaluationId: z.string(),
      source: z.enum(EVALUATION_SOURCES),
      createdAt: z.string(),
      dataset: z.object({ datasetId: z.string(), version: z.number() }).optional(),
    }),
  ),
  curves: CurvesSchema.optional(),
});

export const ComparisonSchema = z.object({
  modelId: z.string(),
  modelName: z.string(),
  sources: z.array(z.enum(EVALUATION_SOURCES)),
  champion: z.object({ version: z.number().int(), metrics: z.record(z.string(), z.number()) }).nullable(),
  /** Every metric any compared version has, in a stable order. */
  metrics: z.array(z.object({ name: z.string(), higherIsBetter: z.boolean().nullable() })),
  versions: z.array(ComparedVersionSchema),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const CompareQuery = z.object({
  versions: z
    .string()
    .regex(/^\d{1,8}(,\d{1,8}){0,19}$/, 'comma-separated version numbers, at most 20')
    .optional(),
  sources: z
    .string()
    .regex(/^(platform|person)(,(platform|person))?$/, 'platform, person or platform,person')
    .optional(),
});

async function storedEvaluations(scope: TenantScope, modelId: string, version: number): Promise<StoredEvaluation[]> {
  const out: StoredEvaluation[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.table.query({ partition: ['MODEL', modelId], sortBeginsWith: `E#${pad(version)}#`, limit: 100, cursor });
    for (const item of page.items) {
      const e = StoredEvaluationSchema.parse(item);
      out.push({ ...e, source: e.source ?? (e.createdBy.startsWith('pipeline:') ? 'platform' : 'person') });
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * Versions of one model side by side: each one's latest counted value of
 * every metric, its delta against the champion (the model's `champion`
 * alias), which way is better, the evaluations read, and the curve data of
 * its latest evaluation that stored curves (ROC, precision-recall,
 * calibration, residuals) for overlay. One call, one model.
 */
export async function compareVersions(scope: TenantScope, modelId: string, query: z.infer<typeof CompareQuery>): Promise<Comparison> {
  const model = await loadModelRecord(scope.table, modelId);
  const sources: EvaluationSource[] = query.sources ? [...new Set(query.sources.split(',') as EvaluationSource[])] : [...EVALUATION_SOURCES];
  let versions: ModelVersion[];
  if (query.versions) {
    const numbers = [...new Set(query.versions.split(',').map(Number))];
    if (numbers.some((n) => n < 1)) throw new ValidationFailed('version numbers start at 1', [{ field: 'query.versions', problem: 'a number below 1' }]);
    if (numbers.length > MAX_COMPARED_VERSIONS)
      throw new ValidationFailed(`compare at most ${MAX_COMPARED_VERSIONS} versions`, [{ field: 'query.versions', problem: 'too many' }]);
    versions = await Promise.all(numbers.map((n) => loadVersion(scope.table, modelId, n)));
  } else {
    versions = (await listModelVersions(scope, modelId, { limit: DEFAULT_COMPARED_VERSIONS, order: 'desc' })).items.reverse();
  }
  const championNumber = model.aliases.champion;
  const evaluationsOf = new Map<number, Promise<StoredEvaluation[]>>();
  const read = (n: number) => {
    if (!evaluationsOf.has(n)) evaluationsOf.set(n, storedEvaluations(scope, modelId, n));
    return evaluationsOf.get(n)!;
  };
  const champion = championNumber !== undefined ? { version: championNumber, metrics: countedMetrics(await read(championNumber), sources).metrics } : null;
  const compared = await Promise.all(
    versions.map(async (v) => {
      const evaluations = (await read(v.version)).filter((e) => sources.includes(e.source));
      const { metrics } = countedMetrics(evaluations, sources);
      const deltas: Record<string, number> = {};
      const better: Record<string, boolean> = {};
      if (champion) {
        for (const [name, value] of Object.entries(metrics)) {
          const reference = champion.metrics[name];
          if (typeof reference !== 'number') continue;
          deltas[name] = value - reference;
          const known = canonicalMetric(name);
          if (known && value !== reference) better[name] = GATE_METRICS[known].higherIsBetter ? value > reference : value < reference;
        }
      }
      const withCurves = [...evaluations].reverse().find((e) => CurvesSchema.safeParse(e.details).success && e.details !== undefined && e.details !== null);
      const curves = withCurves ? CurvesSchema.parse(withCurves.details) : undefined;
      return {
        version: v.version,
        status: v.status,
        ...(v.stage ? { stage: v.stage } : {}),
        isChampion: v.version === championNumber,
        metrics,
        deltas,
        betterThanChampion: better,
        evaluations: evaluations.map((e) => ({
          evaluationId: e.evaluationId,
          source: e.source,
          createdAt: e.createdAt,
          ...(e.dataset ? { dataset: e.dataset } : {}),
        })),
        ...(curves && Object.keys(curves).length > 0 ? { curves } : {}),
      };
    }),
  );
  const names = [...new Set(compared.flatMap((v) => Object.keys(v.metrics)))].sort();
  return {
    modelId,
    modelName: model.name,
    sources,
    champion,
    metrics: names.map((name) => {
      const known = canonicalMetric(name);
      return { name, higherIsBetter: known ? GATE_METRICS[known].higherIsBetter : null };
    }),
    versions: compared,
  };
}
