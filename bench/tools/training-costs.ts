/**
 * What the built-in templates and the training-container runner cost on this
 * machine, per model: fit, ONNX export, and the platform evaluation (every
 * metric, curves, calibration, permutation importance with 5 repeats,
 * fairness) scored through onnxruntime; and the fixed cost of one run of the
 * container contract (a trivial Node trainer, and the Python template when a
 * python3 with scikit-learn and onnx is found).
 *
 *   npx tsx bench/tools/training-costs.ts [--rounds 5] [--python /usr/bin/python3]
 *
 * Data: ../shared/datasets (breast-cancer: 569 rows × 30; diabetes: 442 × 10),
 * 25 % held out (seed 42). Reports the median over the rounds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { evaluateModel, type EvaluationTask } from '../../core/evaluation/model-evaluation';
import { boostedPrediction, DEFAULT_GRADIENT_BOOSTING, fitGradientBoosting } from '../../core/maths/gradient-boosting';
import { holdoutSplit } from '../../core/maths/holdout-split';
import { fitLeastSquares } from '../../core/maths/least-squares';
import { linearScore, sigmoid } from '../../core/maths/linear-model';
import { fitLogisticRegression } from '../../core/maths/logistic-regression';
import { exportLinearModelToOnnx } from '../../core/maths/onnx/linear-model-onnx';
import { exportTreeEnsembleToOnnx } from '../../core/maths/onnx/tree-ensemble-onnx';
import { numericTable, parseCsv } from '../../core/pipelines/csv-table';
import { openOnnxScorer } from '../../core/pipelines/onnx-scoring';
import { runTrainingJob } from '../../core/training/container-training-runner';

const DATASETS = join(__dirname, '../../../shared/datasets');
const OUTPUTS = [{ name: 'score', role: 'score', elementType: 'float32', rank: 2 }] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Template {
  name: string;
  file: string;
  target: string;
  task: EvaluationTask;
  fit: (x: number[][], y: number[]) => { predict: (row: readonly number[]) => number; onnx: () => Uint8Array };
}

const TEMPLATES: Template[] = [
  {
    name: 'logistic-regression',
    file: 'breast-cancer.csv',
    target: 'benign',
    task: 'binary',
    fit: (x, y) => {
      const f = fitLogisticRegression(x, y, { l2: 1, maxIterations: 100, tolerance: 1e-8 });
      return {
        predict: (row) => sigmoid(linearScore(f, row)),
        onnx: () =>
          exportLinearModelToOnnx({
            kind: 'logistic',
            inputName: 'x',
            center: f.scaling.center,
            scale: f.scaling.scale,
            coefficients: f.coefficients,
            intercept: f.intercept,
            outputs: OUTPUTS,
          }),
      };
    },
  },
  {
    name: 'gradient-boosting-classifier',
    file: 'breast-cancer.csv',
    target: 'benign',
    task: 'binary',
    fit: (x, y) => {
      const m = fitGradientBoosting(x, y, { ...DEFAULT_GRADIENT_BOOSTING, loss: 'log-loss', seed: 42 });
      return { predict: (row) => boostedPrediction(m, row), onnx: () => exportTreeEnsembleToOnnx({ model: m, inputName: 'x', outputs: OUTPUTS }) };
    },
  },
  {
    name: 'least-squares',
    file: 'diabetes.csv',
    target: 'progression',
    task: 'regression',
    fit: (x, y) => {
      const f = fitLeastSquares(x, y, { l2: 0 });
      return {
        predict: (row) => linearScore(f, row),
        onnx: () =>
          exportLinearModelToOnnx({
            kind: 'linear',
            inputName: 'x',
            center: f.scaling.center,
            scale: f.scaling.scale,
            coefficients: f.coefficients,
            intercept: f.intercept,
            outputs: OUTPUTS,
          }),
      };
    },
  },
  {
    name: 'gradient-boosting-regressor',
    file: 'diabetes.csv',
    target: 'progression',
    task: 'regression',
    fit: (x, y) => {
      const m = fitGradientBoosting(x, y, { ...DEFAULT_GRADIENT_BOOSTING, loss: 'squared-error', seed: 42 });
      return { predict: (row) => boostedPrediction(m, row), onnx: () => exportTreeEnsembleToOnnx({ model: m, inputName: 'x', outputs: OUTPUTS }) };
    },
  },
];

async function measureTemplate(t: Template, rounds: number): Promise<Record<string, number | string>> {
  const csv = parseCsv(readFileSync(join(DATASETS, t.file), 'utf8'));
  const table = numericTable(csv, { target: t.target });
  const split = holdoutSplit(table.y.length, { fraction: 0.25, seed: 42, strata: t.task === 'binary' ? table.y : undefined });
  const x = split.train.map((i) => table.x[i]);
  const y = split.train.map((i) => table.y[i]);
  const hx = split.holdout.map((i) => table.x[i]);
  const hy = split.holdout.map((i) => table.y[i]);
  const fitMs: number[] = [];
  const exportMs: number[] = [];
  const evaluateMs: number[] = [];
  let headline = '';
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    const fitted = t.fit(x, y);
    fitMs.push(performance.now() - t0);
    t0 = performance.now();
    const bytes = fitted.onnx();
    exportMs.push(performance.now() - t0);
    t0 = performance.now();
    const scorer = await openOnnxScorer(bytes, { inputName: 'x', outputName: 'score' });
    try {
      const evaluation = await evaluateModel({ task: t.task, features: table.features, x: hx, y: hy, predict: (rows) => scorer.score(rows) });
      headline = t.task === 'binary' ? `auc ${evaluation.metrics.auc?.toFixed(4)}` : `r2 ${evaluation.metrics.r2?.toFixed(4)}`;
    } finally {
      await scorer.release();
    }
    evaluateMs.push(performance.now() - t0);
  }
  return {
    template: t.name,
    rows: `${x.length}+${hx.length}`,
    fitMs: +median(fitMs).toFixed(1),
    exportMs: +median(exportMs).toFixed(2),
    evaluateMs: +median(evaluateMs).toFixed(1),
    holdout: headline,
  };
}

async function measureRunner(
  name: string,
  command: string[],
  channels: Record<string, Record<string, string>>,
  hyperparameters: Record<string, string>,
  rounds: number,
) {
  const durations: number[] = [];
  const cpu: number[] = [];
  const memory: number[] = [];
  let status = '';
  for (let r = 0; r < rounds; r++) {
    const result = await runTrainingJob({ command, channels, hyperparameters, timeoutMs: 300_000 });
    status = result.status;
    durations.push(result.usage.durationMs);
    cpu.push((result.usage.cpuUserMs ?? Number.NaN) + (result.usage.cpuSystemMs ?? Number.NaN));
    memory.push((result.usage.peakMemoryBytes ?? Number.NaN) / 2 ** 20);
  }
  return { runner: name, status, durationMs: median(durations), cpuMs: median(cpu), peakMemoryMiB: +median(memory).toFixed(1) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, python: { type: 'string' } } });
  const rounds = Number(values.rounds);
  console.log(`training costs, median of ${rounds} rounds (node ${process.version})`);
  const templates = [];
  for (const t of TEMPLATES) templates.push(await measureTemplate(t, rounds));
  console.table(templates);
  const trivial = `require('node:fs').writeFileSync(process.env.SM_MODEL_DIR + '/model.onnx', 'x')`;
  const runners = [
    await measureRunner('node, writes a model (fixed cost of a run)', [process.execPath, '-e', trivial], { train: { 'a.csv': 'a\n1\n' } }, {}, rounds),
  ];
  const python = [values.python, 'python3', '/usr/bin/python3'].find(
    (p) => p && spawnSync(p, ['-c', 'import sklearn, onnx'], { stdio: 'ignore' }).status === 0,
  );
  if (python) {
    const data = readFileSync(join(DATASETS, 'breast-cancer.csv'), 'utf8');
    runners.push(
      await measureRunner(
        `${python} templates/python-sklearn/train.py (569 rows)`,
        [python, join(__dirname, '../../templates/python-sklearn/train.py')],
        { train: { 'data.csv': data } },
        { target: 'benign' },
        rounds,
      ),
    );
  } else console.log('no python3 with scikit-learn and onnx: the Python template is not measured');
  console.table(runners);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
