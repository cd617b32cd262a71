import { csvCell } from '../../core/tabular/csv-rows';
import type { Prediction, TabularModel } from '../runtimes/tabular-model';

export const OUTPUT_CONTENT_TYPES = ['application/json', 'text/csv'] as const;
export type OutputContentType = (typeof OUTPUT_CONTENT_TYPES)[number];

/**
 * Predictions as a response body: JSON `{"predictions": [...]}` (one object
 * per row, in request order), or CSV, one line per row with the model's
 * `outputColumns` in order and no header line (SageMaker batch transform
 * joins output lines to input lines, which a header would shift).
 */
export function writePredictions(model: Pick<TabularModel, 'toCsvRow'>, predictions: readonly Prediction[], type: OutputContentType): string {
  if (type === 'application/json') return JSON.stringify({ predictions });
  let out = '';
  for (const p of predictions) out += model.toCsvRow(p).map(csvCell).join(',') + '\n';
  return out;
}
