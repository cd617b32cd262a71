import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, ModelError, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { readSettings } from '../../../core/config/settings';
import { writeModelArchive } from '../../../serving/artifacts/model-archive';
import type { EndpointConfigInput } from '../../../serving/gateway/endpoint-registry';
import { CHURN_MODEL as MODEL } from '../../fixtures/serving/churn-model';

/**
 * The scoring gateway process started by global-setup, reading artifacts from
 * s3rver, called through the platform's own SageMakerRuntimeClient (endpoint
 * option + static local credentials, from core/adapters/aws-clients.ts)
 * exactly as the platform calls SageMaker on AWS. Bucket and endpoint names
 * are unique to this file.
 */
const scoringEndpoint = process.env.STEWARD_TEST_SCORING_ENDPOINT!;
const s3Endpoint = process.env.STEWARD_TEST_S3_ENDPOINT!;
const unique = randomUUID().slice(0, 8);
const bucket = `serving-${unique}`;
const endpointName = `churn-${unique}`;
const { s3, sagemakerRuntime: runtime } = createAwsClients(
  readSettings({ STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: s3Endpoint, STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: scoringEndpoint }),
);

const σ = (z: number) => 1 / (1 + Math.exp(-z));

async function register(name: string, config: EndpointConfigInput): Promise<Response> {
  return fetch(`${scoringEndpoint}/local/endpoints/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
}

function scores(body: Uint8Array): number[] {
  return (JSON.parse(new TextDecoder().decode(body)) as { predictions: { score: number }[] }).predictions.map((p) => p.score);
}

beforeAll(async () => {
  if (!scoringEndpoint || !s3Endpoint) throw new Error('stand-ins are not running: integration tests need test/support/global-setup.ts');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'tenants/t1/models/churn/1/model.json', Body: JSON.stringify(MODEL), ContentType: 'application/json' }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'tenants/t1/models/churn/2/model.tar.gz',
      Body: writeModelArchive({ 'model.json': JSON.stringify({ ...MODEL, intercept: 0 }) }),
      ContentType: 'application/gzip',
    }),
  );
});

afterAll(async () => {
  await fetch(`${scoringEndpoint}/local/endpoints/${endpointName}`, { method: 'DELETE' }).catch(() => undefined);
  s3.destroy();
  runtime.destroy();
});

describe('scoring gateway (SageMaker runtime protocol over s3rver artifacts)', () => {
  it('answers ValidationError for an endpoint that does not exist', async () => {
    const error = await runtime
      .send(new InvokeEndpointCommand({ EndpointName: `absent-${unique}`, Body: '1,2', ContentType: 'text/csv' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(`Endpoint absent-${unique} of account 000000000000 not found.`);
  });

  it('refuses to register an endpoint whose artifact is not in S3', async () => {
    const res = await register(`missing-${unique}`, {
      productionVariants: [{ variantName: 'v1', model: { runtime: 'linear', artifactUri: `s3://${bucket}/tenants/t1/models/none/model.json` } }],
    });
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(/no such object/);
  });

  describe('with a registered endpoint', () => {
    beforeAll(async () => {
      const res = await register(endpointName, {
        productionVariants: [
          { variantName: 'champion', weight: 1, model: { runtime: 'linear', artifactUri: `s3://${bucket}/tenants/t1/models/churn/1/model.json` } },
          { variantName: 'challenger', weight: 0, model: { runtime: 'linear', artifactUri: `s3://${bucket}/tenants/t1/models/churn/2/model.tar.gz` } },
        ],
        tags: { TenantId: 't1' },
      });
      expect(res.status).toBe(201);
    });

    it('scores CSV rows from a model.json artifact with the right probabilities', async () => {
      const out = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: endpointName, Body: '40,0\n50,2\n30,4\n', ContentType: 'text/csv', Accept: 'application/json' }),
      );
      expect(out.InvokedProductionVariant).toBe('champion');
      expect(out.ContentType).toBe('application/json');
      const [a, b, c] = scores(out.Body);
      expect(a).toBeCloseTo(σ(-1), 12);
      expect(b).toBeCloseTo(σ(-1 + 2 + 1), 12);
      expect(c).toBeCloseTo(σ(-1 - 2 + 2), 12);
    });

    it('scores JSON instances on the variant named by TargetVariant, read from a model.tar.gz', async () => {
      const out = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          Body: JSON.stringify({ instances: [{ age: 50, visits: 2 }] }),
          ContentType: 'application/json',
          TargetVariant: 'challenger',
          Accept: 'text/csv',
        }),
      );
      expect(out.InvokedProductionVariant).toBe('challenger');
      expect(out.ContentType).toBe('text/csv');
      const [score, label] = new TextDecoder().decode(out.Body).trim().split(',');
      expect(Number(score)).toBeCloseTo(σ(2 + 1), 12);
      expect(label).toBe('churn');
    });

    it('relays rows the model refuses as ModelError naming the problem', async () => {
      const error = await runtime
        .send(new InvokeEndpointCommand({ EndpointName: endpointName, Body: '40\n', ContentType: 'text/csv' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      expect(error).toMatchObject({ OriginalStatusCode: 400, OriginalMessage: 'row 1: has 1 values; expected 2 (age, visits)' });
    });
  });
});
