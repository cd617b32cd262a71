import { request as httpRequest } from 'node:http';
import { exportLinearModelToOnnx } from '../../../core/maths/onnx/linear-model-onnx';
import { serveApi } from '../../../infra/local/api-server';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createProject } from '../catalog/catalog-fixtures';
import { approvedOnnxVersion, deployAndWait } from './deployment-fixtures';

/**
 * Scoring over the local server's real HTTP, where the route reads its body
 * straight from Node's request (serving/http/request-body.ts): at once when
 * the body has arrived whole, streamed when it is still arriving, through
 * hono's readers when an Idempotency-Key made the middleware read it first.
 * Each way answers what `app.request` answers for the same body.
 */
jest.setTimeout(120_000);

const N = 4;
const SCHEMA = { inputs: Array.from({ length: N }, (_, i) => ({ name: `x${i}`, type: 'float' })), outputs: [{ name: 'probability', type: 'float' }] };
const ROW = { x0: 0.5, x1: -1.25, x2: 2, x3: 0 };

let ctx: Awaited<ReturnType<typeof bootApi>>;
let acme: OnboardedTenant;
let served: Awaited<ReturnType<typeof serveApi>>;

beforeAll(async () => {
  ctx = await bootApi();
  acme = await onboardTenant(ctx.api, ctx.adminToken, 'Acme Wire Scoring');
  const ds = acme.tokens['data-scientist'];
  const { projectId } = await createProject(ctx.api, ds);
  const model = await ctx.api.call('POST', '/models', { token: ds, body: { projectId, name: 'wire-scoring', type: 'ml', framework: 'onnx', schema: SCHEMA } });
  const onnx = exportLinearModelToOnnx({
    kind: 'logistic',
    inputName: 'features',
    center: [0, 0, 0, 0],
    scale: [1, 1, 1, 1],
    coefficients: [0.5, -0.25, 1, 2],
    intercept: 0.1,
    outputs: [{ name: 'probability', role: 'score', elementType: 'float32', rank: 2 }],
  });
  const version = await approvedOnnxVersion(ctx.api, acme, model.body.modelId, onnx);
  const deployed = await deployAndWait(ctx.api, ctx.local.runner, acme, {
    endpointName: 'wire',
    variants: [{ modelId: model.body.modelId, version }],
    capturePercent: 0,
  });
  expect(deployed.status).toBe('live');
  served = await serveApi(ctx.api.app, 0);
});

afterAll(async () => {
  await served?.close();
  await ctx?.local.close();
});

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP/1.1 exchange; `pauseMs` between the chunks keeps the body arriving after the route starts reading it. */
function send(chunks: readonly string[], headers: Record<string, string>, pauseMs = 0): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const req = httpRequest(
      `${served.url}/endpoints/wire/invocations`,
      { method: 'POST', headers: { authorization: `Bearer ${acme.tokens.deployer}`, 'content-length': String(length), ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        req.write(chunk);
      }
      req.end();
    })();
  });
}

/** The answer without what differs per request (the request id in each prediction id). */
function answerOf(text: string): unknown {
  const answer = JSON.parse(text) as { predictions: Array<Record<string, unknown>> };
  return {
    ...answer,
    predictions: answer.predictions.map(({ predictionId, ...rest }) => ({ ...rest, predictionId: String(predictionId).replace(/^.*-(\d+)$/, '<id>-$1') })),
  };
}

async function viaAppRequest(body: string, contentType: string) {
  const res = await ctx.api.app.request('/endpoints/wire/invocations', {
    method: 'POST',
    headers: { authorization: `Bearer ${acme.tokens.deployer}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: await res.text() };
}

it('answers a JSON row read at once, streamed in pieces, or as CSV as app.request answers it', async () => {
  const json = JSON.stringify([ROW, { ...ROW, x3: 1 }]);
  const expected = await viaAppRequest(json, 'application/json');
  expect(expected.status).toBe(200);
  const whole = await send([json], { 'content-type': 'application/json' });
  const split = await send([json.slice(0, 9), json.slice(9)], { 'content-type': 'application/json' }, 50);
  for (const res of [whole, split]) {
    expect(res.status).toBe(200);
    expect(answerOf(res.body)).toEqual(answerOf(expected.body));
  }
  const csv = '0.5,-1.25,2,0\n0.5,-1.25,2,1\n';
  const csvExpected = await viaAppRequest(csv, 'text/csv');
  const csvSent = await send([csv], { 'content-type': 'text/csv' });
  expect(csvSent.status).toBe(200);
  expect(answerOf(csvSent.body)).toEqual(answerOf(csvExpected.body));
  expect(answerOf(csvSent.body)).toEqual(answerOf(expected.body));
});

it('reads the body the Idempotency-Key middleware read first, and replays the answer for the same key', async () => {
  const json = JSON.stringify([ROW]);
  const headers = { 'content-type': 'application/json', 'idempotency-key': `wire-${Date.now()}` };
  const first = await send([json], headers);
  expect(first.status).toBe(200);
  expect(answerOf(first.body)).toEqual(answerOf((await viaAppRequest(json, 'application/json')).body));
  const again = await send([json], headers);
  expect(again.status).toBe(200);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toBe(first.body);
});

it('names the field of a refused row and refuses an empty body, as over app.request', async () => {
  const bad = JSON.stringify([{ ...ROW, x2: 'two' }]);
  const refused = await send([bad], { 'content-type': 'application/json' });
  expect(refused.status).toBe(400);
  const expected = await viaAppRequest(bad, 'application/json');
  const problem = (text: string) => {
    const { requestId: _r, instance: _i, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return rest;
  };
  expect(problem(refused.body)).toEqual(problem(expected.body));
  expect(refused.body).toContain("row 1, field 'x2'");
  const empty = await send([], { 'content-type': 'application/json' });
  expect(empty.status).toBe(400);
  expect(JSON.parse(empty.body)).toMatchObject({ invalidFields: [{ field: 'body', problem: 'send at least one row' }] });
});
