import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SageMakerEndpointControl } from '../../../core/adapters/sagemaker/sagemaker-endpoint-control';
import type { EndpointConfigSpec } from '../../../core/ports/endpoint-control';

const sagemaker = mockClient(SageMakerClient);
const control = new SageMakerEndpointControl(new SageMakerClient({ region: 'eu-west-1' }), {
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/steward-serving:1',
  executionRoleArn: 'arn:aws:iam::123456789012:role/steward-sagemaker',
});
const SCHEMA = { inputs: [{ name: 'x0', type: 'float' as const }], outputs: [{ name: 'probability', type: 'float' as const }] };
const CONFIG: EndpointConfigSpec = {
  configName: 'tabcdefghjkmnpqr-01dep',
  productionVariants: [
    {
      variantName: 'v1',
      weight: 3,
      model: { modelName: 'tabcdefghjkmnpqr-01dep-m0', runtime: 'onnx', artifactUri: 's3://b/tenants/t/models/m/v1.onnx', ioSchema: SCHEMA },
    },
    { variantName: 'v2', weight: 1, model: { modelName: 'tabcdefghjkmnpqr-01dep-m1', runtime: 'onnx', artifactUri: 's3://b/tenants/t/models/m/v2.onnx' } },
  ],
  shadowVariants: [
    {
      variantName: 'shadow-v3',
      samplingPercentage: 100,
      model: { modelName: 'tabcdefghjkmnpqr-01dep-m2', runtime: 'rules', artifactUri: 's3://b/tenants/t/models/m/v3.json' },
    },
  ],
  captureUri: 's3://b/tenants/t/captures/churn/shadow/',
  tags: { TenantId: 'tabcdefghjkmnpqr', DeploymentId: '01dep' },
};
const TAGS = [
  { Key: 'TenantId', Value: 'tabcdefghjkmnpqr' },
  { Key: 'DeploymentId', Value: '01dep' },
];

beforeEach(() => sagemaker.reset());

describe('SageMaker endpoint control', () => {
  it('creates one model per variant with the runtime and schema in the container environment, tolerating existing ones', async () => {
    sagemaker
      .on(CreateModelCommand, { ModelName: 'tabcdefghjkmnpqr-01dep-m1' })
      .rejects(Object.assign(new Error('Cannot create already existing model'), { name: 'ValidationException' }));
    sagemaker.on(CreateModelCommand).resolves({});
    await control.createModels(CONFIG);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateModelCommand, 3);
    expect(sagemaker).toHaveReceivedCommandWith(CreateModelCommand, {
      ModelName: 'tabcdefghjkmnpqr-01dep-m0',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/steward-sagemaker',
      PrimaryContainer: {
        Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/steward-serving:1',
        ModelDataUrl: 's3://b/tenants/t/models/m/v1.onnx',
        Environment: { STEWARD_RUNTIME: 'onnx', STEWARD_IO_SCHEMA: JSON.stringify(SCHEMA) },
      },
      Tags: TAGS,
    });
  });

  it('creates the endpoint config with weighted production variants, the shadow and data capture', async () => {
    sagemaker.on(CreateEndpointConfigCommand).resolves({});
    await control.createEndpointConfig(CONFIG);
    expect(sagemaker).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      EndpointConfigName: 'tabcdefghjkmnpqr-01dep',
      ProductionVariants: [
        { VariantName: 'v1', ModelName: 'tabcdefghjkmnpqr-01dep-m0', InitialVariantWeight: 3, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
        { VariantName: 'v2', ModelName: 'tabcdefghjkmnpqr-01dep-m1', InitialVariantWeight: 1, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      ShadowProductionVariants: [
        { VariantName: 'shadow-v3', ModelName: 'tabcdefghjkmnpqr-01dep-m2', InitialVariantWeight: 1, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: 's3://b/tenants/t/captures/churn/shadow/',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
      Tags: TAGS,
    });
  });

  it('creates an endpoint that does not exist and updates one that does', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .rejectsOnce(Object.assign(new Error('Could not find endpoint "x".'), { name: 'ValidationException' }))
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'old' } as never);
    sagemaker.on(CreateEndpointCommand).resolves({});
    sagemaker.on(UpdateEndpointCommand).resolves({});
    expect(await control.createOrUpdateEndpoint('tabcdefghjkmnpqr-churn', CONFIG)).toBe('created');
    expect(sagemaker).toHaveReceivedCommandWith(CreateEndpointCommand, {
      EndpointName: 'tabcdefghjkmnpqr-churn',
      EndpointConfigName: 'tabcdefghjkmnpqr-01dep',
      Tags: TAGS,
    });
    expect(await control.createOrUpdateEndpoint('tabcdefghjkmnpqr-churn', CONFIG)).toBe('updated');
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      EndpointName: 'tabcdefghjkmnpqr-churn',
      EndpointConfigName: 'tabcdefghjkmnpqr-01dep',
    });
  });

  it('describes status and failure reason; a missing endpoint is undefined, and deleting it is false', async () => {
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'a' })
      .resolves({ EndpointStatus: 'Failed', FailureReason: 'model container exited', EndpointConfigName: 'c' } as never);
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'gone' })
      .rejects(Object.assign(new Error('Could not find endpoint "gone".'), { name: 'ValidationException' }));
    sagemaker
      .on(DeleteEndpointCommand, { EndpointName: 'gone' })
      .rejects(Object.assign(new Error('Could not find endpoint "gone".'), { name: 'ValidationException' }));
    sagemaker.on(DeleteEndpointCommand, { EndpointName: 'a' }).resolves({});
    expect(await control.describeEndpoint('a')).toEqual({ endpointName: 'a', status: 'Failed', configName: 'c', failureReason: 'model container exited' });
    expect(await control.describeEndpoint('gone')).toBeUndefined();
    expect(await control.deleteEndpoint('gone')).toBe(false);
    expect(await control.deleteEndpoint('a')).toBe(true);
    expect(sagemaker).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'a' });
  });
});
