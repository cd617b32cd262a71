import { createEndpointConfigRequest, createModelRequests, tagsOf } from '../../../core/adapters/sagemaker/sagemaker-requests';
import { type EndpointConfigSpec, type EndpointControl, type EndpointDescription, EndpointRejected } from '../../../core/ports/endpoint-control';
import { LocalSageMakerIntegration } from '../../../state-machines/local-sagemaker-integration';
import { sageMakerIntegrationOf } from '../../../state-machines/resource-convention';

/**
 * The local SageMaker service integration: the deploy machine's requests, built
 * by the same code as on AWS (sagemaker-requests.ts), must reach the endpoint
 * control as the very configuration they were built from, and its failures must
 * look the way SageMaker reports them, since the definition's Choice states read them.
 */
const SCHEMA = { inputs: [{ name: 'x0', type: 'float' as const }], outputs: [{ name: 'probability', type: 'float' as const }] };
const SHA = 'a'.repeat(64);
const TENANT = 'tabcdefghjkmnpqr';

function configOf(deploymentId: string, weights: [number, number] = [3, 1]): EndpointConfigSpec {
  const base = `${TENANT}-${deploymentId}`;
  return {
    configName: base,
    productionVariants: [
      {
        variantName: 'v1',
        weight: weights[0],
        model: { modelName: `${base}-m0`, runtime: 'onnx', artifactUri: 's3://b/tenants/t/artifacts/v1', ioSchema: SCHEMA, sha256: SHA },
      },
      { variantName: 'v2', weight: weights[1], model: { modelName: `${base}-m1`, runtime: 'linear', artifactUri: 's3://b/tenants/t/artifacts/v2' } },
    ],
    shadowVariants: [
      { variantName: 'shadow-v3', samplingPercentage: 40, model: { modelName: `${base}-m2`, runtime: 'rules', artifactUri: 's3://b/tenants/t/artifacts/v3' } },
    ],
    captureUri: 's3://b/tenants/t/captures/churn/shadow/',
    tags: { TenantId: TENANT, DeploymentId: deploymentId },
  };
}

const OPTIONS = { image: 'steward-serving:local', executionRoleArn: 'arn:aws:iam::000000000000:role/steward-serving-local' };
const ENDPOINT = `${TENANT}-churn`;

/** The scoring gateway as the port sees it: one registration per endpoint, refusing a model whose name says so. */
class FakeGateway implements EndpointControl {
  readonly kind = 'local' as const;
  readonly endpoints = new Map<string, EndpointConfigSpec>();
  readonly applied: { endpointName: string; config: EndpointConfigSpec }[] = [];
  async createModels(): Promise<void> {}
  async createEndpointConfig(): Promise<void> {}
  async createOrUpdateEndpoint(endpointName: string, config: EndpointConfigSpec): Promise<'created' | 'updated'> {
    this.applied.push({ endpointName, config });
    const broken = config.productionVariants.find((v) => v.model.artifactUri.endsWith('broken'));
    if (broken) throw new EndpointRejected(endpointName, `${broken.model.artifactUri} is not a valid model`);
    const existed = this.endpoints.has(endpointName);
    this.endpoints.set(endpointName, config);
    return existed ? 'updated' : 'created';
  }
  async describeEndpoint(endpointName: string): Promise<EndpointDescription | undefined> {
    const config = this.endpoints.get(endpointName);
    return config ? { endpointName, status: 'InService', configName: config.configName } : undefined;
  }
  async deleteEndpoint(endpointName: string): Promise<boolean> {
    return this.endpoints.delete(endpointName);
  }
}

const at = (resource: string) => sageMakerIntegrationOf(resource)!;
const CREATE_MODEL = at('arn:aws:states:::sagemaker:createModel');
const CREATE_CONFIG = at('arn:aws:states:::sagemaker:createEndpointConfig');
const CREATE_ENDPOINT = at('arn:aws:states:::sagemaker:createEndpoint');
const UPDATE_ENDPOINT = at('arn:aws:states:::sagemaker:updateEndpoint');
const DESCRIBE = at('arn:aws:states:::aws-sdk:sagemaker:describeEndpoint');
const DELETE = at('arn:aws:states:::aws-sdk:sagemaker:deleteEndpoint');

let gateway: FakeGateway;
let sagemaker: LocalSageMakerIntegration;

beforeEach(() => {
  gateway = new FakeGateway();
  sagemaker = new LocalSageMakerIntegration(() => gateway);
});

