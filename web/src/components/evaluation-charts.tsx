import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis, BarChart, Bar } from 'recharts';
import { type Confusion, confusionHeatmap, type EvaluationLike, metricsOverTime, rocPoints } from '../lib/evaluation-charts';

const PALETTE = ['#3056d3', '#d9480f', '#2b8a3e', '#ae3ec9', '#1098ad', '#f08c00', '#c92a2a', '#5c940d'];

export function RocChart({ confusion, auc }: { confusion?: Confusion; auc?: number }) {
  const { points, operatingPoint, source } = rocPoints({ confusion });
  if (source === 'none') return <p className="hint">No ROC data: this evaluation has no confusion matrix (regression, or recorded by hand).</p>;
  return (
    <figure className="chart" aria-labelledby="roc-caption">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} label={{ value: 'False positive rate', position: 'insideBottom', offset: -12 }} />
          <YAxis dataKey="tpr" type="number" domain={[0, 1]} width={48} label={{ value: 'True positive rate', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line dataKey="tpr" name="model" stroke={PALETTE[0]} strokeWidth={2} dot isAnimationActive={false} />
          <Line data={[{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }]} dataKey="tpr" name="chance" stroke="#868e96" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
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

