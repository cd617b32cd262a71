import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import * as tar from 'tar';
import { SQLITE_SCHEMA_VERSION } from '../../../core/adapters/sqlite/open-database';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { verifyChain } from '../../../core/audit/audit-chain';
import type { MetadataTable } from '../../../core/ports/metadata-store';
import { TenantRegistry } from '../../../core/tenancy/tenant-registry';

/**
 * Backups of the whole local platform: the metadata file (SQLite's online
 * backup: a consistent snapshot while the platform keeps running) and the
 * object store's folder (s3rver's files, copied after the snapshot: objects
 * are written before any record names them, so every object the snapshot
 * names is in the copy). A backup is a folder, or that folder as a .tar.gz.
 *
 * ```
 * <backup>/manifest.json     format, schema version, when, what it holds
 * <backup>/metadata.sqlite   the metadata store
 * <backup>/s3/               the object store's folder
 * ```
 */
export const BACKUP_FORMAT = 'steward-backup/v1';
const METADATA_FILE = 'metadata.sqlite';
const OBJECTS_DIR = 's3';

const Manifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  schemaVersion: z.number().int().min(1),
  createdAt: z.string(),
  metadataSha256: z.string().regex(/^[0-9a-f]{64}$/),
  objects: z.number().int().min(0),
});
export type BackupManifest = z.infer<typeof Manifest>;

/** A backup or restore that cannot go ahead; the message says what happened and what to do. */
export class BackupProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupProblem';
  }
}

export interface BackupProgress {
  (step: string, done: number, total: number): void;
}

/** Writes a backup of `dataDir` to `target` (a folder that must not exist yet, or a path ending in .tar.gz). */
export async function createBackup(dataDir: string, target: string, progress: BackupProgress = () => undefined): Promise<BackupManifest> {
  const metadata = join(dataDir, METADATA_FILE);
  if (!existsSync(metadata)) {
    if (existsSync(join(dataDir, 'dynamodb')))
      throw new BackupProblem(
        `${dataDir} holds a DynamoDB Local store: move it to the embedded store first (npm run steward -- migrate --data-dir ${dataDir})`,
      );
    throw new BackupProblem(`${dataDir} holds no Steward data (no ${METADATA_FILE}): check --data-dir`);
  }
  const archive = target.endsWith('.tar.gz') || target.endsWith('.tgz');
  if (existsSync(target)) throw new BackupProblem(`${target} already exists: choose a new name, a backup never overwrites`);
  const folder = archive ? mkdtempSync(join(dirname(resolve(target)), '.steward-backup-')) : target;
  try {
    mkdirSync(folder, { recursive: true });
    progress('metadata', 0, 1);
    const source = new Database(metadata, { readonly: true, fileMustExist: true });
    try {
      await source.backup(join(folder, METADATA_FILE));
    } finally {
      source.close();
    }
    progress('metadata', 1, 1);
    const objectFiles = listFiles(join(dataDir, OBJECTS_DIR));
    objectFiles.forEach((file, i) => {
      const to = join(folder, OBJECTS_DIR, file);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(dataDir, OBJECTS_DIR, file), to);
      progress('objects', i + 1, objectFiles.length);
    });
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      schemaVersion: SQLITE_SCHEMA_VERSION,
      createdAt: new Date().toISOString(),
      metadataSha256: await sha256File(join(folder, METADATA_FILE)),
      objects: objectFiles.filter((f) => f.endsWith('._S3rver_object')).length,
    };
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2));
    if (archive) {
      await tar.create({ gzip: true, file: target, cwd: folder }, readdirSync(folder));
    }
    return manifest;
  } finally {
    if (archive) rmSync(folder, { recursive: true, force: true });
  }
}

export interface RestoreReport {
  readonly manifest: BackupManifest;
  readonly tenants: number;
  /** Owners (tenants and the platform) whose audit chain verified whole. */
  readonly chainsVerified: number;
  readonly artifactsChecked: number;
}

/**
 * Restores a backup into an empty (or absent) data folder, then checks it:
 * every audit chain verifies and every verified artifact's bytes hash to the
 * SHA-256 its record holds. Anything wrong is a BackupProblem, and the data
 * folder is left as it was.
 */
