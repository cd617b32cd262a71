import { seededRandom, shuffled } from './seeded-random';

export interface HoldoutSplit {
  /** Row indices used for training, ascending. */
  readonly train: number[];
  /** Row indices held out for evaluation, ascending. */
  readonly holdout: number[];
}

/**
 * Splits rows into training and hold-out sets, reproducibly from `seed`, so the
 * train and evaluate steps (separate Lambdas) compute the same split without
 * passing row lists between them. With `strata` (class labels) each class is
 * split on its own, so a small hold-out set still contains every class.
 */
export function holdoutSplit(rowCount: number, options: { fraction: number; seed: number; strata?: readonly number[] }): HoldoutSplit {
  const { fraction, seed } = options;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`hold-out fraction must be in (0, 1), got ${fraction}`);
  const random = seededRandom(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rowCount; i++) {
    const key = options.strata ? options.strata[i] : 0;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const train: number[] = [];
  const holdout: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = shuffled(groups.get(key)!, random);
    const take = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * fraction)));
    holdout.push(...rows.slice(0, Math.max(0, take)));
    train.push(...rows.slice(Math.max(0, take)));
  }
  return { train: train.sort((a, b) => a - b), holdout: holdout.sort((a, b) => a - b) };
}
