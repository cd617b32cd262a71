import { z } from 'zod';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import { negotiate } from './media-types';
import type { InvocationResult, LoadedModel, ModelArtifact, ModelRuntime } from './model-runtime';
import { LINEAR_MODEL_FILE, type LinearModelArtifact, linearModelArtifactSchema } from './linear-model-artifact';
import { readTabularRows } from './tabular-input';

/** One scored row: the score, and for logistic models the predicted label. */
export interface LinearPrediction {
  readonly score: number;
  readonly label?: string | number;
}

const RESPONSE_TYPES = ['application/json', 'text/csv'] as const;

/**
 * Scores linear and logistic regression models written by the built-in trainer
 * (see linear-model-artifact.ts for the file). Answers JSON
 * `{"predictions":[{"score":…,"label":…}]}` or CSV lines `score[,label]`.
 */
export const linearRuntime: ModelRuntime = {
  kind: 'linear',
  modelFile: LINEAR_MODEL_FILE,
  async load(artifact: ModelArtifact): Promise<LoadedModel> {
    const bytes = await artifact.file(LINEAR_MODEL_FILE);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8').decode(bytes));
    } catch (error) {
      throw new InvalidArtifact(artifact.uri, `${LINEAR_MODEL_FILE} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = linearModelArtifactSchema.safeParse(json);
    if (!parsed.success) throw new InvalidArtifact(artifact.uri, z.prettifyError(parsed.error));
    return new LinearModel(parsed.data);
  },
};

export class LinearModel implements LoadedModel {
  private readonly weights: Float64Array;
  private readonly offset: number;

  constructor(readonly artifact: LinearModelArtifact) {
    // Folding standardization into the weights once keeps scoring one dot product:
    // Σ c·(x−m)/s + b = Σ (c/s)·x + (b − Σ c·m/s).
    const { coefficients, standardization, intercept } = artifact;
    this.weights = Float64Array.from(coefficients, (c, i) => (standardization ? c / standardization.scale[i] : c));
    this.offset = standardization ? coefficients.reduce((acc, c, i) => acc - (c * standardization.mean[i]) / standardization.scale[i], intercept) : intercept;
  }

  predict(rows: readonly (readonly number[])[]): LinearPrediction[] {
    const { kind, threshold = 0.5, labels = [0, 1] } = this.artifact;
    return rows.map((row) => {
      let z = this.offset;
      for (let i = 0; i < this.weights.length; i++) z += this.weights[i] * row[i];
      if (kind === 'linear') return { score: z };
      const score = sigmoid(z);
      return { score, label: score >= threshold ? labels[1] : labels[0] };
    });
  }

  async invoke(body: Uint8Array, contentType: string | undefined, accept: string | undefined): Promise<InvocationResult> {
    const responseType = negotiate(accept, RESPONSE_TYPES);
    const predictions = this.predict(readTabularRows(body, contentType, this.artifact.features));
    const text =
      responseType === 'text/csv'
        ? predictions.map((p) => (p.label === undefined ? String(p.score) : `${p.score},${csvCell(p.label)}`)).join('\n') + '\n'
        : JSON.stringify({ predictions });
    return { body: new TextEncoder().encode(text), contentType: responseType };
  }
}

/** σ(z) without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
