import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../api/app';
import { BackupProblem, createBackup, restoreBackup } from '../../../infra/local/backup/local-backup';
import { migrateDynamoDbLocal } from '../../../infra/local/backup/migrate-dynamodb-local';
import { startPlatform, type RunningPlatform } from '../../../infra/local/start';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { ApiClient, onboardTenant, signInAs, USER_PASSWORD } from '../../support/api-client';
import { createModel, createProject, uploadVersion } from '../catalog/catalog-fixtures';

const ADMIN = { email: 'ops@backup.example', password: 'backup-test passphrase' };
const ARTIFACT = new TextEncoder().encode(JSON.stringify({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/credit-model@sha256:' + 'b'.repeat(64) }));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function boot(dataDir: string, store: 'sqlite' | 'dynamodb-local' = 'sqlite'): Promise<{ running: RunningPlatform; api: ApiClient; admin: string }> {
  const running = await startPlatform({
    dataDir,
    store,
    console: false,
    // DynamoDB Local binds every interface; the migration test needs the old default for a moment.
    allowNonLoopback: store === 'dynamodb-local',
    apiPort: await freePort(),
    dynamodbPort: await freePort(),
    s3Port: await freePort(),
    scoringPort: await freePort(),
    env: { ...process.env, STEWARD_LOG_LEVEL: 'SILENT', STEWARD_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, STEWARD_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
  });
  const api = new ApiClient(createApp(running.local.platform));
  return { running, api, admin: await signInAs(api, ADMIN.email, ADMIN.password) };
}

/** A tenant with a project, a model and a verified artifact: audit events and an object to carry over. */
async function populate(api: ApiClient, admin: string, inbox: string) {
  const tenant = await onboardTenant(api, admin, 'Kept Bank', { roles: ['tenant-admin', 'data-scientist'], inbox });
  const ds = tenant.tokens['data-scientist'];
  const project = await createProject(api, ds);
  const model = await createModel(api, ds, project.projectId);
  const { version, finalized } = await uploadVersion(api, ds, model.modelId, 'sagemaker-container', ARTIFACT);
  expect(finalized.body.artifact?.state ?? JSON.stringify(finalized.body)).toBe('verified');
  return { tenant, model, version };
}

describe('backup, restore and migration of the local platform', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'steward-backup-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('backs up a running platform, restores into an empty folder, and loses nothing: chains verify, hashes match', async () => {
    const original = join(scratch, 'original');
    const first = await boot(original);
    let kept: Awaited<ReturnType<typeof populate>>;
    try {
      kept = await populate(first.api, first.admin, first.running.inboxUrl);
      // Online: the platform keeps running while the backup is taken.
      await createBackup(original, join(scratch, 'backup.tar.gz'));
    } finally {
      await first.running.stop();
    }
    rmSync(original, { recursive: true, force: true });

    const restored = join(scratch, 'restored');
    const report = await restoreBackup(join(scratch, 'backup.tar.gz'), restored);
    expect(report).toMatchObject({ tenants: 1, chainsVerified: 2, artifactsChecked: 1 });

    const second = await boot(restored);
    try {
      const token = await signInAs(second.api, kept.tenant.emails['tenant-admin'], USER_PASSWORD);
      const verify = await second.api.call('GET', '/audit/verify', { token });
      expect(verify.body).toMatchObject({ ok: true, complete: true });
      expect(verify.body.head.seq).toBeGreaterThan(5);
      const download = await second.api.call('GET', `/models/${kept.model.modelId}/versions/${kept.version}/artifact`, { token });
      const bytes = new Uint8Array(await (await fetch(download.body.url)).arrayBuffer());
      expect(sha256(bytes)).toBe(sha256(ARTIFACT));
    } finally {
      await second.running.stop();
    }
  }, 240_000);

  it('refuses a damaged backup, a newer schema and a folder that is not empty, changing nothing', async () => {
    const source = join(scratch, 'source');
    const first = await boot(source);
    try {
      await populate(first.api, first.admin, first.running.inboxUrl);
    } finally {
      await first.running.stop();
    }
    const folder = join(scratch, 'folder-backup');
    await createBackup(source, folder);

    await expect(restoreBackup(folder, source)).rejects.toThrow(/is not empty: restore into an empty folder/);

    const objects = findFiles(join(folder, 's3'), '._S3rver_object').filter((f) => f.includes('artifact'));
    const pristine = readFileSync(objects[0]);
    writeFileSync(objects[0], 'other bytes');
    const target = join(scratch, 'never-made');
    await expect(restoreBackup(folder, target)).rejects.toThrow(/does not match its SHA-256; the backup is damaged/);
    expect(existsSync(target)).toBe(false);
    writeFileSync(objects[0], pristine);

    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...manifest, schemaVersion: 99 }));
    await expect(restoreBackup(folder, target)).rejects.toThrow(BackupProblem);
    await expect(restoreBackup(folder, target)).rejects.toThrow(/made by a newer Steward \(schema 99/);
    expect(existsSync(target)).toBe(false);
  }, 240_000);

  it('moves a data folder kept by DynamoDB Local to the embedded store', async () => {
    const dataDir = join(scratch, 'old-default');
    const old = await boot(dataDir, 'dynamodb-local');
    let kept: Awaited<ReturnType<typeof populate>>;
    try {
      kept = await populate(old.api, old.admin, old.running.inboxUrl);
    } finally {
      await old.running.stop();
    }
    const report = await migrateDynamoDbLocal(dataDir);
    expect(report.tenants).toBe(1);
    expect(report.chainsVerified).toBe(2);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['metadata.sqlite', 's3']));
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
    expect(existsSync(report.keptAt)).toBe(true);

    const migrated = await boot(dataDir);
    try {
      const token = await signInAs(migrated.api, kept.tenant.emails['data-scientist'], USER_PASSWORD);
      expect((await migrated.api.call('GET', `/models/${kept.model.modelId}/versions/${kept.version}`, { token })).body.artifact.state).toBe('verified');
      expect(
        (await migrated.api.call('GET', '/audit/verify', { token: await signInAs(migrated.api, kept.tenant.emails['tenant-admin'], USER_PASSWORD) })).body.ok,
      ).toBe(true);
    } finally {
      await migrated.running.stop();
    }
  }, 240_000);
});

function findFiles(root: string, suffix: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}
