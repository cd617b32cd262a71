import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DependencyFailed } from '../../../core/errors';
import { awsPlatform } from '../../../functions/shared/aws-platform';

/** On AWS, uploads are inspected by the inspector function the stack names, and never in the API function itself. */
describe('awsPlatform inspector', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    STEWARD_TABLE_NAME: 'steward',
    STEWARD_BUCKET_NAME: 'steward-artifacts',
    STEWARD_JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool',
    STEWARD_USER_POOL_ID: 'eu-west-1_pool',
    STEWARD_TENANT_ROLE_ARN: 'arn:aws:iam::123456789012:role/steward-tenant-access',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const job = { url: 'https://bucket.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=x', size: 10, format: 'csv' as const };
  const lambda = mockClient(LambdaClient);
  afterAll(() => lambda.restore());

  it('invokes the function named by STEWARD_INSPECTOR_FUNCTION', async () => {
    lambda.reset();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode(JSON.stringify({ outcome: 'inspected', result: { sha256: 'c'.repeat(64), bytes: 10 } })) as never,
    });
    const platform = awsPlatform({ ...env, STEWARD_INSPECTOR_FUNCTION: 'steward-inspector' });
    await expect(platform.inspector.inspectDataset(job)).resolves.toEqual({ sha256: 'c'.repeat(64), bytes: 10 });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'steward-inspector', InvocationType: 'RequestResponse' });
  });

  it('refuses to inspect when no inspector function is configured, rather than reading the file in process', async () => {
    lambda.reset();
    const platform = awsPlatform(env);
    await expect(platform.inspector.inspectDataset(job)).rejects.toBeInstanceOf(DependencyFailed);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });
});
