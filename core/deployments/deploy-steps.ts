import { auditWrite } from '../audit/audit-event';
import { loadVersion } from '../catalog/versions';
import { Conflict } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { type Deployment, deploymentWrite, endpointWrite, loadDeployment, requireEndpoint } from './deployment-records';
import type { DeploymentDeps } from './request-deployment';
import { switchServing } from './serving-switch';
import { smokeRow } from './smoke-row';

/**
 * The work of each state of `deploy` (state-machines/deploy.asl.json), one
 * function per state; the steps in functions/pipeline-steps/ only parse and
 * call these. Each loads the deployment it is given, so an execution started
 * by hand with a made-up id does nothing.
 */
export interface DeploymentRef {
  readonly endpointName: string;
  readonly deploymentId: string;
}

/** The smoke test got no usable answer from a variant. */
export class SmokeTestFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

async function deploying(scope: TenantScope, ref: DeploymentRef): Promise<Deployment> {
  const d = await loadDeployment(scope.table, ref.endpointName, ref.deploymentId);
  if (d.status !== 'deploying') throw new Conflict(`deployment ${d.deploymentId} is ${d.status}, not deploying`);
  return d;
}

/**
 * What the deploy machine's SageMaker service integrations need, from the
 * stored records only: the endpoint configuration to create, whether the
 * endpoint already exists (CreateEndpoint or UpdateEndpoint), and the live
 * deployment's configuration to restore should this one fail.
 */
export interface DeploymentPlan {
  readonly endpointName: string;
  readonly endpointExists: boolean;
  readonly config: Deployment['config'];
  readonly restore?: { readonly deploymentId: string; readonly config: Deployment['config'] };
}

export async function planDeployment(scope: TenantScope, deps: Pick<DeploymentDeps, 'control'>, ref: DeploymentRef): Promise<DeploymentPlan> {
  const d = await deploying(scope, ref);
  const endpoint = await requireEndpoint(scope.table, ref.endpointName);
  const live = endpoint.liveDeploymentId ? await loadDeployment(scope.table, ref.endpointName, endpoint.liveDeploymentId) : undefined;
  // The control plane, not the record, says whether the endpoint exists: a record can outlive an endpoint deleted by hand.
  const endpointExists = (await deps.control.describeEndpoint(d.servedName)) !== undefined;
  return {
    endpointName: d.servedName,
    endpointExists,
    config: d.config,
    ...(live ? { restore: { deploymentId: live.deploymentId, config: live.config } } : {}),
  };
}

/** The stored rules or scorecard document a variant serves (small JSON), for its smoke row; undefined for other runtimes or when it cannot be read. */
async function documentOf(scope: TenantScope, d: Deployment, variantName: string, runtime: string): Promise<Uint8Array | undefined> {
  if (runtime !== 'rules' && runtime !== 'scorecard') return undefined;
  const served = d.variants.find((s) => s.variantName === variantName);
  if (!served) return undefined;
  try {
    const version = await loadVersion(scope.table, served.modelId, served.version);
    return await scope.objects.getBytes(version.artifact.key);
  } catch (error) {
    scope.log.warn('smoke test: the served document could not be read; using a row of the schema', { variantName, error: (error as Error).message });
    return undefined;
  }
}

/** Scores a row the version accepts (smoke-row.ts) on every production variant (TargetVariant) and expects one prediction back from each. */
export async function smokeTest(
  scope: TenantScope,
  deps: DeploymentDeps,
  ref: DeploymentRef,
): Promise<{ variants: { variantName: string; answer: unknown }[] }> {
  const d = await deploying(scope, ref);
  const results: { variantName: string; answer: unknown }[] = [];
  for (const v of d.config.productionVariants) {
    const row = v.model.ioSchema ? smokeRow(v.model.runtime, v.model.ioSchema, await documentOf(scope, d, v.variantName, v.model.runtime)) : {};
    let answer: unknown;
    try {
      const out = await deps.invoker.invoke({
        endpointName: d.servedName,
        targetVariant: v.variantName,
        contentType: 'application/json',
        accept: 'application/json',
        body: new TextEncoder().encode(JSON.stringify([row])),
      });
      answer = JSON.parse(new TextDecoder().decode(out.body));
    } catch (error) {
      throw new SmokeTestFailed(`variant ${v.variantName} failed its smoke test: ${(error as Error).message}`, { cause: error });
    }
    const predictions = (answer as { predictions?: unknown[] } | undefined)?.predictions;
    if (!Array.isArray(predictions) || predictions.length !== 1)
      throw new SmokeTestFailed(`variant ${v.variantName} answered the smoke test without one prediction: ${JSON.stringify(answer).slice(0, 200)}`);
    results.push({ variantName: v.variantName, answer: predictions[0] });
  }
  return { variants: results };
}

