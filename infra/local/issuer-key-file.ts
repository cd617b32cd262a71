import { join } from 'node:path';

/** Where local mode keeps the issuer's signing keys: inside the data folder, in a folder only its user may enter. */
export function issuerKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'issuer-keys.json');
}
