import type { Schemas } from '../api/client';

/**
 * Shapes the `details` of a platform evaluation (core/evaluation/evaluation-details.ts
 * as the API returns it) and a version comparison into what the charts draw. Pure,
 * so the numbers drawn are the numbers tested.
 */
export type EvaluationDetails = NonNullable<Schemas['Evaluation']['details']>;

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** ROC points sorted by false-positive rate, with (0,0) and (1,1) so the curve spans the square. */
export function rocCurvePoints(curve: readonly { fpr: number; tpr: number }[] | undefined): CurvePoint[] {
  if (!curve || curve.length === 0) return [];
  const points = [...curve.map((p) => ({ x: p.fpr, y: p.tpr })), { x: 0, y: 0 }, { x: 1, y: 1 }].sort((a, b) => a.x - b.x || a.y - b.y);
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y);
}

/** Precision–recall points sorted by recall (x), precision on y. */
export function precisionRecallPoints(curve: readonly { precision: number; recall: number }[] | undefined): CurvePoint[] {
  if (!curve || curve.length === 0) return [];
  const points = curve.map((p) => ({ x: p.recall, y: p.precision })).sort((a, b) => a.x - b.x || b.y - a.y);
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y);
}

export interface CalibrationPoint {
  readonly bin: string;
  readonly meanPredicted: number;
  readonly fractionPositive: number;
  readonly count: number;
}

/** Reliability-diagram points: one per non-empty bin (empty bins have no mean to draw). */
export function calibrationPoints(calibration: EvaluationDetails['calibration']): CalibrationPoint[] {
  if (!calibration) return [];
  return calibration.bins
    .filter((b) => b.count > 0 && b.meanPredicted !== null && b.fractionPositive !== null)
    .map((b) => ({
      bin: `${b.lower.toFixed(2)}–${b.upper.toFixed(2)}`,
      meanPredicted: b.meanPredicted as number,
      fractionPositive: b.fractionPositive as number,
      count: b.count,
    }));
}

export interface ImportanceBar {
  readonly feature: string;
  /** How much the metric worsens when the feature is shuffled: positive means the feature helps. */
  readonly importance: number;
  readonly std: number;
}

/**
 * Permutation importance as bars, most important first, at most `top` of them. The
 * API records the mean change of the metric; for a metric where higher is better a
 * drop (negative mean) means the feature matters, so the sign is turned to "bigger
 * bar = more important" whichever way the metric points.
 */
export function importanceBars(importance: EvaluationDetails['featureImportance'], top = 15): ImportanceBar[] {
  if (!importance) return [];
  const sign = importance.higherIsBetter ? -1 : 1;
  return importance.features
    .map((f) => ({ feature: f.feature, importance: sign * f.mean || 0, std: f.std }))
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature))
    .slice(0, top);
}

export interface FairnessRow {
  readonly attribute: string;
  readonly group: string;
  readonly isReference: boolean;
  readonly count: number;
  readonly selectionRate: number;
  readonly truePositiveRate: number | null;
  readonly selectionRateRatio: number | null;
  /** The four-fifths rule: a group selected at under 80 % of the reference's rate is flagged. */
  readonly flagged: boolean;
}

export function fairnessRows(fairness: EvaluationDetails['fairness']): FairnessRow[] {
  if (!fairness) return [];
  return fairness.flatMap((f) =>
    f.groups.map((g) => ({
      attribute: f.attribute,
      group: g.value,
      isReference: g.value === f.reference,
      count: g.count,
      selectionRate: g.selectionRate,
      truePositiveRate: g.truePositiveRate,
      selectionRateRatio: g.selectionRateRatio,
      flagged: g.selectionRateRatio !== null && g.selectionRateRatio < 0.8,
    })),
  );
}

export type Comparison = Schemas['VersionComparison'];

export interface ComparisonCell {
  readonly value?: number;
  readonly delta?: number;
  readonly better?: boolean;
}

/** The comparison as a table: one row per metric, one cell per version, with its delta against the champion. */
export function comparisonTable(comparison: Comparison): { metric: string; higherIsBetter: boolean | null; cells: ComparisonCell[] }[] {
  return comparison.metrics.map((m) => ({
    metric: m.name,
    higherIsBetter: m.higherIsBetter,
    cells: comparison.versions.map((v) => ({
      value: v.metrics[m.name],
      delta: v.isChampion ? undefined : v.deltas[m.name],
      better: v.betterThanChampion[m.name],
    })),
  }));
}

export interface OverlaySeries {
  readonly version: number;
  readonly isChampion: boolean;
  readonly points: CurvePoint[];
}

/** One series per version that has the curve, for curves drawn over each other. */
export function overlaidCurves(comparison: Comparison, curve: 'roc' | 'precision-recall'): OverlaySeries[] {
  const series: OverlaySeries[] = [];
  for (const v of comparison.versions) {
    const raw = curve === 'roc' ? v.curves?.rocCurve : v.curves?.precisionRecallCurve;
    if (!raw || raw.length === 0) continue;
    const points =
      curve === 'roc'
        ? rocCurvePoints(raw.filter((p) => typeof p.fpr === 'number' && typeof p.tpr === 'number').map((p) => ({ fpr: p.fpr as number, tpr: p.tpr as number })))
        : precisionRecallPoints(
            raw
              .filter((p) => typeof p.precision === 'number' && typeof p.recall === 'number')
              .map((p) => ({ precision: p.precision as number, recall: p.recall as number })),
          );
    if (points.length > 0) series.push({ version: v.version, isChampion: v.isChampion, points });
  }
  return series;
}

/** `1.2345e-3` → `+0.0012`; signs always shown so a delta reads as a change. */
export function formatDelta(delta: number | undefined): string {
  if (delta === undefined || !Number.isFinite(delta)) return '';
  const text = Math.abs(delta) >= 1000 ? delta.toExponential(2) : delta.toFixed(4);
  return delta > 0 ? `+${text}` : text;
}
