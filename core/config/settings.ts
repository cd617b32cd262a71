import { z } from 'zod';

/**
 * Everything the platform reads from its environment, validated once.
 * On AWS the CDK stack sets these on each function; locally infra/local sets
 * them from the ports it started. Only endpoints and credentials differ.
 */
const optionalUrl = z.string().url().optional();

export const settingsSchema = z.object({
  STEWARD_MODE: z.enum(['aws', 'local']).default('local'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  STEWARD_TABLE_NAME: z.string().min(3).default('steward'),
  STEWARD_BUCKET_NAME: z.string().min(3).default('steward-artifacts'),
  /** Local stand-in endpoints; absent on AWS. */
  STEWARD_DYNAMODB_ENDPOINT: optionalUrl,
  STEWARD_S3_ENDPOINT: optionalUrl,
  STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: optionalUrl,
  /** AWS: the serving container image SageMaker models run (serving/Dockerfile in ECR). */
  STEWARD_SERVING_IMAGE: z.string().optional(),
  /** AWS: the role SageMaker assumes to read artifacts and write captures. */
  STEWARD_SAGEMAKER_ROLE_ARN: z.string().optional(),
  /** AWS: the image of the python-sklearn training template (templates/python-sklearn/Dockerfile, built and pushed by the CDK, which sets this on the steps); locally a placeholder name. */
  STEWARD_TRAINING_IMAGE_PYTHON_SKLEARN: z.string().optional(),
  /** JSON object: pipeline name -> state machine ARN (AWS only). */
  STEWARD_STATE_MACHINES: z
    .string()
    .default('{}')
    .transform((raw, ctx) => {
      try {
        return z.record(z.string(), z.string()).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of pipeline name to state machine ARN' });
        return z.NEVER;
      }
    }),
  /** Identity: the issuer whose JWTs the API accepts (Cognito on AWS, the local issuer locally). */
  STEWARD_JWT_ISSUER: z.string().url().optional(),
  STEWARD_JWKS_URI: z.string().url().optional(),
  STEWARD_JWT_AUDIENCE: z.string().default('steward'),
  /** AWS: Cognito user pool whose users are Steward users. */
  STEWARD_USER_POOL_ID: z.string().optional(),
  /** AWS: role assumed with session tag TenantId for each tenant's data path. */
  STEWARD_TENANT_ROLE_ARN: z.string().optional(),
  /** AWS: JSON object plan name -> API Gateway usage plan id (per-tenant throttling). */
  STEWARD_USAGE_PLANS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      try {
        return z.object({ free: z.string(), standard: z.string(), enterprise: z.string() }).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"free":id,"standard":id,"enterprise":id}' });
        return z.NEVER;
      }
    }),
  /** AWS: the EventBridge Scheduler group of batch schedules, and the role its schedules assume to start batch-score. */
  STEWARD_SCHEDULE_GROUP: z.string().optional(),
  STEWARD_SCHEDULER_ROLE_ARN: z.string().optional(),
  /** AWS: the function untrusted uploads are inspected in (its name or ARN); without it the API refuses to inspect. */
  STEWARD_INSPECTOR_FUNCTION: z.string().min(1).optional(),
  /** SMTP relay for invitations and notices (`smtp://host:port`); locally the mail catcher. */
  STEWARD_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be smtp://host:port or smtps://…')
    .optional(),
  /** First platform administrator, created at start when none exists (local mode). */
  STEWARD_BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
  STEWARD_BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  /** How long verified identities are reused before re-reading tenant/user/token records. */
  STEWARD_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * A DynamoDB call that has not answered in this long fails (and the SDK retries it, up to 4
   * attempts): one stuck connection must not hold the writes queued behind it (group commit).
   */
  STEWARD_DYNAMODB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /**
   * Local mode: who links audit events into their chain. `at-commit` (default): the transaction
   * that writes them; `deferred`: the sealer, afterwards, as on AWS (core/adapters/dynamodb/audit-chain-at-commit.ts).
   */
  STEWARD_AUDIT_CHAIN: z.enum(['at-commit', 'deferred']).default('at-commit'),
  /**
   * Local mode: where metadata lives. `sqlite` (default): the embedded store, one file in the data
   * folder (STEWARD_SQLITE_PATH); `dynamodb-local`: DynamoDB Local, the AWS data path (needs Java 17).
   * On AWS it is always DynamoDB.
   */
  STEWARD_STORE: z.enum(['sqlite', 'dynamodb-local']).default('sqlite'),
  /**
   * Local mode: how the platform reaches the scoring gateway. `direct` (default): the platform hosts the
   * gateway and the scoring port's adapter hands it each invocation without the SDK
   * (core/adapters/sagemaker/hosted-gateway-invoker.ts). `in-process`: the platform hosts the gateway and
   * the SageMaker runtime SDK hands it each signed InvokeEndpoint without a socket
   * (serving/gateway/in-process-handler.ts). Either way `npm start` also serves that gateway, SageMaker-runtime
   * compatible, on STEWARD_SCORING_PORT. `http`: the gateway is its own process, reached by the SDK at
   * STEWARD_SAGEMAKER_RUNTIME_ENDPOINT.
   */
  STEWARD_SCORING_TRANSPORT: z.enum(['direct', 'in-process', 'http']).default('direct'),
  /** The embedded store's file; `npm start` puts it in the data folder. */
  STEWARD_SQLITE_PATH: z.string().min(1).default('.steward-data/metadata.sqlite'),
  STEWARD_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
});

export type Settings = z.infer<typeof settingsSchema>;

export class InvalidSettings extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSettings';
  }
}

/** Parses settings from an env-like record; throws one readable line per bad variable. */
export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new InvalidSettings(`invalid environment: ${lines.join('; ')}`);
  }
  return parsed.data;
}
