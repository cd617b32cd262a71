import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Scatter, ComposedChart, Tooltip, XAxis, YAxis } from 'recharts';
import { calibrationPoints, type EvaluationDetails, fairnessRows, importanceBars, precisionRecallPoints } from '../lib/evaluation-details';
import { type Confusion, confusionHeatmap, type EvaluationLike, metricsOverTime, rocPoints } from '../lib/evaluation-charts';

const PALETTE = ['#3056d3', '#d9480f', '#2b8a3e', '#ae3ec9', '#1098ad', '#f08c00', '#c92a2a', '#5c940d'];

export function RocChart({ confusion, auc, curve }: { confusion?: Confusion; auc?: number; curve?: readonly { fpr: number; tpr: number }[] }) {
  const { points, operatingPoint, source } = rocPoints({ confusion, curve });
  if (source === 'none') return <p className="hint">No ROC data: this evaluation has no confusion matrix (regression, or recorded by hand).</p>;
  return (
    <figure className="chart" aria-labelledby="roc-caption">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} label={{ value: 'False positive rate', position: 'insideBottom', offset: -12 }} />
          <YAxis
            dataKey="tpr"
            type="number"
            domain={[0, 1]}
            width={48}
            label={{ value: 'True positive rate', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line dataKey="tpr" name="model" stroke={PALETTE[0]} strokeWidth={2} dot={source === 'operating-point'} isAnimationActive={false} />
          <Line
            data={[
              { fpr: 0, tpr: 0 },
              { fpr: 1, tpr: 1 },
            ]}
            dataKey="tpr"
            name="chance"
            stroke="#868e96"
            strokeDasharray="4 4"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <figcaption id="roc-caption">
        ROC{auc !== undefined ? ` — AUC ${auc.toFixed(3)}` : ''}
        {operatingPoint ? `; operating point FPR ${operatingPoint.fpr.toFixed(3)}, TPR ${operatingPoint.tpr.toFixed(3)}` : ''}
        {source === 'operating-point' ? '. The API exposes the operating point; the full curve is in the evaluation report.' : ''}
      </figcaption>
    </figure>
  );
}

export function ConfusionHeatmap({ confusion }: { confusion: Confusion }) {
  const cells = confusionHeatmap(confusion);
  const at = (actual: string, predicted: string) => cells.find((c) => c.actual === actual && c.predicted === predicted)!;
  return (
    <figure className="chart" aria-labelledby="confusion-caption">
      <table className="heatmap">
        <thead>
          <tr>
            <td />
            <th scope="col">Predicted positive</th>
            <th scope="col">Predicted negative</th>
          </tr>
        </thead>
        <tbody>
          {(['positive', 'negative'] as const).map((actual) => (
            <tr key={actual}>
              <th scope="row">Actual {actual}</th>
              {(['positive', 'negative'] as const).map((predicted) => {
                const c = at(actual, predicted);
                const hue = c.correct ? '220 70%' : '12 80%';
                return (
                  <td key={predicted} style={{ background: `hsl(${hue} ${95 - c.intensity * 45}%)`, color: c.intensity > 0.6 ? '#fff' : '#111' }}>
                    <strong>{c.count}</strong>
                    <span>{(c.share * 100).toFixed(1)}%</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <figcaption id="confusion-caption">Confusion matrix on the hold-out rows (blue: correct, orange: errors).</figcaption>
    </figure>
  );
}

export function MetricsOverTime({ evaluations }: { evaluations: readonly EvaluationLike[] }) {
  const { rows, metrics } = metricsOverTime(evaluations);
  if (rows.length === 0) return null;
  if (rows.length === 1) {
    return (
      <figure className="chart" aria-labelledby="metrics-caption">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={metrics.map((m) => ({ metric: m, value: rows[0][m] as number }))} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="metric" />
            <YAxis />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} />
            <Bar dataKey="value" fill={PALETTE[0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        <figcaption id="metrics-caption">Metrics of the one evaluation so far; later evaluations draw a line per metric over time.</figcaption>
      </figure>
    );
  }
  return (
    <figure className="chart" aria-labelledby="metrics-caption">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="at" tickFormatter={(v: string) => v.slice(5, 16).replace('T', ' ')} />
          <YAxis />
          <Tooltip formatter={(v) => Number(v).toFixed(4)} />
          <Legend />
          {metrics.map((m, i) => (
            <Line key={m} dataKey={m} stroke={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption id="metrics-caption">Metrics over time, one point per evaluation.</figcaption>
    </figure>
  );
}

export function HistogramChart({ bars, label }: { bars: { label: string; count: number }[]; label: string }) {
  return (
    <figure className="chart small" aria-label={`Histogram of ${label}`}>
      <ResponsiveContainer width="100%" height={120}>
        <BarChart data={bars} margin={{ top: 4, right: 4, bottom: 4, left: 4 }}>
          <XAxis dataKey="label" hide />
          <YAxis hide />
          <Tooltip />
          <Bar dataKey="count" fill={PALETTE[0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function PrecisionRecallChart({ curve, averagePrecision }: { curve: EvaluationDetails['precisionRecallCurve']; averagePrecision?: number }) {
  const points = precisionRecallPoints(curve);
  if (points.length === 0) return null;
  return (
    <figure className="chart" aria-labelledby="pr-caption">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={[0, 1]} label={{ value: 'Recall', position: 'insideBottom', offset: -12 }} />
          <YAxis
            dataKey="y"
            type="number"
            domain={[0, 1]}
            width={48}
            label={{ value: 'Precision', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line dataKey="y" name="precision" stroke={PALETTE[1]} strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <figcaption id="pr-caption">Precision–recall{averagePrecision !== undefined ? ` — average precision ${averagePrecision.toFixed(3)}` : ''}.</figcaption>
    </figure>
  );
}

export function CalibrationChart({ calibration }: { calibration: EvaluationDetails['calibration'] }) {
  const points = calibrationPoints(calibration);
  if (points.length === 0) return null;
  return (
    <figure className="chart" aria-labelledby="calibration-caption">
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="meanPredicted" type="number" domain={[0, 1]} label={{ value: 'Mean predicted probability', position: 'insideBottom', offset: -12 }} />
          <YAxis
            type="number"
            domain={[0, 1]}
            width={48}
            label={{ value: 'Fraction positive', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line
            data={[
              { meanPredicted: 0, fractionPositive: 0 },
              { meanPredicted: 1, fractionPositive: 1 },
            ]}
            dataKey="fractionPositive"
            name="perfect"
            stroke="#868e96"
            strokeDasharray="4 4"
            dot={false}
            isAnimationActive={false}
          />
          <Line dataKey="fractionPositive" name="model" stroke={PALETTE[2]} strokeWidth={2} isAnimationActive={false} />
          <Scatter dataKey="fractionPositive" fill={PALETTE[2]} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption id="calibration-caption">
        Calibration: {points.length} bins with rows; on the dashed line predicted probabilities match observed rates.
      </figcaption>
    </figure>
  );
}

export function FeatureImportanceChart({ importance }: { importance: EvaluationDetails['featureImportance'] }) {
  const bars = importanceBars(importance);
  if (!importance || bars.length === 0) return null;
  return (
    <figure className="chart" aria-labelledby="importance-caption">
      <ResponsiveContainer width="100%" height={Math.max(160, bars.length * 26 + 40)}>
        <BarChart data={bars} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" />
          <YAxis type="category" dataKey="feature" width={180} interval={0} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => Number(v).toFixed(4)} />
          <Bar dataKey="importance" fill={PALETTE[0]} isAnimationActive={false}>
            <ErrorBar dataKey="std" width={4} strokeWidth={1} stroke="#495057" direction="x" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <figcaption id="importance-caption">
        Permutation importance: how much {importance.metric} worsens when a feature is shuffled ({importance.repeats} repeats, ± one standard deviation).
      </figcaption>
    </figure>
  );
}

export function FairnessTable({ fairness }: { fairness: EvaluationDetails['fairness'] }) {
  const rows = fairnessRows(fairness);
  if (!fairness || rows.length === 0) return null;
  const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
  return (
    <div className="table-scroll">
      <table className="table">
        <caption>
          Fairness per protected attribute. Groups selected at under 80 % of the reference group's rate are flagged.{' '}
          {fairness
            .map(
              (f) =>
                `${f.attribute}: demographic parity difference ${f.demographicParityDifference.toFixed(3)}${f.disparateImpactRatio !== null ? `, disparate impact ${f.disparateImpactRatio.toFixed(3)}` : ''}.`,
            )
            .join(' ')}
        </caption>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col">Group</th>
            <th scope="col">Rows</th>
            <th scope="col">Selection rate</th>
            <th scope="col">True positive rate</th>
            <th scope="col">Ratio to reference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.attribute}/${r.group}`}>
              <td>{r.attribute}</td>
              <td>
                {r.group}
                {r.isReference ? ' (reference)' : ''}
              </td>
              <td>{r.count}</td>
              <td>{pct(r.selectionRate)}</td>
              <td>{pct(r.truePositiveRate)}</td>
              <td className={r.flagged ? 'field-error' : undefined}>
                {r.selectionRateRatio === null ? '—' : r.selectionRateRatio.toFixed(3)}
                {r.flagged ? ' (below 0.8)' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
