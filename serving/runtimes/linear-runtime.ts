import { z } from 'zod';
import type { Field } from '../../core/catalog/artifacts/io-schema';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import type { InvocationResult, ModelArtifact, ModelRuntime, RuntimeLoadOptions, ServedModel } from './model-runtime';
import { LINEAR_MODEL_FILE, type LinearModelArtifact, linearModelArtifactSchema } from './linear-model-artifact';
import { checkInputsDeclared } from './schema-check';
import { TabularLoadedModel } from './tabular-invocation';
import type { InputRow, Prediction, TabularModel } from './tabular-model';

/** One scored row: the score, and for logistic models the predicted label. */
export interface LinearPrediction {
  readonly score: number;
  readonly label?: string | number;
}

/**
 * Scores linear and logistic regression models written by the built-in trainer
 * (see linear-model-artifact.ts for the file). Answers JSON
 * `{"predictions":[{"score":…,"label":…}]}` or CSV lines `score[,label]`.
 */
export const linearRuntime: ModelRuntime = {
  kind: 'linear',
  modelFile: LINEAR_MODEL_FILE,
  async load(artifact: ModelArtifact, options?: RuntimeLoadOptions) {
    const bytes = await artifact.file(LINEAR_MODEL_FILE);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8').decode(bytes));
    } catch (error) {
      throw new InvalidArtifact(artifact.uri, `${LINEAR_MODEL_FILE} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = linearModelArtifactSchema.safeParse(json);
    if (!parsed.success) throw new InvalidArtifact(artifact.uri, z.prettifyError(parsed.error));
    const model = new LinearModel(parsed.data);
    if (options?.ioSchema) checkInputsDeclared(artifact.uri, model.inputs, options.ioSchema);
    return model;
  },
};

export class LinearModel implements TabularModel, ServedModel {
  readonly kind = 'linear';
  readonly inputs: readonly Field[];
  readonly outputColumns: readonly string[];
  private readonly weights: Float64Array;
  private readonly offset: number;

  constructor(readonly artifact: LinearModelArtifact) {
    this.inputs = artifact.features.map((name) => ({ name, type: 'double' as const }));
    this.outputColumns = artifact.kind === 'logistic' ? ['score', 'label'] : ['score'];
    // Folding standardization into the weights once keeps scoring one dot product:
    // Σ c·(x−m)/s + b = Σ (c/s)·x + (b − Σ c·m/s).
    const { coefficients, standardization, intercept } = artifact;
    this.weights = Float64Array.from(coefficients, (c, i) => (standardization ? c / standardization.scale[i] : c));
    this.offset = standardization ? coefficients.reduce((acc, c, i) => acc - (c * standardization.mean[i]) / standardization.scale[i], intercept) : intercept;
  }

  private readonly endpoint = new TabularLoadedModel(this);

  get model(): TabularModel {
    return this;
  }

  invoke(body: Uint8Array, contentType: string | undefined, accept: string | undefined): Promise<InvocationResult> {
    return this.endpoint.invoke(body, contentType, accept);
  }

  async release(): Promise<void> {}

  /** Scores rows of numbers in feature order. */
  predictNumbers(rows: readonly (readonly number[])[]): LinearPrediction[] {
    const { kind, threshold = 0.5, labels = [0, 1] } = this.artifact;
    return rows.map((row) => {
      let z = this.offset;
      for (let i = 0; i < this.weights.length; i++) z += this.weights[i] * row[i];
      if (kind === 'linear') return { score: z };
      const score = sigmoid(z);
      return { score, label: score >= threshold ? labels[1] : labels[0] };
    });
  }

  async predict(rows: readonly InputRow[]): Promise<Prediction[]> {
    // Every linear input is a required double: the payload reader has made each value a number.
    return this.predictNumbers(rows as readonly (readonly number[])[]).map((p) => ({ ...p }));
  }

  toCsvRow(prediction: Prediction): readonly (string | number | boolean | null)[] {
    const { score, label } = prediction as unknown as LinearPrediction;
    return label === undefined ? [score] : [score, label];
  }
}

/** σ(z) without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
