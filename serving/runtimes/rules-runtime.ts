import { z } from 'zod';
import type { FieldValue, IoSchema } from '../../core/catalog/artifacts/io-schema';
import { evaluateRules, RulesDocument, validateRulesDocument } from '../../core/catalog/artifacts/rules-document';
import { ValidationFailed } from '../../core/errors';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import type { ModelArtifact, ModelRuntime, RuntimeLoadOptions } from './model-runtime';
import { TabularLoadedModel } from './tabular-invocation';
import { RowProblem, type InputRow, type Prediction, type TabularModel } from './tabular-model';

/** The file name of a rules document inside a model directory or model.tar.gz. */
export const RULES_FILE = 'rules.json';

/** Reads a JSON artifact that is checked by a core validator; its ValidationFailed becomes InvalidArtifact with every problem listed. */
export function checkedDocument<T>(uri: string, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof ValidationFailed) {
      const problems = error.fields.map((f) => `${f.field}: ${f.problem}`).join('; ');
      throw new InvalidArtifact(uri, problems || error.message, { cause: error });
    }
    throw error;
  }
}

/** The document's own fields, for a rules version served without the version's schema (a bare model directory). */
function ownSchema(uri: string, bytes: Uint8Array): IoSchema {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidArtifact(uri, `${RULES_FILE} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const frame = z.object({ inputs: RulesDocument.shape.inputs, outputs: RulesDocument.shape.outputs }).safeParse(raw);
  if (!frame.success) throw new InvalidArtifact(uri, z.prettifyError(frame.error));
  return { inputs: frame.data.inputs, outputs: frame.data.outputs };
}

/**
 * Serves a `steward-rules/v1` decision table (core/catalog/artifacts/rules-document.ts)
 * with the evaluator upload validation uses, so a row is decided exactly as
 * validated. Predictions: `first` and `priority` answer
 * `{"outputs": {…} | null, "rule": "<id>" | null}` (the default's outputs
 * with rule null when nothing matched); `collect` answers
 * `{"outputs": [{…}, …], "rules": ["<id>", …]}`. CSV: the document's outputs
 * in order, then `rule` (`rules`); under `collect` each cell joins the hits' values with `|`.
 */
export const rulesRuntime: ModelRuntime = {
  kind: 'rules',
  modelFile: RULES_FILE,
  async load(artifact: ModelArtifact, options?: RuntimeLoadOptions) {
    const bytes = await artifact.file(RULES_FILE);
    const io = options?.ioSchema ?? ownSchema(artifact.uri, bytes);
    const doc = checkedDocument(artifact.uri, () => validateRulesDocument(bytes, io));
    return new TabularLoadedModel(new RulesModel(doc));
  },
};

class RulesModel implements TabularModel {
  readonly kind = 'rules';
  readonly inputs;
  readonly outputColumns: readonly string[];
  private readonly outputNames: readonly string[];

  constructor(private readonly doc: RulesDocument) {
    this.inputs = doc.inputs;
    this.outputNames = doc.outputs.map((f) => f.name);
    this.outputColumns = [...this.outputNames, doc.hitPolicy === 'collect' ? 'rules' : 'rule'];
  }

  async predict(rows: readonly InputRow[]): Promise<(Prediction | RowProblem)[]> {
    return Promise.all(
      rows.map(async (row): Promise<Prediction | RowProblem> => {
        const record: Record<string, FieldValue> = {};
        this.inputs.forEach((field, i) => (record[field.name] = row[i] as FieldValue));
        try {
          const { applied, outputs } = await evaluateRules(this.doc, record);
          if (this.doc.hitPolicy === 'collect') return { outputs: outputs.map((o) => ({ ...o })), rules: [...applied] };
          return { outputs: outputs[0] ? { ...outputs[0] } : null, rule: applied[0] ?? null };
        } catch (error) {
          if (error instanceof ValidationFailed) return new RowProblem(error.fields.map((f) => `${f.field}: ${f.problem}`).join('; ') || error.message);
          throw error;
        }
      }),
    );
  }

  toCsvRow(prediction: Prediction): readonly (string | number | boolean | null)[] {
    if (this.doc.hitPolicy === 'collect') {
      const outputs = prediction.outputs as Record<string, FieldValue>[];
      return [...this.outputNames.map((name) => outputs.map((o) => o[name] ?? '').join('|')), (prediction.rules as string[]).join('|')];
    }
    const outputs = prediction.outputs as Record<string, FieldValue> | null;
    return [...this.outputNames.map((name) => outputs?.[name] ?? null), prediction.rule as string | null];
  }
}
