import { readInputRows } from '../payloads/read-input-rows';
import { OUTPUT_CONTENT_TYPES, writePredictions } from '../payloads/write-predictions';
import { negotiate } from './media-types';
import type { InvocationResult, ServedModel } from './model-runtime';
import { InvalidModelInput } from './runtime-errors';
import { RowProblem, type Prediction, type TabularModel } from './tabular-model';

const utf8 = new TextEncoder();

/**
 * A TabularModel behind the container contract: the body is parsed and
 * validated against the model's inputs (serving/payloads), scored, and
 * written in the negotiated type. A row the model cannot score is a 400
 * naming the row (and the field, when there is one).
 */
export class TabularLoadedModel implements ServedModel {
  constructor(readonly model: TabularModel) {}

  async invoke(body: Uint8Array, contentType: string | undefined, accept: string | undefined): Promise<InvocationResult> {
    const responseType = negotiate(accept, OUTPUT_CONTENT_TYPES);
    const rows = await readInputRows(body, contentType, this.model);
    const answers = await this.model.predict(rows);
    const predictions: Prediction[] = answers.map((answer, i) => {
      if (answer instanceof RowProblem) {
        throw new InvalidModelInput(answer.field ? `row ${i + 1}, field '${answer.field}': ${answer.problem}` : `row ${i + 1}: ${answer.problem}`);
      }
      return answer;
    });
    if (responseType !== 'application/json') return { body: utf8.encode(writePredictions(this.model, predictions, responseType)), contentType: responseType };
    // Written when read: an in-process caller takes the predictions as they are (InvocationResult.predictions).
    const model = this.model;
    let written: Uint8Array | undefined;
    return {
      get body() {
        return (written ??= utf8.encode(writePredictions(model, predictions, 'application/json')));
      },
      contentType: responseType,
      predictions,
    };
  }

  release(): Promise<void> {
    return this.model.release?.() ?? Promise.resolve();
  }
}
