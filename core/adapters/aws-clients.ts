import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient, type SageMakerRuntimeClientConfig } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Settings } from '../config/settings';

/**
 * The AWS SDK v3 clients every adapter is written against. On AWS they use the
 * Lambda's role; locally the same classes point at the stand-ins, which accept
 * any static credentials (they do not evaluate IAM; isolation is enforced by the
 * application and proven by test/isolation).
 */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly sagemakerRuntime: SageMakerRuntimeClient;
}

// One key pair both stand-ins accept: DynamoDB Local wants letters and digits only,
// and s3rver verifies signatures against its built-in S3RVER account.
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function createAwsClients(
  settings: Settings,
  /** `sagemakerRuntimeHandler`: the runtime client's transport instead of HTTP (the in-process scoring gateway). */
  options: { sagemakerRuntimeHandler?: SageMakerRuntimeClientConfig['requestHandler'] } = {},
): AwsClients {
  const local = settings.STEWARD_MODE === 'local';
  const base = { region: settings.AWS_REGION, ...(local ? { credentials: LOCAL_CREDENTIALS } : {}) };
  const dynamodb = dynamoDbClient(
    { ...base, ...(settings.STEWARD_DYNAMODB_ENDPOINT ? { endpoint: settings.STEWARD_DYNAMODB_ENDPOINT } : {}) },
    settings.STEWARD_DYNAMODB_TIMEOUT_MS,
  );
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const s3 = new S3Client({
    ...base,
    ...(settings.STEWARD_S3_ENDPOINT
      ? {
          endpoint: settings.STEWARD_S3_ENDPOINT,
          forcePathStyle: true,
          // s3rver stores aws-chunked framing verbatim unless checksums are only sent when required.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  const sfn = new SFNClient(base);
  const sagemakerRuntime = sagemakerRuntimeClient({
    ...base,
    ...(settings.STEWARD_SAGEMAKER_RUNTIME_ENDPOINT ? { endpoint: settings.STEWARD_SAGEMAKER_RUNTIME_ENDPOINT } : {}),
    ...(options.sagemakerRuntimeHandler ? { requestHandler: options.sagemakerRuntimeHandler } : {}),
  });
  return { dynamodb, documents, s3, sfn, sagemakerRuntime };
}

/**
 * The SageMaker runtime client real-time scoring calls once per request
 * (InvokeEndpoint, on AWS and to the local gateway alike), configured so the
 * SDK's own per-call work stays small (bench/tools/invoke-overhead.ts; profile
 * figures in bench/README.md, "Single-row scoring"):
 * - `cacheMiddleware`: the middleware stack is resolved once per command
 *   class instead of being copied and sorted on every send (we add no
 *   per-command middleware, which is what the cache would ignore);
 * - no logger middleware (see {@link withoutSdkLogging});
 * - no user-agent middleware: it rebuilds and escapes the same
 *   `x-amz-user-agent` string on every call (≈10 % of the client's CPU);
 *   InvokeEndpoint needs no user agent, on AWS or locally;
 * - a configured endpoint (the local gateway) is answered as is: for a custom
 *   endpoint the SDK's rule set answers exactly that URL, but evaluating it
 *   cost a provider call per parameter and two URL parses per call. On AWS
 *   (no endpoint configured) the SDK's own rule set still resolves it;
 * - one SigV4 signer for the client's life: the SDK otherwise builds a new
 *   signer, copying the whole client configuration, for every request. The
 *   signer keeps the client's credential provider, which still refreshes
 *   expiring credentials (the Lambda role's) on its own; its signing key is
 *   kept per credentials, day, region and service (see
 *   {@link withSigningKeyKept}). Every request is still signed in full
 *   (date, path, headers and payload hash).
 */
export function sagemakerRuntimeClient(config: SageMakerRuntimeClientConfig): SageMakerRuntimeClient {
  const client = withoutSdkLogging(new SageMakerRuntimeClient({ ...config, ...fixedEndpoint(config.endpoint), cacheMiddleware: true }));
  client.middlewareStack.remove('getUserAgentMiddleware');
  const buildSigner = client.config.signer;
  let signer: ReturnType<typeof buildSigner> | undefined;
  // One endpoint, one auth scheme (SigV4, service sagemaker, the client's region): the first signer fits every call.
  client.config.signer = (authScheme) => {
    signer ??= buildSigner(authScheme).then(withSigningKeyKept, (error: unknown) => {
      signer = undefined; // a failure is not kept: the next call builds again
      throw error;
    });
    return signer;
  };
  return client;
}

/**
 * A configured endpoint URL as the SDK would resolve it, done once: given
 * parsed (the SDK parses a URL string again on every call) and answered by an
 * endpoint provider that returns it, which is what the rule set answers for a
 * custom endpoint.
 */
function fixedEndpoint(endpoint: SageMakerRuntimeClientConfig['endpoint']): Pick<SageMakerRuntimeClientConfig, 'endpoint' | 'endpointProvider'> {
  if (typeof endpoint !== 'string') return endpoint === undefined ? {} : { endpoint };
  const url = new URL(endpoint);
  const resolved = { url };
  return {
    endpoint: { protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: url.pathname },
    endpointProvider: () => resolved,
  };
}

type SigningCredentials = { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
type KeyDeriver = (credentials: SigningCredentials, region: string, shortDate: string, service?: string) => Promise<Uint8Array>;

/**
 * SigV4's signing key depends only on the secret, the day, the region and the
 * service, and the SDK's signer caches it, but finds it by an HMAC of the
 * credentials computed on every call. This keeps the last key beside the
 * exact credentials, day, region and service it was derived for, and derives
 * again (through the SDK) when any of them changes: a new day, rotated
 * credentials. A signer without that method (another SDK version) is left as
 * it is.
 */
export function withSigningKeyKept<S>(signer: S): S {
  const target = signer as S & { getSigningKey?: KeyDeriver };
  const derive = target.getSigningKey;
  if (typeof derive !== 'function') return signer;
  let kept:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; shortDate: string; service?: string; key: Promise<Uint8Array> }
    | undefined;
  target.getSigningKey = function (credentials, region, shortDate, service) {
    if (
      kept &&
      kept.shortDate === shortDate &&
      kept.region === region &&
      kept.service === service &&
      kept.accessKeyId === credentials.accessKeyId &&
      kept.secretAccessKey === credentials.secretAccessKey &&
      kept.sessionToken === credentials.sessionToken
    ) {
      return kept.key;
    }
    const key = derive.call(this, credentials, region, shortDate, service);
    const entry = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      region,
      shortDate,
      service,
      key,
    };
    kept = entry;
    key.catch(() => {
      if (kept === entry) kept = undefined;
    });
    return key;
  };
  return signer;
}

/**
 * A DynamoDB client as every Steward data path uses it (the platform's, and
 * each tenant's on AWS): 4 attempts, each given up after `timeoutMs` (one
 * stuck call must not hold the writes queued behind it by group commit), and
 * no SDK logger middleware.
 */
export function dynamoDbClient(config: DynamoDBClientConfig, timeoutMs: number): DynamoDBClient {
  return withoutSdkLogging(
    new DynamoDBClient({ ...config, maxAttempts: 4, requestHandler: { connectionTimeout: 3000, requestTimeout: timeoutMs, throwOnRequestTimeout: true } }),
  );
}

/**
 * Removes the SDK's logger middleware from a client we never give a logger:
 * with the default no-op logger it still filters every request and response
 * for sensitive fields, 6–25 % of the client's CPU per DynamoDB call
 * (bench/tools/sdk-overhead.ts). A DocumentClient made from the client
 * shares its middleware stack.
 */
export function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
