import { z } from 'zod';
import type { ScopedTable } from '../adapters/dynamodb/scoped-table';
import { Conflict, IllegalTransition, NotFound, StaleWrite } from '../errors';
import type { EvaluationResult } from './evaluate-model';
import type { TrainingResult } from './train-model';
import { modelNameSchema, type TrainingPlan } from './training-request';

/**
 * Model versions as the pipeline records them. This module is the one place
 * that knows how a version is stored; the model catalog will take over the
 * storage later, behind these same functions.
 *
 * Layout (tenant table): partition `PIPELINE-MODEL#<name>`, sort `VERSION#<000001>` for
 * a version, `VERSION-COUNTER` for the last number issued, `RUN#<runId>` for
 * the run that produced a version (so a retried step registers it once).
 */
export type ModelVersionStatus = 'REGISTERED' | 'EVALUATED' | 'PENDING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'FAILED';

const TRANSITIONS: Record<ModelVersionStatus, readonly ModelVersionStatus[]> = {
  REGISTERED: ['EVALUATED', 'FAILED'],
  EVALUATED: ['APPROVED', 'PENDING_APPROVAL', 'REJECTED', 'FAILED'],
  PENDING_APPROVAL: ['APPROVED', 'REJECTED'],
  APPROVED: [],
  REJECTED: [],
  FAILED: [],
};

export interface ApprovalDecisionRecord {
  readonly outcome: 'AUTO_APPROVED' | 'PENDING_APPROVAL' | 'REJECTED';
  readonly reasons: readonly string[];
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export interface ModelVersion {
  readonly modelName: string;
  readonly versionNumber: number;
  readonly versionId: string;
  readonly status: ModelVersionStatus;
  readonly task: TrainingPlan['task'];
  readonly algorithm: TrainingPlan['algorithm'];
  readonly target: string;
  readonly features: readonly string[];
  readonly hyperparameters: TrainingPlan['hyperparameters'];
  readonly artifactKey: string;
  readonly dataset: TrainingResult['dataset'];
  readonly training: Pick<TrainingResult, 'rowCount' | 'trainRows' | 'holdoutRows' | 'iterations' | 'converged' | 'trainingLoss' | 'durationMs'>;
  readonly evaluation?: Pick<EvaluationResult, 'metrics' | 'holdoutRows' | 'reportKey' | 'confusion'>;
  readonly decision?: ApprovalDecisionRecord;
  readonly failure?: { readonly error: string; readonly cause: string };
  readonly runId: string;
  readonly sourceExecutionId?: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-lock counter (ScopedTable's `revision`). */
  readonly revision: number;
}

export const versionRefSchema = z.object({ modelName: modelNameSchema, versionNumber: z.number().int().min(1) });
export type VersionRef = z.infer<typeof versionRefSchema>;

// Its own partition family, apart from the catalog's `MODEL#<modelId>`, until the catalog takes over.
const partition = (modelName: string) => ['PIPELINE-MODEL', modelName] as const;
const versionSort = (n: number) => `VERSION#${String(n).padStart(6, '0')}`;

export function versionIdOf(ref: VersionRef): string {
  return `${ref.modelName}@${ref.versionNumber}`;
}

export async function getModelVersion(table: ScopedTable, ref: VersionRef): Promise<ModelVersion | undefined> {
  return table.get<ModelVersion>({ partition: partition(ref.modelName), sort: versionSort(ref.versionNumber) });
}

/**
 * Registers the version a training run produced, numbering it after the
 * model's last version. Idempotent per run: a retried step gets the version
 * its first attempt registered.
 */
export async function registerModelVersion(
  table: ScopedTable,
  input: { plan: TrainingPlan; training: TrainingResult; actor: string; executionId?: string; now: () => Date },
): Promise<ModelVersion> {
  const { plan, training } = input;
  const key = partition(plan.modelName);
  for (let attempt = 0; ; attempt++) {
    const claimed = await table.get<{ versionNumber: number }>({ partition: key, sort: `RUN#${training.runId}` });
    if (claimed) {
      const existing = await getModelVersion(table, { modelName: plan.modelName, versionNumber: claimed.versionNumber });
      if (existing) return existing;
    }
    const counter = await table.get<{ latest: number; revision: number }>({ partition: key, sort: 'VERSION-COUNTER' });
    const versionNumber = (counter?.latest ?? 0) + 1;
    const at = input.now().toISOString();
    const record: ModelVersion = {
      modelName: plan.modelName,
      versionNumber,
      versionId: versionIdOf({ modelName: plan.modelName, versionNumber }),
      status: 'REGISTERED',
      task: plan.task,
      algorithm: plan.algorithm,
      target: plan.target,
      features: plan.features,
      hyperparameters: plan.hyperparameters,
      artifactKey: training.artifactKey,
      dataset: training.dataset,
      training: {
        rowCount: training.rowCount,
        trainRows: training.trainRows,
        holdoutRows: training.holdoutRows,
        iterations: training.iterations,
        converged: training.converged,
        trainingLoss: training.trainingLoss,
        durationMs: training.durationMs,
      },
      runId: training.runId,
      ...(input.executionId ? { sourceExecutionId: input.executionId } : {}),
      createdBy: input.actor,
      createdAt: at,
      updatedAt: at,
      revision: 1,
    };
    try {
      await table.transact([
        {
          kind: 'put',
          key: { partition: key, sort: 'VERSION-COUNTER' },
          item: { latest: versionNumber, revision: (counter?.revision ?? 0) + 1 },
          expect: counter ? { revision: counter.revision } : 'new',
        },
        { kind: 'put', key: { partition: key, sort: versionSort(versionNumber) }, item: { ...record }, expect: 'new' },
        { kind: 'put', key: { partition: key, sort: `RUN#${training.runId}` }, item: { versionNumber, createdAt: at }, expect: 'new' },
      ]);
      return record;
    } catch (error) {
      // Another registration of the same model (or a retry of this one) won the race: read again.
      if ((error instanceof StaleWrite || error instanceof Conflict) && attempt < 5) continue;
      throw error;
    }
  }
}

/**
 * Moves a version to `status` (setting the fields of `patch` too), enforcing
 * the version lifecycle. Writing the status it already has is allowed, so a
 * retried step does not fail on its own earlier success.
 */
export async function transitionModelVersion(
  table: ScopedTable,
  ref: VersionRef,
  status: ModelVersionStatus,
  patch: Partial<Pick<ModelVersion, 'evaluation' | 'decision' | 'failure'>>,
  now: () => Date,
): Promise<ModelVersion> {
  for (let attempt = 0; ; attempt++) {
    const current = await getModelVersion(table, ref);
    if (!current) throw new NotFound('model version', versionIdOf(ref));
    if (current.status !== status && !TRANSITIONS[current.status].includes(status)) {
      throw new IllegalTransition(current.status, status, TRANSITIONS[current.status]);
    }
    const next: ModelVersion = { ...current, ...patch, status, updatedAt: now().toISOString(), revision: current.revision + 1 };
    try {
      await table.transact([
        { kind: 'put', key: { partition: partition(ref.modelName), sort: versionSort(ref.versionNumber) }, item: { ...next }, expect: { revision: current.revision } },
      ]);
      return next;
    } catch (error) {
      if (error instanceof StaleWrite && attempt < 3) continue;
      throw error;
    }
  }
}

export function isFinalVersionStatus(status: ModelVersionStatus): boolean {
  return TRANSITIONS[status].length === 0;
}
