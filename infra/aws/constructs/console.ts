import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../../console-security-policy';

export interface StewardConsoleProps {
  /**
   * Origins the console's scripts may call (CSP connect-src): the API's origin,
   * and the artifact bucket's for presigned uploads and downloads.
   */
  readonly connectOrigins: string[];
  /**
   * The console's own domain and its certificate (us-east-1). With them viewers
   * get TLS 1.2 or later only; without them the CloudFront domain serves it.
   *
   * @default - the distribution's *.cloudfront.net domain
   */
  readonly domainNames?: string[];
  /** @default - none (required with domainNames) */
  readonly certificate?: acm.ICertificate;
  /**
   * A WAFv2 web ACL (CLOUDFRONT scope, made in us-east-1) to put in front.
   *
   * @default - none: the console is static files; the API has its own web ACL
   */
  readonly webAclArn?: string;
  /**
   * How long CloudFront access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly logExpiration?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The hosted web console: `npm run build:web` output in a private bucket, served
 * by CloudFront through Origin Access Control, with the security headers the
 * console relies on (CSP with frame-ancestors 'none', HSTS, nosniff, no referrer)
 * and client routes answered with index.html. Deploy the files with
 * `aws s3 sync web/dist s3://<ConsoleBucketName> --delete`, then invalidate `/index.html`.
 */
export class StewardConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeaders: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: StewardConsoleProps) {
    super(scope, id);
    if (props.domainNames?.length && !props.certificate) throw new Error('StewardConsole: domainNames need a certificate');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // CloudFront standard logs are delivered with ACLs, so this bucket keeps them enabled (object writer).
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: props.logExpiration ?? Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the console access logs (CloudFront and the site bucket); logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      lifecycleRules: [{ id: 'ExpireOldBuilds', noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });

    this.responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Steward console: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(props.connectOrigins), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const withDomain = !!props.domainNames?.length;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Steward web console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
      // Client routes (/models/…) are not objects: S3 answers 403 through OAC; the console handles them.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(0) })),
      domainNames: props.domainNames,
      certificate: props.certificate,
      // Only a custom certificate can set it; CloudFront's default one is fixed by CloudFront.
      minimumProtocolVersion: withDomain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclArn,
    });

    const acknowledge = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge('AwsSolutions-CFR1', 'Business units sign in from anywhere they work; access is decided by sign-in, not by country.');
    if (!props.webAclArn)
      acknowledge('AwsSolutions-CFR2', 'The console is static files behind OAC; the API it calls has its own WAF web ACL. Pass webAclArn to add one here.');
    if (!withDomain)
      acknowledge(
        'AwsSolutions-CFR4',
        'Without a custom domain CloudFront serves its default certificate, whose policy it sets; with domainNames the distribution requires TLS 1.2 (2021).',
      );
  }
}
