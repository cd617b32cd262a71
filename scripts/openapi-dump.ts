import { writeFileSync } from 'node:fs';
import { createApp } from '../api/app';
import { SqliteStore } from '../core/adapters/sqlite/sqlite-store';
import { TenantObjects } from '../core/adapters/s3/tenant-objects';
import { EphemeralIssuerKeyRing } from '../core/adapters/identity/issuer-key-ring';
import { createAwsClients } from '../core/adapters/aws-clients';
import { localIdentity } from '../core/adapters/identity/local-identity';
import { readSettings } from '../core/config/settings';
import { assemblePlatform } from '../core/platform/platform';
import type { Log } from '../core/ports/log';
import type { PipelineRunner } from '../core/ports/pipeline-runner';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The OpenAPI document the app serves, built in process: the routes declare it,
 * so an app over a platform that is never called (no stand-ins, no network) answers
 * GET /openapi.json exactly as `npm start` would.
 */
export async function openApiDocument(): Promise<unknown> {
  const settings = readSettings({ STEWARD_MODE: 'local', STEWARD_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', STEWARD_S3_ENDPOINT: 'http://127.0.0.1:9' });
  const silent: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not available while dumping the OpenAPI document')) }) as PipelineRunner;
  const clients = createAwsClients(settings);
  const platform = assemblePlatform({
    settings,
    // Never called: an in-memory store only so the app can be assembled.
    store: new SqliteStore({ path: ':memory:', ttlSweepMs: 0 }),
    tenantObjects: (tenantId) => new TenantObjects(clients.s3, settings.STEWARD_BUCKET_NAME, tenantId),
    serving: { control: unused as never, invoker: unused as never },
    inspector: unused as never,
    log: silent,
    probes: [],
    pipelines: unused,
    identity: (table) =>
      localIdentity(table, { issuer: 'http://127.0.0.1', audience: settings.STEWARD_JWT_AUDIENCE, keys: new EphemeralIssuerKeyRing(), mail: unused as never }),
  });
  const res = await createApp(platform).request('/openapi.json');
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  return res.json();
}

async function main(): Promise<void> {
  const out = process.argv[2];
  const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  process.exit(0);
}

if (require.main === module) void main();
