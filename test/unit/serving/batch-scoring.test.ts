import { PassThrough, Readable, Writable } from 'node:stream';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { MissingPassthroughColumn, scoreStream, type BatchProgress } from '../../../serving/batch/score-stream';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { loadModel } from '../../../serving/runtimes/load-model';
import type { ServedModel } from '../../../serving/runtimes/model-runtime';
import { encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { treeEnsembleClassifier, walkTree, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';

/** A sink that keeps what it is given and is slow to drain (highWaterMark 16 bytes): the job must wait for it before returning. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      setImmediate(done);
    },
  });
  return { stream, text: () => chunks.join('') };
}

const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0.2, 0.3] }, no: { leaf: [0, 0.5] } } },
  { feature: 1, threshold: 1, yes: { leaf: [0.4, 0.1] }, no: { leaf: [0.1, 0.4] } },
];
const IO: IoSchema = {
  inputs: [
    { name: 'a', type: 'double' },
    { name: 'b', type: 'double' },
  ],
  outputs: [{ name: 'output_label', type: 'category' }],
};

let classifier: ServedModel;
beforeAll(async () => {
  const bytes = treeEnsembleClassifier({ features: 2, labels: ['no', 'yes'], trees: TREES, zipMap: true });
  classifier = await loadModel({ runtime: 'onnx', artifact: singleFileArtifact('s3://b/model.onnx', 'model.onnx', bytes), ioSchema: IO });
});
afterAll(() => classifier.release());

function byHand(a: number, b: number): { label: string; yes: number } {
  const sums = [0, 0];
  for (const t of TREES) walkTree(t, [a, b]).forEach((w, c) => (sums[c] += w));
  return { label: sums[1] > sums[0] ? 'yes' : 'no', yes: sums[1] };
}

describe('batch scoring engine', () => {
  it('scores a CSV in batches, writing every good row with its number and every bad one to the report, without stopping', async () => {
    const lines = ['b,a,id'];
    const expected: { row: number; a: number; b: number }[] = [];
    for (let i = 1; i <= 20; i++) {
      const a = (i % 5) * 0.3;
      const b = i % 4;
      if (i === 4) lines.push(`x,${a},r${i}`);
      else if (i === 11) lines.push(`${b},${a}`);
      else if (i === 17) lines.push(`${b},,r${i}`);
      else {
        lines.push(`${b},${a},r${i}`);
        expected.push({ row: i, a, b });
      }
    }
    const output = sink();
    const rejected = sink();
    const progress: BatchProgress[] = [];
    const result = await scoreStream({
      model: classifier.model,
      input: Readable.from([lines.join('\r\n') + '\r\n']),
      inputFormat: 'csv',
      output: output.stream,
      rejected: rejected.stream,
      batchRows: 6,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ rowsIn: 20, rowsOut: 17, rowsRejected: 3 });
    const [header, ...rows] = output.text().trim().split('\n');
    expect(header).toBe('row,label,probability_no,probability_yes');
    expect(rows.map((r) => Number(r.split(',')[0]))).toEqual(expected.map((e) => e.row));
    rows.forEach((line, i) => {
      const [, label, , yes] = line.split(',');
      const hand = byHand(expected[i].a, expected[i].b);
      expect([line, label]).toEqual([line, hand.label]);
      expect(Number(yes)).toBeCloseTo(hand.yes, 6);
    });
    expect(rejected.text()).toBe(
      ['row,field,reason', "4,b,'x' is not a number", '11,,has 2 values; expected 3 like the header', '17,a,missing', ''].join('\n'),
    );
    expect(progress.map((p) => p.rowsIn)).toEqual([5, 11, 17, 20]);
    expect(progress.at(-1)).toEqual({ rowsIn: 20, rowsOut: 17, rowsRejected: 3 });
  });

  it('scores JSON lines into JSON lines, reporting lines that are not JSON and rows the model refuses', async () => {
    const doc = pointsScorecard();
    doc.characteristics[1].bins.shift(); // incomes below 20000 fall in no bin
    const card = await loadModel({
      runtime: 'scorecard',
      artifact: singleFileArtifact('s3://b/s.json', 'scorecard.json', encodeJson(doc)),
      ioSchema: POINTS_SCORECARD_IO,
    });
    const input = [
      '{"age":30,"income":70000,"home":"rent","delinquent":false}',
      '',
      '{"age":30,"income":100,"home":"rent","delinquent":false}',
      '{"age":30,',
      '[41,25000,"own",false]',
    ].join('\n');
    const output = sink();
    const rejected = sink();
    const result = await scoreStream({
      model: card.model,
      input: Readable.from([input]),
      inputFormat: 'jsonl',
      output: output.stream,
      rejected: rejected.stream,
    });
    expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    const out = output
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => [o.row, o.prediction.score])).toEqual([
      [1, 580],
      [4, 450 + 40 + 30 + 45 + 30],
    ]);
    const report = rejected
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(report).toEqual([
      { row: 2, field: 'income', reason: "100 falls in no bin, and the characteristic has no 'other' bin" },
      { row: 3, field: null, reason: expect.stringMatching(/^not valid JSON/) },
    ]);
  });

  it('reads a headerless CSV positionally when told, and stops on a header that lacks an input', async () => {
    const output = sink();
    const result = await scoreStream({
      model: classifier.model,
      input: Readable.from(['0,0\n1,3\n']),
      inputFormat: 'csv',
      csvHeader: false,
      output: output.stream,
      rejected: new PassThrough(),
    });
    expect(result.rowsOut).toBe(2);
    expect(
      output
        .text()
        .split('\n')[2]
        .startsWith(`2,${byHand(1, 3).label},`),
    ).toBe(true);
    await expect(
      scoreStream({ model: classifier.model, input: Readable.from(['a,c\n1,2\n']), inputFormat: 'csv', output: sink().stream, rejected: sink().stream }),
    ).rejects.toThrow(/header lacks field\(s\) b/);
  });

  it('carries passthrough columns into output and rejected rows, sums each numeric output column, and stops on a passthrough column the header lacks', async () => {
    const output = sink();
    const rejected = sink();
    const input = Readable.from(['id,a,b\nk1,0,0\nk2,x,1\nk3,1,3\n']);
    const result = await scoreStream({
      model: classifier.model,
      input,
      inputFormat: 'csv',
      csvHeader: true,
      passthrough: ['id'],
      output: output.stream,
      rejected: rejected.stream,
    });
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    const [header, first, second] = output.text().trim().split('\n');
    expect(header.startsWith('row,id,')).toBe(true);
    expect(first.startsWith(`1,k1,${byHand(0, 0).label},`)).toBe(true);
    expect(second.startsWith(`3,k3,${byHand(1, 3).label},`)).toBe(true);
    expect(rejected.text()).toBe("row,id,field,reason\n2,k2,a,'x' is not a number\n");
    // Every numeric output column: count, sum, sum of squares, min, max over the rows written.
    const numeric = Object.values(result.statistics);
    expect(numeric.length).toBeGreaterThan(0);
    for (const s of numeric) {
      expect(s.count).toBe(2);
      expect(s.min).toBeLessThanOrEqual(s.max);
      expect(s.sumSquares).toBeGreaterThanOrEqual(0);
    }
    await expect(
      scoreStream({
        model: classifier.model,
        input: Readable.from(['a,b\n1,2\n']),
        inputFormat: 'csv',
        csvHeader: true,
        passthrough: ['id'],
        output: sink().stream,
        rejected: sink().stream,
      }),
    ).rejects.toBeInstanceOf(MissingPassthroughColumn);
  });
});
