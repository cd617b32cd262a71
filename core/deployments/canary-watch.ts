import { auditWrite } from '../audit/audit-event';
import { Conflict, StaleWrite } from '../errors';
import { setAlias } from '../catalog/version-catalog';
import { loadModelRecord } from '../catalog/models';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type Deployment, deploymentWrite, loadDeployment, servedVersionWrite } from './deployment-records';
import { rollbackEndpoint } from './endpoint-actions';
import { buildEndpointConfig, resolvedVariantsOf } from './endpoint-config';
import { forgetLiveDeployment } from './live-deployments';
import type { DeploymentDeps } from './request-deployment';
import { weighCanary } from './request-deployment';
import type { VariantStats } from './variant-counts';

export type CanaryVerdict = { action: 'none' } | { action: 'rollback'; reason: string } | { action: 'advance'; toStep: number; promote: boolean };

/** Pure: what the canary's numbers call for now. */
export function judgeCanary(d: Deployment, stats: VariantStats, now: Date): CanaryVerdict {
  const canary = d.canary;
  if (!canary || d.status !== 'live' || stats.requests < canary.minRequests) return { action: 'none' };
  if (stats.errorRate > canary.maxErrorRate) {
    return {
      action: 'rollback',
      reason: `canary ${canary.variantName} error rate ${stats.errorRate.toFixed(3)} over ${stats.requests} requests exceeded ${canary.maxErrorRate}`,
    };
  }
  if (stats.p99Ms > canary.maxLatencyMs) {
    return {
      action: 'rollback',
      reason: `canary ${canary.variantName} p99 latency ${stats.p99Ms.toFixed(1)} ms over ${stats.requests} requests exceeded ${canary.maxLatencyMs} ms`,
    };
  }
  if (now.getTime() - Date.parse(canary.stepStartedAt) < canary.bakeSeconds * 1000) return { action: 'none' };
  const toStep = canary.stepIndex + 1;
  return { action: 'advance', toStep, promote: toStep >= canary.steps.length || canary.steps[toStep] === 100 };
}

const busy = new Set<string>();
/** When each endpoint's canary was last weighed by this process: the shared counts are read at most four times a second per endpoint, not on every call. */
const lastWeighed = new Map<string, number>();
const WEIGH_EVERY_MS = 250;
/**
 * The weighing that follows the last calls of a burst, per endpoint: this
 * process's counts written first, then the canary weighed again. Longer than
 * the counts' flush period, so it usually finds its own buffer written.
 */
const trailing = new Map<string, { scope: TenantScope; deps: Pick<DeploymentDeps, 'control' | 'counts'>; d: Deployment }>();
const TRAILING_AFTER_MS = 1_250;

/**
 * Called after each scored request: rolls the canary back by itself when its
 * error rate or latency crosses a threshold, else moves it to the next step
 * once the bake period has passed, and promotes it after the last. The
 * numbers are every API process's (core/deployments/variant-counts.ts). One
 * evaluation per endpoint at a time, at most four a second per process; the
 * caller does not wait for it.
 *
 * A call weighed too soon after the previous one is not forgotten: a
 * trailing weighing follows every burst of calls, after this process has
 * written its counts. That is what makes the verdict certain once traffic
 * stops: each process reads the store after writing its own counts, so the
 * last of them to write reads everyone's. Without it, calls spread over
 * several processes could stop with enough requests in the store and no
 * process left to notice.
 */
export async function watchCanary(scope: TenantScope, deps: Pick<DeploymentDeps, 'control' | 'counts'>, d: Deployment): Promise<CanaryVerdict> {
  if (!d.canary) return { action: 'none' };
  const key = `${scope.table.identity}|${d.endpointName}`;
  scheduleTrailing(key, scope, deps, d);
  if (busy.has(key)) return { action: 'none' };
  const at = Date.now();
  if (at - (lastWeighed.get(key) ?? 0) < WEIGH_EVERY_MS) return { action: 'none' };
  lastWeighed.set(key, at);
  if (lastWeighed.size > 10_000) lastWeighed.delete(lastWeighed.keys().next().value!);
  return weigh(key, scope, deps, d);
}

function scheduleTrailing(key: string, scope: TenantScope, deps: Pick<DeploymentDeps, 'control' | 'counts'>, d: Deployment): void {
  const waiting = trailing.has(key);
  trailing.set(key, { scope, deps, d });
  if (waiting) return;
  setTimeout(() => {
    const last = trailing.get(key);
    trailing.delete(key);
    if (!last) return;
    void weighAfterFlush(key, last.scope, last.deps, last.d).catch((error: Error) =>
      last.scope.log.error('canary evaluation failed', { endpointName: last.d.endpointName, error: error.message }),
    );
  }, TRAILING_AFTER_MS).unref();
}

