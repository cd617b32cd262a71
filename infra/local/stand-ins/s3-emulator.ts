import { mkdirSync } from 'node:fs';
import { ManagedProcess } from './child-process';
import { waitUntil } from './ports';

/**
 * s3rver as a child process. It needs --openssl-legacy-provider for paginated
 * listings (its continuation tokens use a legacy cipher). It checks no
 * signatures: isolation never relies on it (see test/isolation).
 */
export async function startS3Emulator(options: { port: number; dataDir: string; logDir?: string }): Promise<ManagedProcess> {
  mkdirSync(options.dataDir, { recursive: true });
  const bin = require.resolve('s3rver/bin/s3rver.js');
  const child = ManagedProcess.start(
    's3rver',
    process.execPath,
    ['--openssl-legacy-provider', bin, '--directory', options.dataDir, '--address', '127.0.0.1', '--port', String(options.port), '--silent'],
    { logDir: options.logDir, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  try {
    await waitUntil(
      'S3 emulator',
      async () => {
        const res = await fetch(`http://127.0.0.1:${options.port}/`);
        if (res.status >= 500) throw new Error(`status ${res.status}`);
      },
      20_000,
      () => child.alive,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
