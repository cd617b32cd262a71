import type { Field, FieldValue } from '../../core/catalog/artifacts/io-schema';

/**
 * One row's inputs, positional in the order of the model's input fields
 * ({@link TabularModel.inputs}): a scalar per field, a flat array of numbers
 * for a shaped (tensor) field, or null where the row gives no value (allowed
 * only for the fields in {@link TabularModel.optionalInputs}).
 */
export type InputValue = FieldValue | readonly number[] | null;
export type InputRow = readonly InputValue[];

/** What a prediction holds: JSON values. */
export type PredictionValue = string | number | boolean | null | readonly PredictionValue[] | { readonly [key: string]: PredictionValue };
export type Prediction = { readonly [key: string]: PredictionValue };

/** A row the model cannot score although it fits the schema (a value in no scorecard bin, a rule engine refusal). */
export class RowProblem {
  constructor(
    readonly problem: string,
    readonly field?: string,
  ) {}
}

/**
 * A loaded model seen as a function from typed rows to predictions: what
 * every runtime (linear, onnx, rules, scorecard) provides, so request parsing
 * (serving/payloads), the container, the gateway and the batch engine are
 * written once for all of them.
 */
export interface TabularModel {
  /** The runtime kind that loaded it. */
  readonly kind: string;
  /** The input fields, in the order of every {@link InputRow}. */
  readonly inputs: readonly Field[];
  /** Fields a row may leave empty (CSV '' or JSON null/absent): a scorecard's characteristics with a missing bin. */
  readonly optionalInputs?: ReadonlySet<string>;
  /** The CSV columns of a prediction, in order ({@link toCsvRow}). */
  readonly outputColumns: readonly string[];
  /** Scores a batch; one answer per row, in order. */
  predict(rows: readonly InputRow[]): Promise<(Prediction | RowProblem)[]>;
  /** The prediction as CSV cells, aligned with {@link outputColumns}. */
  toCsvRow(prediction: Prediction): readonly (string | number | boolean | null)[];
  /** Frees native resources (ONNX sessions). */
  release?(): Promise<void>;
}