async function weighAfterFlush(key: string, scope: TenantScope, deps: Pick<DeploymentDeps, 'control' | 'counts'>, seen: Deployment): Promise<void> {
  await deps.counts.flush();
  if (busy.has(key)) return;
  // The deployment as stored now: another process may have rolled it back or moved it a step since.
  const d = await loadDeployment(scope.table, seen.endpointName, seen.deploymentId);
  if (!d.canary || d.status !== 'live') return;
  await weigh(key, scope, deps, d);
}

async function weigh(key: string, scope: TenantScope, deps: Pick<DeploymentDeps, 'control' | 'counts'>, d: Deployment): Promise<CanaryVerdict> {
  // Every process's calls (the store's counts), not only this one's.
  const verdict = judgeCanary(d, await deps.counts.stats(scope.table, d, d.canary!.variantName), scope.now());
  if (verdict.action === 'none') return verdict;
  if (busy.has(key)) return { action: 'none' };
  busy.add(key);
  const system: TenantScope = { ...scope, meta: { ...scope.meta, actor: 'system:canary' } };
  try {
    // Only the deployment that was weighed is rolled back: if it is no longer live, the verdict is moot.
    if (verdict.action === 'rollback') await rollbackEndpoint(system, deps, d.endpointName, verdict.reason, { expectLive: d.deploymentId });
    else await advanceCanary(system, deps, d, verdict.toStep, verdict.promote);
  } catch (error) {
    // Another process (or an operator) changed the endpoint first: its change stands, and this verdict is moot.
    if (!(error instanceof Conflict || error instanceof StaleWrite)) throw error;
    scope.log.info('canary verdict not applied: the endpoint changed meanwhile', {
      endpointName: d.endpointName,
      deploymentId: d.deploymentId,
      reason: error.message,
    });
    return { action: 'none' };
  } finally {
    busy.delete(key);
  }
  return verdict;
}

async function advanceCanary(scope: TenantScope, deps: Pick<DeploymentDeps, 'control'>, d: Deployment, toStep: number, promote: boolean): Promise<void> {
  const canary = d.canary!;
  const { production, shadows } = resolvedVariantsOf(d);
  const now = scope.now();
  const at = now.toISOString();
  const nextProduction = promote
    ? production
        .filter((r) => r.variant.variantName === canary.variantName)
        .map((r) => ({ ...r, variant: { ...r.variant, role: 'production' as const, weight: 1 } }))
    : weighCanary(production, { ...canary, stepIndex: toStep });
  const config = buildEndpointConfig({
    tenantId: scope.tenantId,
    deploymentId: d.deploymentId,
    step: toStep,
    production: nextProduction,
    shadows,
    ...(d.config.captureUri ? { captureUri: d.config.captureUri } : {}),
  });
  await deps.control.createModels(config);
  await deps.control.createEndpointConfig(config);
  await deps.control.createOrUpdateEndpoint(d.servedName, config);
  const { canary: _c, ...withoutCanary } = d;
  const next: Deployment = {
    ...(promote ? withoutCanary : { ...d, canary: { ...canary, stepIndex: toStep, stepStartedAt: at } }),
    variants: [...nextProduction, ...shadows].map((r) => r.variant),
    config,
    updatedAt: at,
    revision: d.revision + 1,
  };
  const dropped = d.variants.filter((v) => !next.variants.some((n) => n.variantName === v.variantName));
  await scope.table.transact([
    deploymentWrite(next, { revision: d.revision }),
    ...next.variants.map((v) => servedVersionWrite(next, v, 'live', at)),
    ...dropped.map((v) => servedVersionWrite(next, v, 'superseded', at)),
    auditWrite(
      scope.meta,
      promote ? 'deployment.canary-promoted' : 'deployment.canary-advanced',
      { type: 'deployment', id: d.deploymentId },
      { before: { variants: d.variants }, after: { variants: next.variants, step: toStep } },
      now,
    ).write,
  ]);
  forgetLiveDeployment(scope.table.identity, d.endpointName);
  if (promote) {
    const model = await loadModelRecord(scope.table, nextProduction[0].variant.modelId);
    const version = nextProduction[0].variant.version;
    if (model.aliases.challenger === version) await setAlias(scope, model.modelId, 'challenger', null);
    if (model.aliases.champion !== version) await setAlias(scope, model.modelId, 'champion', version);
  }
}
