import { createAwsClients } from '../../../core/adapters/aws-clients';
import { TenantObjects } from '../../../core/adapters/s3/tenant-objects';
import { captureScoring } from '../../../core/deployments/capture-buffer';
import { testPlatform } from '../../support/test-platform';

/**
 * Sampled scoring captures are buffered off the request path and written once
 * a second (issue 11); stopping the platform in between must not lose them.
 */
describe('scoring capture on shutdown', () => {
  it('writes what is still buffered when the local platform closes', async () => {
    const local = await testPlatform();
    const tenantId = 't0capt0re0shtdwn';
    const at = new Date().toISOString();
    for (let i = 0; i < 3; i++) {
      captureScoring(local.platform.tenantObjects(tenantId), {
        at,
        requestId: `req-${i}`,
        endpointName: 'churn',
        deploymentId: 'd1',
        variant: 'v1',
        modelId: 'm1',
        version: 1,
        latencyMs: 1.5,
        input: [{ x0: i }],
        output: [{ predictionId: `req-${i}-0`, score: 0.5 }],
      });
    }
    await local.close(); // well within the buffer's one-second flush

    const clients = createAwsClients(local.settings);
    try {
      const objects = new TenantObjects(clients.s3, local.settings.STEWARD_BUCKET_NAME, tenantId);
      const written = await objects.list('captures/churn/');
      expect(written).toHaveLength(1);
      const lines = new TextDecoder()
        .decode(await objects.getBytes(written[0].key))
        .trim()
        .split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['req-0', 'req-1', 'req-2']);
    } finally {
      clients.s3.destroy();
      clients.dynamodb.destroy();
      clients.sagemakerRuntime.destroy();
    }
  });
});
