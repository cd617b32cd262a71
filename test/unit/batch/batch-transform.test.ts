import { createModelRequests } from '../../../core/adapters/sagemaker/sagemaker-requests';
import { batchTransformRequests } from '../../../core/adapters/sagemaker/transform-requests';
import { payloadMegabytesFor, transformOutputFolder, transformOutputKey } from '../../../core/batch/batch-transform';

/** The pieces of a batch transform every side agrees on: where an answer lands, how large a request may be, and the model request. */
const TENANT = 'tabcdefghjkmnpqr';
const JOB = '01jobidjobidjobidjobidjobi';
const SCHEMA = { inputs: [{ name: 'x0', type: 'float' as const }], outputs: [{ name: 'probability', type: 'float' as const }] };

describe('batch transforms', () => {
  it('puts a partition’s answer where SageMaker writes it: <output path>/<input file name>.out, one folder per partition', () => {
    expect(transformOutputFolder({ jobId: JOB }, 12)).toBe(`transforms/${JOB}/part-12/`);
    expect(transformOutputKey({ jobId: JOB }, { index: 3, source: 'in/2026/12/day.csv' })).toBe(`transforms/${JOB}/part-3/day.csv.out`);
  });

  it('sizes MaxPayloadInMB to the largest partition, and refuses one over SageMaker’s 100 MB', () => {
    expect(payloadMegabytesFor(0)).toBe(1);
    expect(payloadMegabytesFor(1024 * 1024 + 1)).toBe(2);
    expect(payloadMegabytesFor(100 * 1024 * 1024)).toBe(100);
    expect(() => payloadMegabytesFor(100 * 1024 * 1024 + 1)).toThrow(RangeError);
  });

  it('creates the model with the request the deploy machine sends, and names transforms within SageMaker’s 63 characters', () => {
    const model = {
      modelName: `${TENANT}-b${JOB}`,
      runtime: 'onnx' as const,
      artifactUri: `s3://b/tenants/${TENANT}/models/m/1/model.onnx`,
      ioSchema: SCHEMA,
      sha256: 'a'.repeat(64),
    };
    const options = { image: 'img', executionRoleArn: 'arn:aws:iam::1:role/r' };
    const tags = { TenantId: TENANT, BatchJobId: JOB };
    const requests = batchTransformRequests(
      {
        model,
        deployed: false,
        namePrefix: `${TENANT}-b${JOB}`,
        tenantRootUri: `s3://b/tenants/${TENANT}/`,
        outputRootUri: `s3://b/tenants/${TENANT}/transforms/${JOB}/`,
        maxPayloadInMB: 7,
        tags,
      },
      ['id', 'region'],
      options,
    );
    const [deployRequest] = createModelRequests(
      { configName: 'c', productionVariants: [{ variantName: 'v', weight: 1, model }], shadowVariants: [], tags },
      options,
    );
    expect(requests.model).toEqual(deployRequest);
    expect(requests.template).toEqual({
      ModelName: model.modelName,
      MaxPayloadInMB: 7,
      Environment: { STEWARD_BATCH_PASSTHROUGH: '["id","region"]' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      Tags: [
        { Key: 'TenantId', Value: TENANT },
        { Key: 'BatchJobId', Value: JOB },
      ],
    });
    // The state machine appends -p<index>; MAX_PARTITIONS is 1000.
    expect(`${requests.namePrefix}-p999`.length).toBeLessThanOrEqual(63);
  });
});
