import { z } from 'zod';
import type { FieldValue, IoSchema } from '../../core/catalog/artifacts/io-schema';
import {
  compileScorecard,
  ScorecardDocument,
  scoreRow,
  validateScorecardDocument,
  type CompiledScorecard,
} from '../../core/catalog/artifacts/scorecard-document';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import type { ModelArtifact, ModelRuntime, RuntimeLoadOptions } from './model-runtime';
import { checkedDocument } from './rules-runtime';
import { TabularLoadedModel } from './tabular-invocation';
import { RowProblem, type InputRow, type Prediction, type TabularModel } from './tabular-model';

/** The file name of a scorecard inside a model directory or model.tar.gz. */
export const SCORECARD_FILE = 'scorecard.json';

function ownSchema(uri: string, bytes: Uint8Array): IoSchema {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidArtifact(uri, `${SCORECARD_FILE} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const frame = z.object({ inputs: ScorecardDocument.shape.inputs }).safeParse(raw);
  if (!frame.success) throw new InvalidArtifact(uri, z.prettifyError(frame.error));
  return { inputs: frame.data.inputs, outputs: [{ name: 'score', type: 'double' }] };
}

/**
 * Serves a `steward-scorecard/v1` document (core/catalog/artifacts/scorecard-document.ts).
 * Predictions: `{"score": 612, "odds": 38.1, "bad_probability": 0.0256,
 * "reasons": ["INCOME", "AGE"], "points": {"age": 20, …}}`; CSV columns
 * `score,odds,bad_probability,reasons` (codes joined by `;`). Fields of a
 * characteristic with a `missing` bin may be left empty.
 */
export const scorecardRuntime: ModelRuntime = {
  kind: 'scorecard',
  modelFile: SCORECARD_FILE,
  async load(artifact: ModelArtifact, options?: RuntimeLoadOptions) {
    const bytes = await artifact.file(SCORECARD_FILE);
    const io = options?.ioSchema ?? ownSchema(artifact.uri, bytes);
    const doc = checkedDocument(artifact.uri, () => validateScorecardDocument(bytes, io));
    return new TabularLoadedModel(new ScorecardModel(compileScorecard(doc)));
  },
};

class ScorecardModel implements TabularModel {
  readonly kind = 'scorecard';
  readonly inputs;
  readonly optionalInputs: ReadonlySet<string>;
  readonly outputColumns = ['score', 'odds', 'bad_probability', 'reasons'] as const;

  constructor(private readonly card: CompiledScorecard) {
    this.inputs = card.doc.inputs;
    this.optionalInputs = new Set(card.doc.characteristics.filter((c) => c.missing).map((c) => c.field));
  }

  async predict(rows: readonly InputRow[]): Promise<(Prediction | RowProblem)[]> {
    return rows.map((row) => {
      const record: Record<string, FieldValue | null> = {};
      this.inputs.forEach((field, i) => (record[field.name] = row[i] as FieldValue | null));
      const result = scoreRow(this.card, record);
      if ('problem' in result) return new RowProblem(result.problem, result.field);
      return { ...result, reasons: [...result.reasons], points: { ...result.points } };
    });
  }

  toCsvRow(prediction: Prediction): readonly (string | number | boolean | null)[] {
    return [prediction.score as number, prediction.odds as number, prediction.bad_probability as number, (prediction.reasons as string[]).join(';')];
  }
}
