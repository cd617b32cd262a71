import { linearRuntime } from './linear-runtime';
import type { ModelRuntime } from './model-runtime';
import { onnxRuntime } from './onnx-runtime';
import { rulesRuntime } from './rules-runtime';
import { scorecardRuntime } from './scorecard-runtime';

/**
 * Every runtime this serving code can run, by kind. An endpoint variant names
 * one of these kinds; a new runtime is one entry here.
 *
 * | kind | main file | artifact |
 * |---|---|---|
 * | `linear` | model.json | steward-linear-model/v1 (built-in trainer) |
 * | `onnx` | model.onnx | any ONNX model onnxruntime-node loads |
 * | `rules` | rules.json | steward-rules/v1 decision table |
 * | `scorecard` | scorecard.json | steward-scorecard/v1 points scorecard |
 */
export const MODEL_RUNTIME_KINDS = ['linear', 'onnx', 'rules', 'scorecard'] as const;
export type ModelRuntimeKind = (typeof MODEL_RUNTIME_KINDS)[number];

const RUNTIMES: Readonly<Record<ModelRuntimeKind, ModelRuntime>> = {
  linear: linearRuntime,
  onnx: onnxRuntime,
  rules: rulesRuntime,
  scorecard: scorecardRuntime,
};

export function runtimeFor(kind: ModelRuntimeKind): ModelRuntime {
  return RUNTIMES[kind];
}

/** The runtime that serves a catalog artifact format (`sagemaker-container` has none: SageMaker runs its image). */
export function runtimeKindForFormat(format: string): ModelRuntimeKind | undefined {
  return ({ onnx: 'onnx', rules: 'rules', scorecard: 'scorecard', linear: 'linear' } as Record<string, ModelRuntimeKind>)[format];
}
