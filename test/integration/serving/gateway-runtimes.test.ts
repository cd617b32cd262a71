import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, ModelError } from '@aws-sdk/client-sagemaker-runtime';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { readSettings } from '../../../core/config/settings';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import type { EndpointConfigInput } from '../../../serving/gateway/endpoint-registry';
import { CREDIT_SCORECARD_IO, creditScorecardBytes } from '../../fixtures/artifacts/credit-scorecard';
import { treeEnsembleClassifier, walkTree, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { POINTS_SCORECARD_IO, pointsScorecard } from '../../fixtures/artifacts/points-scorecard';

/**
 * The gateway process of global-setup serving the ONNX, rules and scorecard
 * runtimes from s3rver artifacts, registered the way a deployment would: with
 * the version's io schema and the catalog's SHA-256; called through the
 * platform's SageMakerRuntimeClient.
 */
const scoringEndpoint = process.env.STEWARD_TEST_SCORING_ENDPOINT!;
const s3Endpoint = process.env.STEWARD_TEST_S3_ENDPOINT!;
const unique = randomUUID().slice(0, 8);
const bucket = `runtimes-${unique}`;
const { s3, sagemakerRuntime: runtime } = createAwsClients(
  readSettings({ STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: s3Endpoint, STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: scoringEndpoint }),
);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const registered: string[] = [];

async function register(name: string, config: EndpointConfigInput): Promise<Response> {
  registered.push(name);
  return fetch(`${scoringEndpoint}/local/endpoints/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
}

async function invoke(endpoint: string, body: string, contentType = 'application/json'): Promise<{ predictions: Record<string, unknown>[] }> {
  const out = await runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: body, ContentType: contentType }));
  return JSON.parse(new TextDecoder().decode(out.Body));
}

const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0, 0.5, 0] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 2, threshold: 10, yes: { leaf: [0.3, 0.2, 0] }, no: { leaf: [0, 0.1, 0.4] } },
];
const LABELS = ['low', 'mid', 'high'];
const TREE_IO: IoSchema = {
  inputs: [
    { name: 'utilization', type: 'float' },
    { name: 'delinquencies', type: 'int' },
    { name: 'months', type: 'float' },
  ],
  outputs: [{ name: 'output_label', type: 'category' }],
};
const onnxBytes = treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: true });
const cardBytes = new TextEncoder().encode(JSON.stringify(pointsScorecard()));
const rulesBytes = creditScorecardBytes();

beforeAll(async () => {
  if (!scoringEndpoint || !s3Endpoint) throw new Error('stand-ins are not running: integration tests need test/support/global-setup.ts');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of [
    ['m/risk/1/model.onnx', onnxBytes],
    ['m/card/1/scorecard.json', cardBytes],
    ['m/rules/1/rules.json', rulesBytes],
  ] as const) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
});

afterAll(async () => {
  await Promise.all(registered.map((name) => fetch(`${scoringEndpoint}/local/endpoints/${name}`, { method: 'DELETE' }).catch(() => undefined)));
  s3.destroy();
  runtime.destroy();
});

describe('gateway serving every runtime', () => {
  it('serves an ONNX tree ensemble with its io schema and hash: label + probabilities as a hand walk of the trees', async () => {
    const name = `risk-${unique}`;
    const res = await register(name, {
      productionVariants: [
        { variantName: 'v1', model: { runtime: 'onnx', artifactUri: `s3://${bucket}/m/risk/1/model.onnx`, sha256: sha256(onnxBytes), ioSchema: TREE_IO } },
      ],
    });
    expect(res.status).toBe(201);
    const rows = [
      [0, 1, 5],
      [1, 3, 20],
      [0.9, 2, 10],
    ];
    const { predictions } = await invoke(name, `utilization,delinquencies,months\n${rows.map((r) => r.join(',')).join('\n')}\n`, 'text/csv');
    rows.forEach((row, i) => {
      const sums = [0, 0, 0];
      for (const tree of TREES) walkTree(tree, row).forEach((w, c) => (sums[c] += w));
      expect(predictions[i].label).toBe(LABELS[sums.indexOf(Math.max(...sums))]);
    });
    const error = await runtime
      .send(new InvokeEndpointCommand({ EndpointName: name, Body: '{"utilization":1,"delinquencies":0.5,"months":3}', ContentType: 'application/json' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ OriginalStatusCode: 400, OriginalMessage: "row 1, field 'delinquencies': expected an integer (int), got 0.5" });
  });

  it('serves a rules version and a scorecard version', async () => {
    const rules = `rules-${unique}`;
    const card = `card-${unique}`;
    expect(
      (
        await register(rules, {
          productionVariants: [
            {
              variantName: 'v1',
              model: { runtime: 'rules', artifactUri: `s3://${bucket}/m/rules/1/rules.json`, sha256: sha256(rulesBytes), ioSchema: CREDIT_SCORECARD_IO },
            },
          ],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await register(card, {
          productionVariants: [
            {
              variantName: 'v1',
              model: { runtime: 'scorecard', artifactUri: `s3://${bucket}/m/card/1/scorecard.json`, sha256: sha256(cardBytes), ioSchema: POINTS_SCORECARD_IO },
            },
          ],
        })
      ).status,
    ).toBe(201);
    expect((await invoke(rules, '{"age":30,"income":80000,"employment":"employed","has_defaults":false}')).predictions[0]).toEqual({
      outputs: { score: 780, decision: 'approve' },
      rule: 'prime',
    });
    // 450 + 25 + 55 + 20 + 30 (see test/fixtures/artifacts/points-scorecard.ts)
    expect((await invoke(card, '{"columns":{"age":[30],"income":[70000],"home":["rent"],"delinquent":[false]}}')).predictions[0]).toMatchObject({
      score: 580,
      odds: 25,
      reasons: ['HOME', 'AGE'],
    });
  });

  it('refuses to register a variant whose stored artifact does not have the expected SHA-256, and keeps serving the previous one', async () => {
    const name = `card2-${unique}`;
    const good = {
      runtime: 'scorecard' as const,
      artifactUri: `s3://${bucket}/m/card/1/scorecard.json`,
      sha256: sha256(cardBytes),
      ioSchema: POINTS_SCORECARD_IO,
    };
    expect((await register(name, { productionVariants: [{ variantName: 'v1', model: good }] })).status).toBe(201);
    const res = await register(name, { productionVariants: [{ variantName: 'v2', model: { ...good, sha256: sha256(rulesBytes) } }] });
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(/SHA-256 .* not the expected/);
    const out = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: name, Body: '{"age":30,"income":70000,"home":"rent","delinquent":false}', ContentType: 'application/json' }),
    );
    expect(out.InvokedProductionVariant).toBe('v1');
  });
});
