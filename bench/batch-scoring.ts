/**
 * Batch scoring against CSV parsing alone (issue 11): 1,000,000 rows × 20
 * features, generated into a temporary folder at run time (never committed),
 * scored by a 20-feature ONNX logistic regression through the batch engine
 * (serving/batch/score-stream.ts: csv-parse, schema checks, onnxruntime,
 * CSV output with row numbers, rejected-rows report) — against the time to
 * only parse the same file with the same reader (core/tabular/csv-rows.ts),
 * in the same run. Target: scoring wall time ≤ 2 × parse time.
 *
 *   npx tsx bench/batch-scoring.ts [--rows 1000000] [--repeat 3] [--batch-rows 4096] [--note "…"] [--no-record]
 *
 * Parse and score runs alternate (parse, score, parse, score, …) so a change
 * in machine load hits both; the record keeps every run and judges the
 * medians.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IoSchema } from '../core/catalog/artifacts/io-schema';
import { exportLinearModelToOnnx } from '../core/maths/onnx/linear-model-onnx';
import { readCsvBatches } from '../core/tabular/csv-rows';
import { singleFileArtifact } from '../serving/artifacts/model-artifacts';
import { scoreStream } from '../serving/batch/score-stream';
import { loadModel } from '../serving/runtimes/load-model';
import { commandLine, describeMachine, gitCommit } from './record';

const FEATURES = 20;
const TARGET_RATIO = 2;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    'batch-rows': { type: 'string', default: '4096' },
    note: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const batchRows = Number(values['batch-rows']);
const report = (line: string) => process.stderr.write(`${line}\n`);

/** Deterministic values with 6 decimals, like an exported feature table. */
async function writeInput(file: string): Promise<void> {
  const out = createWriteStream(file);
  let seed = 12345;
  const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 10 - 5;
  out.write(Array.from({ length: FEATURES }, (_, i) => `f${i + 1}`).join(',') + '\n');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const cells = new Array<string>(FEATURES);
    for (let f = 0; f < FEATURES; f++) cells[f] = next().toFixed(6);
    chunk += cells.join(',') + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

function model(): { bytes: Uint8Array; io: IoSchema } {
  const coefficients = Array.from({ length: FEATURES }, (_, i) => ((i % 7) - 3) / 10);
  const bytes = exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    center: new Array(FEATURES).fill(0),
    scale: new Array(FEATURES).fill(1),
    coefficients,
    intercept: 0.1,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
  return {
    bytes,
    io: {
      inputs: Array.from({ length: FEATURES }, (_, i) => ({ name: `f${i + 1}`, type: 'double' as const })),
      outputs: [{ name: 'probability', type: 'float' }],
    },
  };
}

/** CPU time of this process (all its threads) since `from`, in ms: on a shared machine it moves less than wall time. */
function cpuMillis(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

async function parseOnly(file: string): Promise<{ millis: number; cpuMillis: number; records: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let records = 0;
  for await (const batch of readCsvBatches(createReadStream(file), { batchSize: batchRows })) records += batch.records.length;
  return { millis: performance.now() - started, cpuMillis: cpuMillis(cpu), records };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-batch-bench-'));
  try {
    const input = join(dir, 'input.csv');
    report(`writing ${rows} rows × ${FEATURES} features to ${input} …`);
    await writeInput(input);
    const inputBytes = (await stat(input)).size;
    const { bytes, io } = model();
    const served = await loadModel({ runtime: 'onnx', artifact: singleFileArtifact('bench://model.onnx', 'model.onnx', bytes), ioSchema: io });
    const parseRuns: { millis: number; cpuMillis: number }[] = [];
    const scoreRuns: { millis: number; cpuMillis: number; rowsOut: number; rowsRejected: number; outputBytes: number }[] = [];
    // One unmeasured round warms the JIT and the page cache for both paths.
    for (let round = 0; round <= repeat; round++) {
      const parse = await parseOnly(input);
      if (parse.records !== rows) throw new Error(`parsed ${parse.records} records, expected ${rows}`);
      const output = join(dir, 'output.csv');
      const rejected = join(dir, 'rejected.csv');
      const out = createWriteStream(output);
      const rej = createWriteStream(rejected);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = await scoreStream({ model: served.model, input: createReadStream(input), inputFormat: 'csv', output: out, rejected: rej, batchRows });
      out.end();
      rej.end();
      await Promise.all([finished(out), finished(rej)]);
      const millis = performance.now() - started;
      const scoreCpu = cpuMillis(cpu);
      if (result.rowsOut !== rows) throw new Error(`scored ${result.rowsOut} rows, expected ${rows}`);
      const label = round === 0 ? 'warm-up' : `run ${round}`;
      report(
        `${label}: parse ${parse.millis.toFixed(0)} ms (cpu ${parse.cpuMillis.toFixed(0)}), score ${millis.toFixed(0)} ms (cpu ${scoreCpu.toFixed(0)}; ` +
          `${(rows / (millis / 1000)).toFixed(0)} rows/s), ratio ${(millis / parse.millis).toFixed(2)} (cpu ${(scoreCpu / parse.cpuMillis).toFixed(2)}), load ${loadavg()[0].toFixed(1)}`,
      );
      if (round > 0) {
        parseRuns.push({ millis: parse.millis, cpuMillis: parse.cpuMillis });
        scoreRuns.push({ millis, cpuMillis: scoreCpu, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected, outputBytes: (await stat(output)).size });
      }
    }
    await served.release();
    const parseMs = median(parseRuns.map((r) => r.millis));
    const scoreMs = median(scoreRuns.map((r) => r.millis));
    const ratio = scoreMs / parseMs;
    const cpuRatio = median(scoreRuns.map((r) => r.cpuMillis)) / median(parseRuns.map((r) => r.cpuMillis));
    const record = {
      scenario: 'batch-scoring',
      measures: `CSV of ${rows} rows × ${FEATURES} features scored by a ${FEATURES}-feature ONNX logistic regression through serving/batch, vs parsing the same file with core/tabular/csv-rows.ts`,
      date: new Date().toISOString(),
      commit: gitCommit(resolve(__dirname, '..')),
      command: commandLine(process.argv.slice(2)).replace('npx tsx bench/run.ts', 'npx tsx bench/batch-scoring.ts'),
      machine: describeMachine(),
      settings: { rows, features: FEATURES, batchRows, repeat, inputBytes },
      parseRuns,
      scoreRuns,
      median: { parseMillis: parseMs, scoreMillis: scoreMs, rowsPerSecond: rows / (scoreMs / 1000), parseRowsPerSecond: rows / (parseMs / 1000) },
      comparison: { ratio, cpuRatio, target: `score ≤ ${TARGET_RATIO} × parse (wall time)`, met: ratio <= TARGET_RATIO },
      loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
      note: values.note,
    };
    process.stdout.write(
      `batch-scoring: ${rows} rows, input ${(inputBytes / 2 ** 20).toFixed(0)} MiB; median parse ${parseMs.toFixed(0)} ms, score ${scoreMs.toFixed(0)} ms ` +
        `(${record.median.rowsPerSecond.toFixed(0)} rows/s); ratio ${ratio.toFixed(2)}, cpu ratio ${cpuRatio.toFixed(2)} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})\n`,
    );
    if (!values['no-record']) {
      const results = join(__dirname, 'results');
      mkdirSync(results, { recursive: true });
      const file = join(results, `${record.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-batch-scoring.json`);
      writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
      report(`recorded ${file}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
