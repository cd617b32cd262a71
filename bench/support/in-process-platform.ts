import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/stand-ins/ports';
import { type RunningPlatform, startPlatform } from '../../infra/local/start';
import type { BenchTarget } from '../scenarios/scenario';

export interface InProcessPlatform {
  readonly running: RunningPlatform;
  /** The fresh data folder (its metadata file is `metadata.sqlite`). */
  readonly dataDir: string;
  /** The platform as the bench's support code reaches it (onboarding tenants through the API). */
  readonly target: BenchTarget;
  /** Stops the platform and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * The whole local platform in the tool's own process, on a fresh data folder
 * (default store, SQLite on disk), free ports, WARN logs, no console, and a
 * bench platform administrator: what the in-process cost tools measure
 * (`read-route-costs`, `write-floor`), calling the API's app without sockets.
 */
export async function startInProcessPlatform(name: string): Promise<InProcessPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), `steward-${name}-`));
  const admin = { email: 'bench-admin@steward.example', password: `bench-${randomBytes(12).toString('base64url')}` };
  const running = await startPlatform({
    dataDir,
    store: 'sqlite',
    apiPort: await freePort(),
    dynamodbPort: await freePort(),
    s3Port: await freePort(),
    scoringPort: await freePort(),
    env: {
      ...process.env,
      STEWARD_LOG_LEVEL: process.env.STEWARD_LOG_LEVEL ?? 'WARN',
      STEWARD_CONSOLE: 'off',
      STEWARD_BOOTSTRAP_ADMIN_EMAIL: admin.email,
      STEWARD_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    },
  });
  const target: BenchTarget = {
    apiUrl: running.apiUrl,
    inboxUrl: running.standIns.endpoints.inbox,
    admin,
    tableName: 'steward',
    auditChain: 'at-commit',
    processes: {},
    description: 'in process',
  };
  return {
    running,
    dataDir,
    target,
    async stop() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