async function createModelsAndConfig(config: EndpointConfigSpec): Promise<void> {
  for (const request of createModelRequests(config, OPTIONS)) await sagemaker.call(CREATE_MODEL, request);
  await sagemaker.call(CREATE_CONFIG, createEndpointConfigRequest(config, OPTIONS));
}

describe('local SageMaker service integration', () => {
  it('hands the gateway exactly the configuration the requests were built from: weighted variants, shadow with its sampling, capture, tags', async () => {
    const config = configOf('01dep');
    await createModelsAndConfig(config);
    expect(gateway.applied).toEqual([]);
    await expect(
      sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: config.configName, Tags: tagsOf(config.tags) }),
    ).resolves.toEqual({
      EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}`,
    });
    expect(gateway.applied).toEqual([{ endpointName: ENDPOINT, config }]);
    await expect(sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).resolves.toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: config.configName,
    });
    expect(await sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).not.toHaveProperty('FailureReason');
  });

  it('refuses what SageMaker refuses, with its messages: an existing model or config, a missing model, config or endpoint', async () => {
    const config = configOf('01dep');
    await createModelsAndConfig(config);
    const [model] = createModelRequests(config, OPTIONS);
    await expect(sagemaker.call(CREATE_MODEL, model)).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining('Cannot create already existing model'),
    });
    await expect(sagemaker.call(CREATE_CONFIG, createEndpointConfigRequest(config, OPTIONS))).rejects.toThrow(/already existing endpoint configuration/);
    const orphan = createEndpointConfigRequest(configOf('02dep'), OPTIONS);
    await expect(sagemaker.call(CREATE_CONFIG, orphan)).rejects.toThrow(
      `Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/${TENANT}-02dep-m0"`,
    );
    await expect(sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: `${TENANT}-02dep` })).rejects.toThrow(
      /Could not find endpoint configuration/,
    );
    await expect(sagemaker.call(UPDATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: config.configName })).rejects.toThrow(
      /Could not find endpoint "/,
    );
    await expect(sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).rejects.toMatchObject({
      name: 'SageMaker.SageMakerException',
      message: expect.stringContaining('Could not find endpoint'),
    });
    await expect(sagemaker.call(DELETE, { EndpointName: ENDPOINT })).rejects.toThrow(/Could not find endpoint/);
    await sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: config.configName });
    await expect(sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: config.configName })).rejects.toThrow(
      /already existing endpoint/,
    );
    expect(gateway.applied).toHaveLength(1);
  });

  it('accepts a create or update whose model the gateway refuses, and reports the failure through DescribeEndpoint as SageMaker does', async () => {
    const broken = configOf('01bad');
    const brokenProduction = broken.productionVariants.map((v, i) => (i === 0 ? { ...v, model: { ...v.model, artifactUri: 's3://b/broken' } } : v));
    const bad = { ...broken, productionVariants: brokenProduction };
    await createModelsAndConfig(bad);
    await sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: bad.configName });
    // A created endpoint that cannot start is Failed.
    await expect(sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).resolves.toEqual({
      EndpointName: ENDPOINT,
      EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}`,
      EndpointConfigName: bad.configName,
      EndpointStatus: 'Failed',
      FailureReason: `endpoint ${ENDPOINT} was refused: s3://b/broken is not a valid model`,
    });
    // Removing it is what the rollback branch does when nothing was live.
    await expect(sagemaker.call(DELETE, { EndpointName: ENDPOINT })).resolves.toEqual({});
    await expect(sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).rejects.toThrow(/Could not find endpoint/);

    const good = configOf('01good');
    await createModelsAndConfig(good);
    await sagemaker.call(CREATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: good.configName });
    await sagemaker.call(UPDATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: bad.configName });
    // An update that cannot start leaves the endpoint in service on the previous config, with the reason.
    await expect(sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT })).resolves.toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: good.configName,
      FailureReason: expect.stringContaining('is not a valid model'),
    });
    const next = configOf('01next', [1, 1]);
    await createModelsAndConfig(next);
    await sagemaker.call(UPDATE_ENDPOINT, { EndpointName: ENDPOINT, EndpointConfigName: next.configName });
    const described = await sagemaker.call(DESCRIBE, { EndpointName: ENDPOINT });
    expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: next.configName });
    expect(described).not.toHaveProperty('FailureReason');
    expect(gateway.endpoints.get(ENDPOINT)).toEqual(next);
  });

  it('validates requests at the edge, naming the field, and refuses integrations it does not implement', async () => {
    const [model] = createModelRequests(configOf('01dep'), OPTIONS);
    const unknownRuntime = { ...model, PrimaryContainer: { ...model.PrimaryContainer, Environment: { STEWARD_RUNTIME: 'pickle' } } };
    await expect(sagemaker.call(CREATE_MODEL, unknownRuntime)).rejects.toThrow(/PrimaryContainer\.Environment\.STEWARD_RUNTIME/);
    await expect(sagemaker.call(CREATE_MODEL, { ...model, ModelName: 'under_score' })).rejects.toThrow(/ModelName: a SageMaker name/);
    const badSchema = {
      ...model,
      PrimaryContainer: { ...model.PrimaryContainer, Environment: { STEWARD_RUNTIME: 'onnx', STEWARD_IO_SCHEMA: '{"inputs": 3}' } },
    };
    await expect(sagemaker.call(CREATE_MODEL, badSchema)).rejects.toThrow(/STEWARD_IO_SCHEMA is not a valid input\/output schema/);
    await expect(sagemaker.call(at('arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync'), {})).rejects.toMatchObject({
      name: 'States.Runtime',
      message: expect.stringContaining('no local implementation'),
    });
    expect(LocalSageMakerIntegration.supports(at('arn:aws:states:::sagemaker:createTransformJob.sync'))).toBe(true);
    expect(LocalSageMakerIntegration.supports(at('arn:aws:states:::aws-sdk:sagemaker:createTransformJob.sync'))).toBe(false);
    expect(LocalSageMakerIntegration.supports(at('arn:aws:states:::sagemaker:createModel.sync'))).toBe(false);
  });
});

