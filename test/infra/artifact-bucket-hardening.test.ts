import { Match, Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib';
import { ArtifactBucket } from '../../infra/aws/constructs/artifact-bucket';
import { cdkJsonContext, FIXTURES, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/**
 * Issue 14 on AWS: staged uploads expire, verified bytes at content keys
 * cannot be overwritten or have a version deleted by anyone (an explicit
 * bucket-policy Deny), CORS names the console's origins only, and a tenant
 * session reaches its own staging prefix and no other.
 */
describe('artifact bucket hardening', () => {
  const CONSOLE = 'https://console.steward.example';
  let template: Template;
  beforeAll(() => {
    const { stack } = stewardTestApp({ stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps, corsAllowedOrigins: [CONSOLE] });
    template = Template.fromStack(stack);
  });

  const artifactBucketPolicy = (): Statement[] => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
    const withContentRule = policies.find((p) => p.Properties.PolicyDocument.Statement.some((s) => s.Sid === 'ContentKeysOnlyByCopy'));
    expect(withContentRule).toBeDefined();
    return withContentRule!.Properties.PolicyDocument.Statement;
  };
  const resourcesOf = (statement: Statement) => JSON.stringify(statement.Resource);

  it('expires staged uploads (current and noncurrent versions) after a day', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'ExpireStagedUploads',
            Prefix: 'staging/',
            ExpirationInDays: 1,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });

  it('denies every principal an upload to a content key that is not a server-side copy', () => {
    const deny = artifactBucketPolicy().find((s) => s.Sid === 'ContentKeysOnlyByCopy')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Principal: { AWS: '*' }, Condition: { Null: { 's3:x-amz-copy-source': 'true' } } });
    expect(resourcesOf(deny)).toContain('/tenants/*/artifacts/sha256/*');
    expect(resourcesOf(deny)).toContain('/tenants/*/datasets/sha256/*');
  });

  it('denies every principal deleting a version of a content key, so approved bytes stay recoverable', () => {
    const deny = artifactBucketPolicy().find((s) => s.Sid === 'ContentKeysKeepTheirVersions')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 's3:DeleteObjectVersion', Principal: { AWS: '*' } });
    expect(deny.Condition).toBeUndefined();
    expect(resourcesOf(deny)).toContain('/tenants/*/artifacts/sha256/*');
  });

  it("allows the console's origin only, with the signed upload headers", () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedOrigins: [CONSOLE],
            AllowedMethods: Match.arrayWith(['PUT', 'GET']),
            AllowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
          }),
        ],
      },
    });
  });

  it('gives tenant sessions their own staging prefix, like their object prefix', () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('tenant data path') } });
    const text = JSON.stringify(roles);
    expect(text).toContain('/staging/${aws:PrincipalTag/TenantId}/*');
    expect(text).toContain('staging/${aws:PrincipalTag/TenantId}/*');
  });

  it('has no CORS rule unless origins are given, and refuses a wildcard origin', () => {
    const { stack: bare } = stewardTestApp({ stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps });
    const buckets = Object.values(Template.fromStack(bare).findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) expect(bucket.Properties.CorsConfiguration).toBeUndefined();
    const stack = (name: string) => new Stack(new App({ context: cdkJsonContext() }), name);
    expect(() => new ArtifactBucket(stack('Star'), 'Artifacts', { corsAllowedOrigins: ['*'] })).toThrow(/not an explicit origin/);
    expect(() => new ArtifactBucket(stack('Sub'), 'Artifacts', { corsAllowedOrigins: ['https://*.example.com'] })).toThrow(/not an explicit origin/);
    expect(() => new ArtifactBucket(stack('Fine'), 'Artifacts', { corsAllowedOrigins: ['http://localhost:5173'] })).not.toThrow();
  });
});