/** The deployment goes live: the previous one is superseded, versions and the champion follow. */
export async function activateDeployment(scope: TenantScope, ref: DeploymentRef): Promise<{ deploymentId: string; status: 'live' }> {
  const d = await deploying(scope, ref);
  const endpoint = await requireEndpoint(scope.table, ref.endpointName);
  const live = endpoint.liveDeploymentId ? await loadDeployment(scope.table, ref.endpointName, endpoint.liveDeploymentId) : undefined;
  await switchServing(scope, {
    endpoint,
    ...(live ? { from: live } : {}),
    fromStatus: 'superseded',
    to: d,
    history: live ? [...endpoint.history, live.deploymentId] : endpoint.history,
    action: 'deployment.activated',
  });
  return { deploymentId: d.deploymentId, status: 'live' };
}

/** How the deploy machine's rollback branch ended: `outcome` when it succeeded, the caught error when it did not. */
export interface RestoreOutcome {
  readonly outcome?: 'restored' | 'removed' | 'nothing to restore';
  readonly Error?: string;
  readonly Cause?: string;
}

/**
 * Any failure: the deploy machine has already put the endpoint back to what was
 * live (UpdateEndpoint to its config) or removed an endpoint this deployment
 * created, and says how that went; here the deployment becomes `failed` with
 * the reason, in one transaction with its audit event.
 */
export async function recordDeploymentFailure(
  scope: TenantScope,
  ref: DeploymentRef,
  error: { Error?: string; Cause?: string },
  restored: RestoreOutcome,
): Promise<{ status: 'failed'; reason: string }> {
  const d = await loadDeployment(scope.table, ref.endpointName, ref.deploymentId);
  const reason = `${error.Error ?? 'Error'}: ${parseCause(error.Cause)}`.slice(0, 1000);
  if (d.status !== 'deploying') return { status: 'failed', reason };
  const endpoint = await requireEndpoint(scope.table, ref.endpointName).catch(() => undefined);
  const live = endpoint?.liveDeploymentId;
  const restore = restoreText(restored, live);
  if (restored.Error) scope.log.error('deployment restore failed', { deploymentId: d.deploymentId, error: restored.Error, cause: restored.Cause });
  const now = scope.now();
  const at = now.toISOString();
  const failed: Deployment = { ...d, status: 'failed', reason, endedAt: at, updatedAt: at, revision: d.revision + 1 };
  const writes = [deploymentWrite(failed, { revision: d.revision })];
  if (endpoint && endpoint.pendingDeploymentId === d.deploymentId) {
    const { pendingDeploymentId: _p, ...rest } = endpoint;
    writes.push(
      endpointWrite({ ...rest, status: live ? 'in-service' : 'deleted', updatedAt: at, revision: endpoint.revision + 1 }, { revision: endpoint.revision }),
    );
  }
  writes.push(
    auditWrite(
      scope.meta,
      'deployment.failed',
      { type: 'deployment', id: d.deploymentId },
      { before: { status: 'deploying' }, after: { status: 'failed', reason, restore } },
      now,
    ).write,
  );
  await scope.table.transact(writes);
  return { status: 'failed', reason };
}

function restoreText(restored: RestoreOutcome, live: string | undefined): string {
  if (restored.outcome === 'restored') return `restored deployment ${live ?? '(unknown)'}`;
  if (restored.outcome === 'removed') return 'removed the endpoint it had created';
  if (restored.outcome === 'nothing to restore') return 'nothing was live';
  // Removing an endpoint that was never created is nothing to undo.
  if (restored.Cause && /could not find endpoint/i.test(restored.Cause)) return 'nothing was created';
  return `could not restore: ${restored.Error ?? 'Error'}: ${parseCause(restored.Cause)}`.slice(0, 500);
}

/** Step Functions' Cause of a Lambda failure is a JSON document with errorMessage; locally it is the message. */
function parseCause(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
