/**
 * Shapes evaluations (as GET …/evaluations returns them) into chart data. Pure, so
 * the numbers drawn are the numbers tested.
 */
export interface EvaluationLike {
  readonly evaluationId: string;
  readonly createdAt: string;
  readonly metrics: Record<string, number>;
  readonly notes?: string;
}

export interface Confusion {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly trueNegative: number;
  readonly falseNegative: number;
}

/**
 * The confusion matrix of a pipeline evaluation. The API records it in the notes
 * ("confusion matrix TP 60, FP 2, TN 40, FN 3"), or as metrics named truePositive…
 * when the evaluation was recorded by hand; undefined when neither is there.
 */
export function confusionOf(evaluation: EvaluationLike): Confusion | undefined {
  const m = evaluation.metrics;
  if ([m.truePositive, m.falsePositive, m.trueNegative, m.falseNegative].every((v) => typeof v === 'number')) {
    return { truePositive: m.truePositive, falsePositive: m.falsePositive, trueNegative: m.trueNegative, falseNegative: m.falseNegative };
  }
  const match = /confusion matrix TP (\d+), FP (\d+), TN (\d+), FN (\d+)/.exec(evaluation.notes ?? '');
  if (!match) return undefined;
  const [tp, fp, tn, fn] = match.slice(1).map(Number);
  return { truePositive: tp, falsePositive: fp, trueNegative: tn, falseNegative: fn };
}

export interface HeatmapCell {
  readonly actual: 'positive' | 'negative';
  readonly predicted: 'positive' | 'negative';
  readonly count: number;
  /** Share of all hold-out rows, 0–1. */
  readonly share: number;
  /** 0–1, relative to the largest cell: drives the colour. */
  readonly intensity: number;
  readonly correct: boolean;
}

export function confusionHeatmap(c: Confusion): HeatmapCell[] {
  const total = c.truePositive + c.falsePositive + c.trueNegative + c.falseNegative;
  const max = Math.max(c.truePositive, c.falsePositive, c.trueNegative, c.falseNegative);
  const cell = (actual: HeatmapCell['actual'], predicted: HeatmapCell['predicted'], count: number): HeatmapCell => ({
    actual,
    predicted,
    count,
    share: total ? count / total : 0,
    intensity: max ? count / max : 0,
    correct: actual === predicted,
  });
  return [
    cell('positive', 'positive', c.truePositive),
    cell('positive', 'negative', c.falseNegative),
    cell('negative', 'positive', c.falsePositive),
    cell('negative', 'negative', c.trueNegative),
  ];
}

export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * Points of the ROC chart, from (0,0) to (1,1) sorted by false-positive rate. With
 * the full curve (the evaluation report's points) they are drawn as they are; with
 * only a confusion matrix the chart shows the operating point joined to the corners.
 */
export function rocPoints(input: { curve?: readonly RocPoint[]; confusion?: Confusion }): {
  points: RocPoint[];
  operatingPoint?: RocPoint;
  source: 'curve' | 'operating-point' | 'none';
} {
  const op = input.confusion ? operatingPoint(input.confusion) : undefined;
  if (input.curve && input.curve.length > 0) {
    const points = [...input.curve, { fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
    return { points: dedupe(points), operatingPoint: op, source: 'curve' };
  }
  if (!op) return { points: [], source: 'none' };
  return { points: dedupe([{ fpr: 0, tpr: 0 }, op, { fpr: 1, tpr: 1 }]), operatingPoint: op, source: 'operating-point' };
}

function operatingPoint(c: Confusion): RocPoint | undefined {
  const positives = c.truePositive + c.falseNegative;
  const negatives = c.falsePositive + c.trueNegative;
  if (!positives || !negatives) return undefined;
  return { fpr: c.falsePositive / negatives, tpr: c.truePositive / positives };
}

function dedupe(points: RocPoint[]): RocPoint[] {
  return points.filter((p, i) => i === 0 || p.fpr !== points[i - 1].fpr || p.tpr !== points[i - 1].tpr);
}

/** One row per evaluation, oldest first, one column per metric; the metric names seen. */
export function metricsOverTime(
  evaluations: readonly EvaluationLike[],
  only?: readonly string[],
): { rows: Record<string, number | string>[]; metrics: string[] } {
  const sorted = [...evaluations].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.evaluationId.localeCompare(b.evaluationId));
  const names = new Set<string>();
  const rows = sorted.map((e) => {
    const row: Record<string, number | string> = { at: e.createdAt, evaluationId: e.evaluationId };
    for (const [name, value] of Object.entries(e.metrics)) {
      if (only && !only.includes(name)) continue;
      if (!Number.isFinite(value)) continue;
      row[name] = value;
      names.add(name);
    }
    return row;
  });
  return { rows, metrics: [...names].sort() };
}

/** Bars of a column's histogram: one per bin, labelled by its range. */
export function histogramBars(histogram: {
  edges: readonly number[];
  counts: readonly number[];
}): { label: string; from: number; to: number; count: number }[] {
  const bars = [];
  for (let i = 0; i < histogram.counts.length && i + 1 < histogram.edges.length; i++) {
    const from = histogram.edges[i];
    const to = histogram.edges[i + 1];
    bars.push({ label: `${short(from)}–${short(to)}`, from, to, count: histogram.counts[i] });
  }
  return bars;
}

function short(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1000 || abs < 0.01) return n.toExponential(1);
  return String(Number(n.toPrecision(3)));
}
