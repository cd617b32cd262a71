import type { ModelRuntime } from '../runtimes/model-runtime';
import { onnxRuntime } from '../runtimes/onnx-runtime';
import { MODEL_RUNTIME_KINDS, runtimeFor } from '../runtimes/runtime-catalog';

/**
 * The runtimes the gateway serves: every kind of serving/runtimes'
 * catalog, plus ONNX until the catalog lists it (then this entry is a no-op).
 */
const GATEWAY_RUNTIMES: ReadonlyMap<string, ModelRuntime> = new Map<string, ModelRuntime>([
  ['onnx', onnxRuntime],
  ...MODEL_RUNTIME_KINDS.map((kind) => [kind, runtimeFor(kind)] as [string, ModelRuntime]),
]);

export const GATEWAY_RUNTIME_KINDS: readonly string[] = [...GATEWAY_RUNTIMES.keys()];

export function gatewayRuntime(kind: string): ModelRuntime {
  const runtime = GATEWAY_RUNTIMES.get(kind);
  if (!runtime) throw new Error(`no runtime '${kind}' (served: ${GATEWAY_RUNTIME_KINDS.join(', ')})`);
  return runtime;
}
