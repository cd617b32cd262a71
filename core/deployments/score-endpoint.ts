import { DependencyFailed, ValidationFailed } from '../errors';
import { EndpointMissing, type InvocationAnswer, ModelFailed, ModelRefusedInput } from '../ports/endpoint-invoker';
import type { TenantScope } from '../tenancy/tenant-scope';
import { captureScoring } from './capture-buffer';
import { watchCanary } from './canary-watch';
import type { Deployment } from './deployment-records';
import { applyStoredDeployment } from './endpoint-actions';
import { cachedLiveDeployment, liveDeployment } from './live-deployments';
import { serveStoredDeployment } from './local-serving-sync';
import type { DeploymentDeps } from './request-deployment';

export interface ScoringAnswer {
  readonly endpointName: string;
  readonly deploymentId: string;
  readonly variant: string;
  readonly modelId: string;
  readonly version: number;
  readonly predictions: Array<Record<string, unknown> & { predictionId: string }>;
}

const decoder = new TextDecoder();

/**
 * Scores a request on a tenant's endpoint through InvokeEndpoint, exactly as
 * on SageMaker. Answers the predictions with the variant and version that
 * answered and a prediction id per row; counts the call for the variant
 * (the canary watches these), captures a sample, and replays the stored
 * deployment once when the serving side lost the endpoint (local gateway
 * restarted). The caller's rows are validated by the runtime against the
 * version's schema: a refusal names the row and field, as a 400.
 */
export async function scoreEndpoint(
  scope: TenantScope,
  deps: Pick<DeploymentDeps, 'control' | 'invoker' | 'counts'>,
  request: { endpointName: string; body: Uint8Array; contentType: string; random?: () => number },
): Promise<ScoringAnswer> {
  const deployment = cachedLiveDeployment(scope.table, request.endpointName) ?? (await liveDeployment(scope.table, request.endpointName));
  const syncing = serveStoredDeployment(scope.table, deps, deployment);
  if (syncing) await syncing;
  const started = performance.now();
  const invocation = {
    endpointName: deployment.servedName,
    body: request.body,
    contentType: request.contentType,
    accept: 'application/json',
    inferenceId: scope.meta.requestId,
  };
  let answer: InvocationAnswer;
  try {
    try {
      answer = await deps.invoker.invoke(invocation);
    } catch (error) {
      if (!(error instanceof EndpointMissing) || deps.control.kind !== 'local') throw error;
      // The local gateway keeps endpoints in memory; the stored deployment is the truth, so serve it again.
      await applyStoredDeployment(deps, deployment);
      answer = await deps.invoker.invoke(invocation);
    }
  } catch (error) {
    const latency = performance.now() - started;
    if (error instanceof ModelRefusedInput) {
      throw new ValidationFailed(`the model refused the input: ${error.message}`, [{ field: 'body', problem: error.message }]);
    }
    if (error instanceof ModelFailed) {
      if (error.variant) deps.counts.record(scope.table, deployment, error.variant, false, latency);
      afterCall(scope, deps, deployment);
      throw new DependencyFailed(`variant ${error.variant ?? '(unknown)'} of endpoint '${request.endpointName}' failed: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const latencyMs = performance.now() - started;
  deps.counts.record(scope.table, deployment, answer.variant, true, latencyMs);
  const served = deployment.variants.find((v) => v.variantName === answer.variant);
  const predictions = withPredictionIds(scope.meta.requestId, answer.predictions ?? predictionsOf(answer));
  const result: ScoringAnswer = {
    endpointName: request.endpointName,
    deploymentId: deployment.deploymentId,
    variant: answer.variant,
    modelId: served?.modelId ?? 'unknown',
    version: served?.version ?? 0,
    predictions,
  };
  if (deployment.capturePercent > 0 && (request.random ?? Math.random)() * 100 < deployment.capturePercent) {
    captureScoring(
      scope.objects,
      {
        at: scope.now().toISOString(),
        requestId: scope.meta.requestId,
        endpointName: request.endpointName,
        deploymentId: deployment.deploymentId,
        variant: answer.variant,
        modelId: result.modelId,
        version: result.version,
        latencyMs: Math.round(latencyMs * 100) / 100,
        input: inputOf(request.body, request.contentType),
        output: predictions,
      },
      scope.log,
    );
  }
  afterCall(scope, deps, deployment);
  return result;
}

function afterCall(scope: TenantScope, deps: Pick<DeploymentDeps, 'control' | 'counts'>, deployment: Deployment): void {
  if (!deployment.canary) return;
  void watchCanary(scope, deps, deployment).catch((error: Error) =>
    scope.log.error('canary evaluation failed', { endpointName: deployment.endpointName, error: error.message }),
  );
}

/**
 * Each prediction with its id, `<requestId>-<row>`, first. Given the
 * runtime's values (InvocationAnswer.predictions) or the body's parsed JSON,
 * the answer and the capture record are the same JSON: `JSON.stringify`
 * writes a non-finite number as `null` and `-0` as `0`, which is what the
 * body held, and leaves out an undefined member as the body did (an
 * undefined `predictionId` leaves the id in place).
 */
export function withPredictionIds(requestId: string, answered: readonly Readonly<Record<string, unknown>>[]): ScoringAnswer['predictions'] {
  const predictions = new Array<Record<string, unknown> & { predictionId: string }>(answered.length);
  for (let i = 0; i < answered.length; i++) {
    const prediction = { predictionId: `${requestId}-${i}`, ...answered[i] };
    // A model output named predictionId replaces the id, as it did from the body, where an undefined one was never written.
    if (prediction.predictionId === undefined) prediction.predictionId = `${requestId}-${i}`;
    predictions[i] = prediction;
  }
  return predictions;
}

/** The `predictions` of the answer's JSON body (an adapter that gave no values: the SDK's). */
function predictionsOf(answer: InvocationAnswer): readonly Readonly<Record<string, unknown>>[] {
  let parsed: { predictions?: Array<Record<string, unknown>> };
  try {
    parsed = JSON.parse(decoder.decode(answer.body)) as typeof parsed;
  } catch (error) {
    throw new DependencyFailed(`variant ${answer.variant} answered something that is not JSON`, { cause: error });
  }
  return parsed.predictions ?? [];
}

function inputOf(body: Uint8Array, contentType: string): unknown {
  const text = decoder.decode(body);
  if (!contentType.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
