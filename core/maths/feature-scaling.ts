/**
 * Standardisation (centre on the mean, divide by the standard deviation),
 * fitted on the training rows only and stored in the artifact, so scoring
 * applies the very same transform. Constant columns keep scale 1: they become
 * all-zero and the trainers leave their coefficient at 0.
 */
export interface FeatureScaling {
  readonly center: number[];
  readonly scale: number[];
}

export function fitScaling(x: readonly (readonly number[])[]): FeatureScaling {
  const p = x[0]?.length ?? 0;
  const n = x.length;
  const center = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(1);
  for (const row of x) for (let j = 0; j < p; j++) center[j] += row[j] / n;
  for (let j = 0; j < p; j++) {
    let sum = 0;
    for (const row of x) sum += (row[j] - center[j]) ** 2;
    const sd = Math.sqrt(sum / n);
    scale[j] = sd > 1e-12 * Math.max(1, Math.abs(center[j])) ? sd : 1;
  }
  return { center, scale };
}

export function applyScaling(row: readonly number[], scaling: FeatureScaling): number[] {
  return row.map((v, j) => (v - scaling.center[j]) / scaling.scale[j]);
}

/** Columns that carry information after scaling (not constant in the training rows). */
export function activeColumns(x: readonly (readonly number[])[]): number[] {
  const p = x[0]?.length ?? 0;
  const active: number[] = [];
  for (let j = 0; j < p; j++) if (x.some((row) => Math.abs(row[j]) > 1e-12)) active.push(j);
  return active;
}
