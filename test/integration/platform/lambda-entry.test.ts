import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../../api/app';
import type { Platform } from '../../../core/platform/platform';
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { logisticRegression30 } from '../../fixtures/artifacts/build-onnx';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';
import { sha256 } from '../catalog/catalog-fixtures';

/**
 * The Lambda entry path: an API Gateway REST proxy event through hono's Lambda
 * adapter into the same app and adapters, over DynamoDB Local and s3rver. The
 * principal arrives as the authorizer context, as on AWS.
 */
describe('the API as Lambda runs it', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let lambda: (event: APIGatewayProxyEvent, context: Context) => Promise<{ statusCode: number; body: string; headers?: Record<string, unknown> }>;
  let principal: string;

  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Lambda Co', { roles: ['tenant-admin', 'data-scientist'] });
    const me = await ctx.api.call('GET', '/me', { token: tenant.tokens['data-scientist'] });
    principal = JSON.stringify({ kind: 'user', userId: me.body.id, tenantId: tenant.tenantId, email: me.body.email, roles: me.body.roles });
    const onAws: Platform = { ...ctx.platform, settings: { ...ctx.platform.settings, STEWARD_MODE: 'aws' } };
    lambda = handle(createApp(onAws)) as never;
  });
  afterAll(() => ctx.local.close());

  const event = (method: string, path: string, body?: unknown, authorizer?: Record<string, string>): APIGatewayProxyEvent => ({
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    headers: { 'content-type': 'application/json', host: 'api.example.com' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      requestId: `apigw-${Math.random().toString(36).slice(2)}`,
      identity: { sourceIp: '203.0.113.9' },
      authorizer,
      stage: 'prod',
      httpMethod: method,
      path,
    } as never,
  });

  it('writes through the API into DynamoDB and S3 and reads it back, with the authorizer’s principal', async () => {
    const context = {} as Context;
    const project = await lambda(event('POST', '/projects', { name: 'via-lambda' }, { principal }), context);
    expect(project.statusCode).toBe(201);
    const projectId = JSON.parse(project.body).projectId;
    const model = await lambda(
      event('POST', '/models', { projectId, name: 'lr', type: 'ml', framework: 'onnx', schema: LOGISTIC_30_IO }, { principal }),
      context,
    );
    const modelId = JSON.parse(model.body).modelId;
    const bytes = logisticRegression30();
    const version = await lambda(
      event('POST', `/models/${modelId}/versions`, { artifact: { format: 'onnx', sha256: sha256(bytes), size: bytes.length } }, { principal }),
      context,
    );
    expect(version.statusCode).toBe(201);
    const upload = JSON.parse((await lambda(event('POST', `/models/${modelId}/versions/1/artifact/upload-url`, undefined, { principal }), context)).body);
    expect((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: Buffer.from(bytes) })).ok).toBe(true);
    const finalized = await lambda(event('POST', `/models/${modelId}/versions/1/artifact/finalize`, undefined, { principal }), context);
    expect(finalized.statusCode).toBe(200);
    const read = await lambda(event('GET', `/models/${modelId}/versions/1`, undefined, { principal }), context);
    expect(JSON.parse(read.body)).toMatchObject({ version: 1, artifact: { state: 'verified', sha256: sha256(bytes) } });
    // the stored object is under the tenant's prefix, read back through the same adapter
    const stored = await ctx.platform.tenantObjects(tenant.tenantId).getBytes(JSON.parse(read.body).artifact.key);
    expect(sha256(stored)).toBe(sha256(bytes));
    // API Gateway's request id becomes the request id of the response and of the audit event
    const trail = await lambda(
      event('GET', `/audit/events?targetType=project&targetId=${projectId}`, undefined, {
        principal: JSON.stringify({ ...JSON.parse(principal), roles: ['viewer'] }),
      }),
      context,
    );
    const [created] = JSON.parse(trail.body).items;
    expect(created.requestId).toMatch(/^apigw-/);
    expect(created.sourceIp).toBe('203.0.113.9');
  });

  it('refuses a request that reached the Lambda without an authorizer principal or a credential', async () => {
    const res = await lambda(event('GET', '/projects'), {} as Context);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).type).toBe('urn:steward:problem:unauthenticated');
  });
});
