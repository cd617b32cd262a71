import { Match, Template } from 'aws-cdk-lib/assertions';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

describe('the hosted console (S3 + CloudFront)', () => {
  const { stack } = stewardTestApp();
  const template = Template.fromStack(stack);

  it('answers every response with CSP (frame-ancestors none, own scripts, API and bucket for fetches), HSTS, DENY framing, nosniff and no referrer', () => {
    const policies = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(1);
    const headers = policies[0].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(stack.resolve(headers.ContentSecurityPolicy.ContentSecurityPolicy));
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('execute-api');
    expect(csp).toContain('RegionalDomainName');
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: true, Override: true });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'no-referrer' });
  });

  it('serves the private site bucket through Origin Access Control over HTTPS, with client routes answered by index.html', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: Match.anyValue() }),
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    const site = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('ConsoleSiteBucket'));
    expect(site?.[1].Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('names where to upload the build and where the console is', () => {
    template.hasOutput('ConsoleUrl', {});
    template.hasOutput('ConsoleBucketName', {});
  });
});
