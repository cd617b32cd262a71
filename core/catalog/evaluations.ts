import { z } from 'zod';
import { auditWrite } from '../audit/audit-event';
import { Conflict } from '../errors';
import { type EvaluationDetails, evaluationDetailsSchema } from '../evaluation/evaluation-details';
import type { TenantScope } from '../tenancy/tenant-scope';
import { newCatalogId, pad } from './identifiers';
import { loadVersion } from './versions';

export const RecordEvaluationInput = z.object({
  metrics: z
    .record(z.string().regex(/^[a-z][a-z0-9_.-]{0,40}$/i, 'metric names are identifiers'), z.number().finite())
    .refine((m) => Object.keys(m).length > 0, 'give at least one metric'),
  dataset: z.object({ datasetId: z.string().regex(/^[0-9a-z]{26}$/), version: z.number().int().min(1) }).optional(),
  executionId: z.string().max(200).optional(),
  notes: z.string().trim().max(2000).optional(),
});

/**
 * Who computed an evaluation: `platform` — an evaluation step scored the
 * version's own artifact on a held-out dataset (core/evaluation); `person` —
 * posted through the API by whoever holds the permission. Set by the caller's
 * code path, never by a request body, so posted numbers cannot pass as the
 * platform's. Records written before the mark are read by their author: a
 * pipeline principal (`pipeline:<executionId>`) is the platform.
 */
export const EvaluationSourceSchema = z.enum(['platform', 'person']);
export type EvaluationSource = z.infer<typeof EvaluationSourceSchema>;

export const EvaluationSchema = RecordEvaluationInput.extend({
  source: EvaluationSourceSchema,
  /** Curves, confusion matrix, calibration, importance and fairness of a platform evaluation. */
  details: evaluationDetailsSchema.optional(),
  evaluationId: z.string(),
  modelId: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** Keeps every evaluation of a version (never overwritten), so metrics can be plotted over time. */
export async function recordEvaluation(
  scope: TenantScope,
  modelId: string,
  number: number,
  input: z.infer<typeof RecordEvaluationInput>,
  origin: { source: EvaluationSource; details?: EvaluationDetails } = { source: 'person' },
): Promise<Evaluation> {
  const version = await loadVersion(scope.table, modelId, number);
  if (version.status !== 'evaluating' && version.status !== 'evaluated') {
    throw new Conflict(`evaluations are recorded while a version is evaluating or evaluated; version ${number} is ${version.status}`);
  }
  const now = scope.now();
  const evaluation: Evaluation = {
    ...input,
    // Only a pipeline computes platform evaluations; whatever a person posts is theirs.
    source: scope.principal.kind === 'pipeline' ? origin.source : 'person',
    ...(origin.details ? { details: evaluationDetailsSchema.parse(origin.details) } : {}),
    evaluationId: newCatalogId(now),
    modelId,
    version: number,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
  };
  await scope.table.transact([
    { kind: 'check', key: { partition: ['MODEL', modelId], sort: `V#${pad(number)}` }, expect: { revision: version.revision } },
    {
      kind: 'put',
      key: { partition: ['MODEL', modelId], sort: `E#${pad(number)}#${evaluation.evaluationId}` },
      item: { entity: 'evaluation', ...evaluation },
      expect: 'new',
    },
    auditWrite(scope.meta, 'version.evaluation-recorded', { type: 'version', id: `${modelId}-${number}` }, { after: evaluation }, now).write,
  ]);
  return evaluation;
}

export async function listEvaluations(scope: TenantScope, modelId: string, number: number): Promise<Evaluation[]> {
  const out: Evaluation[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.table.query<Evaluation & { entity?: string }>({
      partition: ['MODEL', modelId],
      sortBeginsWith: `E#${pad(number)}#`,
      limit: 100,
      cursor,
    });
    out.push(
      ...page.items.map(({ entity: _e, ...e }) =>
        EvaluationSchema.parse({ ...e, source: e.source ?? (e.createdBy.startsWith('pipeline:') ? 'platform' : 'person') }),
      ),
    );
    cursor = page.cursor;
  } while (cursor);
  return out;
}