export async function restoreBackup(source: string, dataDir: string, options: { bucket?: string; progress?: BackupProgress } = {}): Promise<RestoreReport> {
  const progress = options.progress ?? (() => undefined);
  if (existsSync(dataDir) && readdirSync(dataDir).some((name) => name !== 'logs')) {
    throw new BackupProblem(`${dataDir} is not empty: restore into an empty folder (stop Steward and move the old data aside first)`);
  }
  if (!existsSync(source)) throw new BackupProblem(`${source} does not exist`);
  const unpacked = statSync(source).isDirectory() ? undefined : mkdtempSync(join(dirname(resolve(dataDir)), '.steward-restore-'));
  const folder = unpacked ?? source;
  const staging = `${resolve(dataDir)}.restoring-${process.pid}`;
  try {
    if (unpacked) await tar.extract({ file: source, cwd: unpacked });
    const manifest = readManifest(folder);
    if ((await sha256File(join(folder, METADATA_FILE))) !== manifest.metadataSha256)
      throw new BackupProblem(`${source}: the metadata file does not match its manifest; the backup is damaged`);
    mkdirSync(staging, { recursive: true });
    cpSync(join(folder, METADATA_FILE), join(staging, METADATA_FILE));
    if (existsSync(join(folder, OBJECTS_DIR))) cpSync(join(folder, OBJECTS_DIR), join(staging, OBJECTS_DIR), { recursive: true });
    const check = await checkRestored(staging, options.bucket ?? 'steward-artifacts', progress);
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(staging, dataDir);
    return { manifest, ...check };
  } finally {
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

function readManifest(folder: string): BackupManifest {
  const path = join(folder, 'manifest.json');
  if (!existsSync(path)) throw new BackupProblem(`${folder} is not a Steward backup (no manifest.json)`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; schemaVersion?: unknown };
  if (typeof raw.schemaVersion === 'number' && raw.schemaVersion > SQLITE_SCHEMA_VERSION) {
    throw new BackupProblem(
      `the backup was made by a newer Steward (schema ${raw.schemaVersion}; this one reads up to ${SQLITE_SCHEMA_VERSION}): restore it with that version or newer`,
    );
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new BackupProblem(`${path} is not a manifest this Steward reads (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

async function checkRestored(dataDir: string, bucket: string, progress: BackupProgress): Promise<Omit<RestoreReport, 'manifest'>> {
  const store = new SqliteStore({ path: join(dataDir, METADATA_FILE), ttlSweepMs: 0 });
  try {
    const tenants = await allTenants(store.platform());
    const owners: MetadataTable[] = [store.platform(), ...tenants.map((id) => store.tenant(id))];
    let chainsVerified = 0;
    for (const [i, table] of owners.entries()) {
      const report = await verifyChain(table, { lagRetries: 0 });
      if (!report.ok)
        throw new BackupProblem(
          `the audit chain of ${table.owner} does not verify after the restore (${report.reason} at seq ${report.firstBrokenSeq}); the backup is damaged`,
        );
      chainsVerified += 1;
      progress('audit chains', i + 1, owners.length);
    }
    let artifactsChecked = 0;
    for (const tenantId of tenants) {
      for (const artifact of await verifiedArtifacts(store.tenant(tenantId))) {
        const file = objectFile(join(dataDir, OBJECTS_DIR), bucket, `tenants/${tenantId}/${artifact.key}`);
        if (!existsSync(file)) throw new BackupProblem(`artifact ${artifact.key} of tenant ${tenantId} is missing from the backup`);
        if ((await sha256File(file)) !== artifact.sha256)
          throw new BackupProblem(`artifact ${artifact.key} of tenant ${tenantId} does not match its SHA-256; the backup is damaged`);
        artifactsChecked += 1;
      }
      progress('artifacts', artifactsChecked, artifactsChecked);
    }
    return { tenants: tenants.length, chainsVerified, artifactsChecked };
  } finally {
    await store.close();
  }
}

async function allTenants(platform: MetadataTable): Promise<string[]> {
  const registry = new TenantRegistry(platform);
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await registry.list({ limit: 100, cursor });
    ids.push(...page.items.map((t) => t.tenantId));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

/** Every model version whose artifact was verified (its bytes and SHA-256 are final). */
async function verifiedArtifacts(table: MetadataTable): Promise<{ key: string; sha256: string }[]> {
  const out: { key: string; sha256: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query<{ artifact?: { key?: string; sha256?: string; state?: string } }>({
      index: 'gsi3',
      partition: ['VERSIONS', 'all'],
      limit: 500,
      cursor,
    });
    for (const item of page.items) {
      const a = item.artifact;
      if (a?.state === 'verified' && a.key && a.sha256) out.push({ key: a.key, sha256: a.sha256 });
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Where s3rver keeps an object's bytes: `<root>/<bucket>/<key dirs>/<name>._S3rver_object`. */
function objectFile(root: string, bucket: string, key: string): string {
  const parts = key.split('/');
  const name = parts.pop()!;
  return join(root, bucket, ...parts, `${name}._S3rver_object`);
}

function listFiles(root: string, prefix = ''): string[] {
  if (!existsSync(join(root, prefix))) return [];
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? join(prefix, entry.name) : entry.name;
    return entry.isDirectory() ? listFiles(root, relative) : [relative];
  });
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(hash.digest('hex')));
  });
}
