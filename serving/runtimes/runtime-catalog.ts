import { linearRuntime } from './linear-runtime';
import type { ModelRuntime } from './model-runtime';

/**
 * Every runtime this serving code can run, by kind. An endpoint variant names
 * one of these kinds; a new runtime (onnx, rules) is one entry here.
 */
export const MODEL_RUNTIME_KINDS = ['linear'] as const;
export type ModelRuntimeKind = (typeof MODEL_RUNTIME_KINDS)[number];

const RUNTIMES: Readonly<Record<ModelRuntimeKind, ModelRuntime>> = {
  linear: linearRuntime,
};

export function runtimeFor(kind: ModelRuntimeKind): ModelRuntime {
  return RUNTIMES[kind];
}
