import { readSettings, type Settings } from '../../core/config/settings';

/** Where the local stand-ins listen; the only thing local mode changes. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly scoring: string;
  /** The API's own base URL (the local identity issuer lives there). */
  readonly api?: string;
  /** The mail catcher: SMTP for the platform, a web inbox for people and tests. */
  readonly smtp?: string;
  readonly inbox?: string;
}

/** Settings for local mode: same schema as on AWS, endpoints pointed at the stand-ins. */
export function localSettings(endpoints: LocalEndpoints, env: Record<string, string | undefined> = process.env): Settings {
  return readSettings({
    ...env,
    STEWARD_MODE: 'local',
    STEWARD_DYNAMODB_ENDPOINT: endpoints.dynamodb,
    STEWARD_S3_ENDPOINT: endpoints.s3,
    STEWARD_SAGEMAKER_RUNTIME_ENDPOINT: endpoints.scoring,
    ...(endpoints.smtp ? { STEWARD_SMTP_URL: endpoints.smtp } : {}),
    ...(endpoints.api
      ? { STEWARD_JWT_ISSUER: env.STEWARD_JWT_ISSUER ?? endpoints.api, STEWARD_JWKS_URI: env.STEWARD_JWKS_URI ?? `${endpoints.api}/.well-known/jwks.json` }
      : {}),
  });
}
