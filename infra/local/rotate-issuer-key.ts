import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FileIssuerKeyRing } from '../../core/adapters/identity/issuer-key-ring';
import { LOCAL_ID_TOKEN_MAX_TTL_SECONDS } from '../../core/adapters/identity/local-issuer';
import { issuerKeyFile } from './issuer-key-file';

/**
 * Rotates the local issuer's signing key: new tokens are signed with a new
 * key at once (a running platform re-reads the key file), while the old key
 * keeps verifying until every token it signed has expired.
 */
export async function rotateIssuerKey(dataDir: string): Promise<{ file: string; retired: string[]; active: string; oldKeysVerifyUntil: string }> {
  const file = issuerKeyFile(dataDir);
  if (!existsSync(dataDir)) throw new Error(`no data folder at ${dataDir}; start the platform once (npm start) or pass --data-dir`);
  const { retired, active } = await new FileIssuerKeyRing(file).rotate(LOCAL_ID_TOKEN_MAX_TTL_SECONDS);
  return { file, retired, active, oldKeysVerifyUntil: new Date(Date.now() + LOCAL_ID_TOKEN_MAX_TTL_SECONDS * 1000).toISOString() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'data-dir': { type: 'string' } }, strict: true });
  const dataDir = resolve(values['data-dir'] ?? process.env.STEWARD_DATA_DIR ?? '.steward-data');
  try {
    const outcome = await rotateIssuerKey(dataDir);
    process.stdout.write(
      `issuer key rotated in ${outcome.file}: now signing with ${outcome.active}; ${outcome.retired.length ? `${outcome.retired.join(', ')} keep${outcome.retired.length === 1 ? 's' : ''} verifying until ${outcome.oldKeysVerifyUntil}` : 'no previous key'}\n`,
    );
  } catch (error) {
    process.stderr.write(`steward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
