import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { z } from 'zod';

const StoredKeySchema = z.object({
  kid: z.string(),
  privateJwk: z.record(z.string(), z.unknown()),
  publicJwk: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** Set when a newer key took over: tokens signed before still verify until `verifyUntil`. */
  retiredAt: z.string().optional(),
  verifyUntil: z.string().optional(),
});
const KeyFileSchema = z.object({ keys: z.array(StoredKeySchema).min(1) });
type StoredKey = z.infer<typeof StoredKeySchema>;
type KeyFile = z.infer<typeof KeyFileSchema>;

export interface SigningKeys {
  /** Changes whenever the keys change (a rotation). */
  readonly version: string;
  readonly signing: { readonly kid: string; readonly privateKey: CryptoKey | Uint8Array };
  /** Every key whose tokens may still be valid: the signing key and recently retired ones. */
  readonly jwks: { keys: Record<string, unknown>[] };
}

/**
 * Where the local issuer keeps its RS256 keys. Never in the metadata store:
 * whoever can read the store must not be able to mint tokens.
 */
export interface IssuerKeyRing {
  current(): Promise<SigningKeys>;
}

async function newKey(now: Date): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = crypto.randomUUID();
  return {
    kid,
    privateJwk: (await exportJWK(privateKey)) as unknown as Record<string, unknown>,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    createdAt: now.toISOString(),
  };
}

async function toSigningKeys(file: KeyFile, version: string, now: Date): Promise<SigningKeys> {
  const active = file.keys.find((k) => !k.retiredAt) ?? file.keys[file.keys.length - 1];
  const verifying = file.keys.filter((k) => !k.verifyUntil || Date.parse(k.verifyUntil) > now.getTime());
  return {
    version,
    signing: { kid: active.kid, privateKey: await importJWK(active.privateJwk as unknown as JWK, 'RS256') },
    jwks: { keys: verifying.map((k) => k.publicJwk) },
  };
}

/**
 * Keys in a JSON file of the data folder, readable and writable only by the
 * platform's user (0600, in a 0700 folder), created on first start. The file
 * is re-read when it changes, so `npm run steward -- keys rotate` takes effect
 * in a running platform within a request.
 */
export class FileIssuerKeyRing implements IssuerKeyRing {
  private loaded?: { mtimeMs: number; keys: Promise<SigningKeys> };

  constructor(
    private readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async current(): Promise<SigningKeys> {
    let mtimeMs = this.mtime();
    if (mtimeMs === undefined) {
      await this.create();
      mtimeMs = this.mtime()!;
    }
    if (this.loaded?.mtimeMs !== mtimeMs) {
      this.tightenMode();
      const file = KeyFileSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
      this.loaded = { mtimeMs, keys: toSigningKeys(file, `${mtimeMs}:${file.keys.map((k) => k.kid).join(',')}`, this.now()) };
    }
    return this.loaded.keys;
  }

  /**
   * Makes a new signing key. The previous one stops signing at once and keeps
   * verifying for `verifyForSeconds` (the longest token lifetime), so nobody
   * signed in is thrown out; keys past that are dropped from the file.
   */
  async rotate(verifyForSeconds: number): Promise<{ retired: string[]; active: string }> {
    if (this.mtime() === undefined) await this.create();
    const now = this.now();
    const file = KeyFileSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    const verifyUntil = new Date(now.getTime() + verifyForSeconds * 1000).toISOString();
    const retired: string[] = [];
    const kept = file.keys
      .filter((k) => !k.verifyUntil || Date.parse(k.verifyUntil) > now.getTime())
      .map((k) => {
        if (k.retiredAt) return k;
        retired.push(k.kid);
        return { ...k, retiredAt: now.toISOString(), verifyUntil };
      });
    const fresh = await newKey(now);
    this.write({ keys: [...kept, fresh] });
    return { retired, active: fresh.kid };
  }

  private async create(): Promise<void> {
    const file: KeyFile = { keys: [await newKey(this.now())] };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    try {
      // `wx`: if another process created the file first, its key wins.
      writeFileSync(this.path, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  private write(file: KeyFile): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(file, null, 2), { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  private mtime(): number | undefined {
    try {
      return statSync(this.path).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** A copy or restore may have widened the mode: only the platform's user may read a private key. */
  private tightenMode(): void {
    if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
  }
}

/** Keys that live as long as the process (tests; a platform with no data folder). */
export class EphemeralIssuerKeyRing implements IssuerKeyRing {
  private keys?: Promise<SigningKeys>;

  current(): Promise<SigningKeys> {
    this.keys ??= newKey(new Date()).then((key) => toSigningKeys({ keys: [key] }, key.kid, new Date()));
    return this.keys;
  }
}
