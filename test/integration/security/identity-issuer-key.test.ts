import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../../api/app';
import { createLocalPlatform, type LocalPlatform } from '../../../infra/local/local-platform';
import { localSettings } from '../../../infra/local/local-settings';
import { issuerKeyFile } from '../../../infra/local/issuer-key-file';
import { rotateIssuerKey } from '../../../infra/local/rotate-issuer-key';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, signInAs } from '../../support/api-client';

/**
 * Issue 14: the local issuer's private key sat in the metadata table, so
 * whoever could read the store could mint a platform-admin token. It now
 * lives in a 0600 file of the data folder, and rotates without signing
 * anyone out.
 */
describe('the local issuer key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-keys-'));
  let local: LocalPlatform;
  let api: ApiClient;
  beforeAll(async () => {
    const unique = randomUUID().slice(0, 8);
    const settings = localSettings(
      {
        dynamodb: process.env.STEWARD_TEST_DYNAMODB_ENDPOINT!,
        s3: process.env.STEWARD_TEST_S3_ENDPOINT!,
        scoring: process.env.STEWARD_TEST_SCORING_ENDPOINT!,
        api: 'http://127.0.0.1:1',
        smtp: process.env.STEWARD_TEST_SMTP_URL,
      },
      {
        STEWARD_LOG_LEVEL: 'SILENT',
        STEWARD_SQLITE_PATH: join(dataDir, 'metadata.sqlite'),
        STEWARD_TABLE_NAME: `steward-${unique}`,
        STEWARD_BUCKET_NAME: `steward-${unique}`,
        STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
        STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
    );
    local = await createLocalPlatform(settings, { dataDir });
    api = new ApiClient(createApp(local.platform));
  }, 120_000);
  afterAll(async () => {
    await local.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is created on first start in a file only the platform’s user can read, and is nowhere in the metadata store', async () => {
    const file = issuerKeyFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'secrets')).mode & 0o077).toBe(0);
    const privateExponent = JSON.parse(readFileSync(file, 'utf8')).keys[0].privateJwk.d as string;
    expect(await local.platform.platformTable().get({ partition: ['ISSUER'], sort: 'SIGNING-KEY' })).toBeUndefined();
    // Read the whole metadata file the way someone copying it would.
    const file_ = new Database(local.platform.settings.STEWARD_SQLITE_PATH, { readonly: true });
    try {
      const rows = file_.prepare('SELECT pk, sk, body FROM items').all();
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(privateExponent);
    } finally {
      file_.close();
    }
  });

  it('rotates: new tokens use the new key, tokens signed before keep working until they expire, JWKS serves both', async () => {
    const before = await signInAs(api, ADMIN_EMAIL, ADMIN_PASSWORD);
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid as string;
    const rotated = await rotateIssuerKey(dataDir);
    expect(rotated.retired).toEqual([kidOf(before)]);
    expect(statSync(issuerKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const after = await signInAs(api, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(kidOf(after)).toBe(rotated.active);
    expect((await api.call('GET', '/platform/tenants', { token: before })).status).toBe(200);
    expect((await api.call('GET', '/platform/tenants', { token: after })).status).toBe(200);
    const jwks = await api.call('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([kidOf(before), rotated.active].sort());
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d":/);
  }, 120_000);
});
