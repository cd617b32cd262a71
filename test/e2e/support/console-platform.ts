import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../infra/local/stand-ins/ports';
import { type RunningPlatform, startPlatform } from '../../../infra/local/start';

export const PLATFORM_ADMIN = { email: 'ops@platform.example', password: 'e2e platform passphrase' };

/**
 * The local platform exactly as `npm start` runs it (stand-ins, platform, API and the
 * built console on one origin), on free ports and a throw-away data folder.
 */
export async function startConsolePlatform(): Promise<RunningPlatform & { dispose(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
  const [apiPort, dynamodbPort, s3Port, scoringPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const running = await startPlatform({
    dataDir,
    apiPort,
    dynamodbPort,
    s3Port,
    scoringPort,
    env: {
      ...process.env,
      STEWARD_LOG_LEVEL: 'WARN',
      STEWARD_BOOTSTRAP_ADMIN_EMAIL: PLATFORM_ADMIN.email,
      STEWARD_BOOTSTRAP_ADMIN_PASSWORD: PLATFORM_ADMIN.password,
    },
  });
  if (!running.consoleUrl) {
    await running.stop();
    throw new Error('the console was not served: web/dist could not be built (run `npm run build:web`)');
  }
  return {
    ...running,
    async dispose() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
