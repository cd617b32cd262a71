import fc from 'fast-check';
import { HostedGatewayInvoker } from '../../../core/adapters/sagemaker/hosted-gateway-invoker';
import { withPredictionIds } from '../../../core/deployments/score-endpoint';
import type { Log } from '../../../core/ports/log';
import { singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { InMemoryEndpointRegistry } from '../../../serving/gateway/endpoint-registry';
import { createInvokeEndpoint, type InvokeEndpointCall } from '../../../serving/gateway/invoke-endpoint';
import { ModelCache } from '../../../serving/gateway/model-cache';
import { linearRuntime } from '../../../serving/runtimes/linear-runtime';
import type { InvocationResult, LoadedModel } from '../../../serving/runtimes/model-runtime';
import { ONNX_MODEL_FILE, onnxRuntime } from '../../../serving/runtimes/onnx-runtime';
import { TabularLoadedModel } from '../../../serving/runtimes/tabular-invocation';
import type { Prediction, TabularModel } from '../../../serving/runtimes/tabular-model';
import { treeEnsembleClassifier, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { bytes, LOGISTIC, text } from './fixtures';

/**
 * A JSON answer's predictions handed on as values (InvocationResult →
 * GatewayAnswer → InvocationAnswer.predictions), so the API's scoring route
 * through the hosted gateway neither parses the runtime's JSON back nor has it
 * written: the values must make the very JSON the body would have held.
 */
const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };
const TREES: TreeNode[] = [{ feature: 0, threshold: 0.5, yes: { leaf: [0.25, 0.75] }, no: { leaf: [0.9, 0.1] } }];

/** Predictions as the API answers them (ids first), through the parsed body: what the route wrote before. */
function throughBody(result: InvocationResult): string {
  return JSON.stringify(withPredictionIds('req', (JSON.parse(text(result.body)) as { predictions: Record<string, unknown>[] }).predictions));
}

describe('predictions handed on as values', () => {
  it.each([
    [
      'linear (logistic, labels)',
      () => linearRuntime.load(singleFileArtifact('s3://b/model.json', 'model.json', bytes(JSON.stringify(LOGISTIC)))),
      '[{"a":1,"b":2},{"a":3,"b":0},{"a":-0.5,"b":0}]',
    ],
    [
      'ONNX tree ensemble classifier (label + probabilities)',
      () =>
        onnxRuntime.load(
          singleFileArtifact('s3://b/model.onnx', ONNX_MODEL_FILE, treeEnsembleClassifier({ features: 1, labels: ['no', 'yes'], trees: TREES, zipMap: false })),
          {
            ioSchema: { inputs: [{ name: 'x', type: 'float' }], outputs: [{ name: 'output_label', type: 'category' }] },
          },
        ),
      '[[0.1],[0.7],[0.5]]',
    ],
  ])('a runtime’s JSON answer carries its predictions, which write the JSON its body holds (%s)', async (_name, load, request) => {
    const model = await load();
    try {
      const result = await model.invoke(bytes(request), 'application/json', 'application/json');
      expect(result.predictions).toHaveLength(3);
      expect(JSON.stringify({ predictions: result.predictions })).toBe(text(result.body));
      expect(JSON.stringify(withPredictionIds('req', result.predictions!))).toBe(throughBody(result));
      const csv = await model.invoke(bytes(request), 'application/json', 'text/csv');
      expect(csv.predictions).toBeUndefined();
    } finally {
      await model.release();
    }
  });

  it('values JSON writes differently from how they read back (non-finite, -0, undefined members, nested arrays) still give the same answer', () => {
    const value = fc.oneof(
      fc.double(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const prediction = fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('0', '10', 'score', 'predictionId', '__proto__', 'toJSON')),
      fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.dictionary(fc.string(), value, { maxKeys: 3 })),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(fc.array(prediction, { maxLength: 4 }), (predictions) => {
        const result = { body: bytes(JSON.stringify({ predictions })), contentType: 'application/json' };
        expect(JSON.stringify(withPredictionIds('req', predictions))).toBe(throughBody(result));
      }),
      { numRuns: 300 },
    );
  });

  it('the gateway hands the predictions on and writes the body only when a transport reads it; the hosted adapter does not read it', async () => {
    const written = { count: 0 };
    const predictions: Prediction[] = [{ score: 0.25 }];
    const model: LoadedModel = {
      invoke: async () => ({
        get body() {
          written.count++;
          return bytes(JSON.stringify({ predictions }));
        },
        contentType: 'application/json',
        predictions,
      }),
    };
    const registry = new InMemoryEndpointRegistry();
    await registry.put(
      'ep',
      { productionVariants: [{ variantName: 'blue', weight: 1, model: { runtime: 'linear', artifactUri: 's3://b/m.json' } }], shadowVariants: [], tags: {} },
      new Date(),
    );
    const invoke = createInvokeEndpoint({ registry, models: new ModelCache(async () => model), log: silent });
    const call: InvokeEndpointCall = {
      endpointName: 'ep',
      body: bytes('[[1]]'),
      header: (name) => (name === 'content-type' || name === 'accept' ? 'application/json' : undefined),
    };

    const gatewayAnswer = await invoke(call);
    expect(gatewayAnswer.predictions).toBe(predictions);
    expect(written.count).toBe(0);
    expect(text(gatewayAnswer.body)).toBe('{"predictions":[{"score":0.25}]}');
    expect(written.count).toBe(1);

    const answer = await new HostedGatewayInvoker(() => invoke).invoke({
      endpointName: 'ep',
      body: bytes('[[1]]'),
      contentType: 'application/json',
      accept: 'application/json',
    });
    expect(answer.predictions).toBe(predictions);
    expect(answer.variant).toBe('blue');
    expect(written.count).toBe(1);
    expect(text(answer.body)).toBe('{"predictions":[{"score":0.25}]}');
  });

  it('a CSV answer is its bytes only, written at once', async () => {
    const model = new TabularLoadedModel({
      kind: 'fake',
      inputs: [{ name: 'x', type: 'float' }],
      outputColumns: ['score'],
      predict: async (rows) => rows.map(() => ({ score: 1 })),
      toCsvRow: (p) => [p.score as number],
    } satisfies TabularModel);
    const csv = await model.invoke(bytes('1\n'), 'text/csv', 'text/csv');
    expect(csv).toEqual({ body: bytes('1\n'), contentType: 'text/csv' });
  });
});