/** batch-score's createTransformJob.sync (its runs against the batch engine: test/integration/batch/batch-transform-steps.test.ts). */
describe('local createTransformJob.sync requests', () => {
  const TRANSFORM = at('arn:aws:states:::sagemaker:createTransformJob.sync');
  const request = {
    TransformJobName: `${TENANT}-b01jobid-p0`,
    ModelName: `${TENANT}-b01jobid`,
    MaxPayloadInMB: 2,
    Environment: { STEWARD_BATCH_PASSTHROUGH: '["id"]' },
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://b/tenants/${TENANT}/in/part-0.csv` } },
      ContentType: 'text/csv',
      SplitType: 'None',
    },
    TransformOutput: { S3OutputPath: `s3://b/tenants/${TENANT}/transforms/01jobid/part-0/`, Accept: 'application/vnd.steward.batch+json' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    Tags: [{ Key: 'TenantId', Value: TENANT }],
  };

  it('validates the request at the edge as SageMaker does, naming the field', async () => {
    const sagemaker = new LocalSageMakerIntegration(() => new FakeGateway());
    await expect(sagemaker.call(TRANSFORM, { ...request, MaxPayloadInMB: 101 })).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining('MaxPayloadInMB'),
    });
    await expect(sagemaker.call(TRANSFORM, { ...request, TransformOutput: { S3OutputPath: 'transforms/part-0/' } })).rejects.toThrow(
      /TransformOutput\.S3OutputPath: an s3:\/\/ URI/,
    );
    await expect(sagemaker.call(TRANSFORM, { ...request, TransformJobName: 'has_underscore' })).rejects.toThrow(/TransformJobName: a SageMaker name/);
  });

  it('needs a batch engine to run on, and refuses a job whose model was never created or whose tags name no tenant', async () => {
    await expect(new LocalSageMakerIntegration(() => new FakeGateway()).call(TRANSFORM, request)).rejects.toMatchObject({
      name: 'States.Runtime',
      message: expect.stringContaining('no local batch engine'),
    });
    const engine = () => ({
      objects: () => {
        throw new Error('not reached: the request is refused before any object is read');
      },
      scorer: { score: () => Promise.reject(new Error('not reached')) },
      bucket: 'b',
    });
    const sagemaker = new LocalSageMakerIntegration(() => new FakeGateway(), engine);
    await expect(sagemaker.call(TRANSFORM, request)).rejects.toMatchObject({
      name: 'SageMaker.AmazonSageMakerException',
      message: expect.stringContaining(`Could not find model`),
    });
    const [model] = createModelRequests(configOf('01dep'), OPTIONS);
    await sagemaker.call(CREATE_MODEL, model);
    await expect(sagemaker.call(TRANSFORM, { ...request, ModelName: model.ModelName, Tags: [] })).rejects.toThrow(/TenantId/);
    await expect(sagemaker.call(TRANSFORM, { ...request, ModelName: model.ModelName, Tags: [{ Key: 'TenantId', Value: 'tzzzzzzzzzzzzzzz' }] })).rejects.toThrow(
      /is not tenant tzzzzzzzzzzzzzzz's/,
    );
  });
});
