import type { Log } from '../../../core/ports/log';
import { createContainerApp } from '../../../serving/container/app';
import { LinearModel } from '../../../serving/runtimes/linear-runtime';
import { LOGISTIC, sigmoidByHand } from './fixtures';

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

describe('serving container contract', () => {
  const app = createContainerApp({ model: new LinearModel(LOGISTIC), log: silent });

  it('answers /ping with 200 once the model is loaded', async () => {
    expect((await app.request('/ping')).status).toBe(200);
  });

  it('scores POST /invocations with the negotiated content type', async () => {
    const res = await app.request('/invocations', { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, body: '3,0\n' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv');
    const [score, label] = (await res.text()).trim().split(',');
    expect(Number(score)).toBeCloseTo(sigmoidByHand(3.5), 12);
    expect(label).toBe('churn');
  });

  it('answers refused input with the runtime status and a plain message, which SageMaker relays as ModelError', async () => {
    const res = await app.request('/invocations', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: '3' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('row 1: has 1 values; expected 2 (a, b)');
    const unsupported = await app.request('/invocations', { method: 'POST', headers: { 'content-type': 'application/x-npy' }, body: 'x' });
    expect(unsupported.status).toBe(415);
  });

  it('tells batch transform to send multi-record batches', async () => {
    expect(await (await app.request('/execution-parameters')).json()).toMatchObject({ BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 });
  });
});

/** batch-score's transforms send a whole partition CSV with Accept: application/vnd.steward.batch+json. */
describe('serving container batch mode', () => {
  const model = new LinearModel(LOGISTIC);
  const app = createContainerApp({ model, log: silent, batch: { model, passthrough: ['id'] } });
  const batch = (body: string, target = app) =>
    target.request('/invocations', { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/vnd.steward.batch+json' }, body });

  it('scores every row of the partition and reports refused rows by number, field and problem instead of failing the request', async () => {
    const res = await batch('id,b,a\nx1,0,3\nx2,1,oops\nx3,1\nx4,1,1\n');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.steward.batch+json');
    const answer = await res.json();
    expect(answer).toMatchObject({ format: 'steward-batch/1', rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    const lines = answer.output.trim().split('\n');
    expect(lines[0].split(',').slice(0, 2)).toEqual(['row', 'id']);
    expect(lines.slice(1).map((l: string) => l.split(',').slice(0, 2))).toEqual([
      ['1', 'x1'],
      ['4', 'x4'],
    ]);
    // Columns matched by name, not position: row 1 is a=3, b=0.
    expect(Number(lines[1].split(',')[2])).toBeCloseTo(sigmoidByHand(3.5), 12);
    const rejected = answer.rejected.trim().split('\n');
    expect(rejected[0]).toBe('row,id,field,reason');
    expect(rejected[1]).toMatch(/^2,x2,a,/);
    expect(rejected[2]).toMatch(/^3,x3,,/);
    expect(answer.statistics[Object.keys(answer.statistics)[0]].count).toBe(2);
  });

  it('answers 400 only when the CSV as a whole cannot be scored (a passthrough or model input column missing)', async () => {
    const noId = await batch('b,a\n0,3\n');
    expect(noId.status).toBe(400);
    expect(await noId.text()).toMatch(/no column 'id'/);
  });

  it('refuses the batch mode where none is configured, and leaves realtime requests as they were', async () => {
    expect((await batch('id,a,b\nx,1,1\n', createContainerApp({ model, log: silent }))).status).toBe(406);
    const realtime = await app.request('/invocations', { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, body: '3,0\n' });
    expect(realtime.status).toBe(200);
    expect(Number((await realtime.text()).split(',')[0])).toBeCloseTo(sigmoidByHand(3.5), 12);
  });
});
