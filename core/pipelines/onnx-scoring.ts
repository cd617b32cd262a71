import { ValidationFailed } from '../errors';

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;

/** Loaded on first use (a native library): code that never scores never loads it. */
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** Rows per run: bounds the input tensor's memory on large hold-out sets. */
const BATCH_ROWS = 4096;

/** One loaded model, scoring batch after batch (permutation importance scores the same rows many times). */
export interface OnnxScorer {
  score(rows: readonly (readonly number[])[]): Promise<number[]>;
  release(): Promise<void>;
}

/**
 * Loads an ONNX model into onnxruntime, the runtime that serves it: rows are
 * fed as one float32 `[batch, n]` tensor named `inputName`, and one value per
 * row is read from `outputName` (a `[batch]` or `[batch, 1]` tensor).
 */
export async function openOnnxScorer(bytes: Uint8Array, io: { inputName: string; outputName: string }): Promise<OnnxScorer> {
  const { InferenceSession, Tensor } = await ort();
  let session: Awaited<ReturnType<typeof InferenceSession.create>>;
  try {
    // One thread, sequential: a pool's threads cost more to start and join (on release) than these
    // small tabular graphs ever gain from them, and an idle pool spins on the event loop's core.
    session = await InferenceSession.create(bytes, { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  } catch (error) {
    throw new ValidationFailed('the model artifact is not a loadable ONNX model', [{ field: 'artifact', problem: (error as Error).message.slice(0, 300) }], {
      cause: error,
    });
  }
  return {
    async score(rows) {
      const width = rows[0]?.length ?? 0;
      const scores: number[] = [];
      for (let start = 0; start < rows.length; start += BATCH_ROWS) {
        const batch = rows.slice(start, start + BATCH_ROWS);
        const data = new Float32Array(batch.length * width);
        batch.forEach((row, i) => data.set(row, i * width));
        const out = await session.run({ [io.inputName]: new Tensor('float32', data, [batch.length, width]) }, [io.outputName]);
        const values = out[io.outputName].data as ArrayLike<number | bigint>;
        if (values.length !== batch.length) {
          throw new ValidationFailed(`output '${io.outputName}' gave ${values.length} values for ${batch.length} rows`, [
            { field: 'artifact', problem: 'not one value per row' },
          ]);
        }
        for (let i = 0; i < values.length; i++) scores.push(Number(values[i]));
      }
      return scores;
    },
    release: () => session.release(),
  };
}

/**
 * Scores rows once with an ONNX model (see openOnnxScorer). Used to evaluate
 * the very artifact a version holds.
 */
export async function scoreWithOnnx(bytes: Uint8Array, rows: readonly (readonly number[])[], io: { inputName: string; outputName: string }): Promise<number[]> {
  const scorer = await openOnnxScorer(bytes, io);
  try {
    return await scorer.score(rows);
  } finally {
    await scorer.release();
  }
}
