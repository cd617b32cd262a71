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
