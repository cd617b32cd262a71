/**
 * Group fairness of a binary classifier's decisions (score ≥ threshold) for
 * one protected attribute, with the definitions of Fairlearn and SageMaker
 * Clarify:
 * - selection rate of a group: the share of its rows predicted positive;
 * - demographic parity difference: highest minus lowest selection rate (0 is parity);
 * - disparate impact ratio: lowest over highest selection rate (1 is parity;
 *   the "four-fifths rule" asks ≥ 0.8);
 * - equal-opportunity difference: highest minus lowest true-positive rate
 *   (recall within the group), over groups that have positive rows.
 *
 * The summary figures compare every pair of groups, so they need no reference.
 * Each group is also compared with a reference group: the one the caller names
 * (e.g. the privileged group), else the group with the highest selection rate
 * (the most favoured, as in the four-fifths rule), ties to the larger group.
 */
export interface FairnessGroup {
  readonly value: string;
  readonly count: number;
  readonly positives: number;
  readonly selectionRate: number;
  /** null when the group has no positive rows. */
  readonly truePositiveRate: number | null;
  /** null when the group has no negative rows. */
  readonly falsePositiveRate: number | null;
  /** selectionRate / reference's selection rate; null when the reference selects nobody. */
  readonly selectionRateRatio: number | null;
  readonly selectionRateDifference: number;
  readonly truePositiveRateDifference: number | null;
}

export interface AttributeFairness {
  readonly attribute: string;
  readonly reference: string;
  readonly referenceRule: 'given' | 'highest-selection-rate';
  readonly threshold: number;
  readonly groups: FairnessGroup[];
  readonly demographicParityDifference: number;
  /** null when no group is selected at all. */
  readonly disparateImpactRatio: number | null;
  /** null when fewer than two groups have positive rows. */
  readonly equalOpportunityDifference: number | null;
}

/** Above this many distinct values an attribute is continuous (an age, an income): bin it into a column first. */
export const MAX_FAIRNESS_GROUPS = 50;

export function attributeFairness(
  attribute: string,
  labels: readonly number[],
  scores: readonly number[],
  groupValues: readonly string[],
  options: { threshold?: number; reference?: string } = {},
): AttributeFairness {
  if (labels.length !== scores.length || labels.length !== groupValues.length) {
    throw new RangeError(`labels (${labels.length}), scores (${scores.length}) and '${attribute}' values (${groupValues.length}) differ in length`);
  }
  const threshold = options.threshold ?? 0.5;
  const tallies = new Map<string, { count: number; positives: number; selected: number; truePositives: number; falsePositives: number }>();
  groupValues.forEach((value, i) => {
    let t = tallies.get(value);
    if (!t) tallies.set(value, (t = { count: 0, positives: 0, selected: 0, truePositives: 0, falsePositives: 0 }));
    const predicted = scores[i] >= threshold;
    t.count++;
    if (labels[i] === 1) t.positives++;
    if (predicted) {
      t.selected++;
      if (labels[i] === 1) t.truePositives++;
      else t.falsePositives++;
    }
  });
  if (tallies.size > MAX_FAIRNESS_GROUPS)
    throw new RangeError(`'${attribute}' has ${tallies.size} distinct values; at most ${MAX_FAIRNESS_GROUPS} groups are compared`);
  const base = [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, t]) => ({
      value,
      count: t.count,
      positives: t.positives,
      selectionRate: t.selected / t.count,
      truePositiveRate: t.positives > 0 ? t.truePositives / t.positives : null,
      falsePositiveRate: t.count - t.positives > 0 ? t.falsePositives / (t.count - t.positives) : null,
    }));
  if (base.length === 0) throw new RangeError(`no rows to compare groups of '${attribute}'`);
  let reference = base.find((g) => g.value === options.reference);
  if (options.reference !== undefined && !reference) throw new RangeError(`'${attribute}' has no group '${options.reference}'`);
  reference ??= base.reduce((best, g) => (g.selectionRate > best.selectionRate || (g.selectionRate === best.selectionRate && g.count > best.count) ? g : best));
  const ref = reference;
  const rates = base.map((g) => g.selectionRate);
  const tprs = base.flatMap((g) => (g.truePositiveRate === null ? [] : [g.truePositiveRate]));
  const highest = Math.max(...rates);
  return {
    attribute,
    reference: ref.value,
    referenceRule: options.reference !== undefined ? 'given' : 'highest-selection-rate',
    threshold,
    groups: base.map((g) => ({
      ...g,
      selectionRateRatio: ref.selectionRate > 0 ? g.selectionRate / ref.selectionRate : null,
      selectionRateDifference: g.selectionRate - ref.selectionRate,
      truePositiveRateDifference: g.truePositiveRate !== null && ref.truePositiveRate !== null ? g.truePositiveRate - ref.truePositiveRate : null,
    })),
    demographicParityDifference: highest - Math.min(...rates),
    disparateImpactRatio: highest > 0 ? Math.min(...rates) / highest : null,
    equalOpportunityDifference: tprs.length >= 2 ? Math.max(...tprs) - Math.min(...tprs) : null,
  };
}
