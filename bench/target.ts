import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagedProcess } from '../infra/local/stand-ins/child-process';
import type { BenchTarget, Requirement } from './scenarios/scenario';

export interface ExternalEndpoints {
  readonly apiUrl?: string;
  readonly dynamodbEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly scoringEndpoint?: string;
}

export interface AcquiredTarget {
  readonly target: BenchTarget;
  stop(): Promise<void>;
}

const FLAG_OF: Readonly<Record<Requirement, string>> = { api: '--url', dynamodb: '--dynamodb-endpoint', s3: '--s3-endpoint', scoring: '--scoring-endpoint' };
const FIELD_OF = { api: 'apiUrl', dynamodb: 'dynamodbEndpoint', s3: 's3Endpoint', scoring: 'scoringEndpoint' } as const;

/**
 * Finds or starts what the selected scenarios need.
 * - Given endpoints (`--url` …): uses them as they are; every requirement must be given.
 * - Otherwise, if a scenario needs the API: the whole local platform
 *   (infra/local/start.ts) on free ports over a fresh temporary data folder,
 *   so the other scenarios of the run measure the very same stand-ins.
 * - Otherwise only the stand-ins needed (DynamoDB Local, s3rver, the gateway).
 */
export async function acquireTarget(requirements: ReadonlySet<Requirement>, external: ExternalEndpoints, options: { keepData: boolean; report: (line: string) => void }): Promise<AcquiredTarget> {
  if (Object.values(external).some(Boolean)) {
    const missing = [...requirements].filter((r) => !external[FIELD_OF[r]]);
    if (missing.length) throw new Error(`the selected scenarios also need ${missing.map((r) => `${FLAG_OF[r]} (${r})`).join(', ')}`);
    return { target: { ...external, description: `given endpoints (${Object.entries(external).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(', ')})` }, stop: async () => {} };
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const cleanUp = () => {
    if (options.keepData) options.report(`data and logs kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
  const { freePort } = await import('../infra/local/stand-ins/ports');
  try {
    if (requirements.has('api')) {
      options.report(`starting the local platform (data in ${dataDir})…`);
      const { startPlatform } = await import('../infra/local/start');
      const running = await startPlatform({
        dataDir,
        apiPort: await freePort(),
        dynamodbPort: await freePort(),
        s3Port: await freePort(),
        scoringPort: await freePort(),
        env: { ...process.env, STEWARD_LOG_LEVEL: process.env.STEWARD_LOG_LEVEL ?? 'WARN' },
      });
      const { endpoints } = running.standIns;
      return {
        target: { apiUrl: running.apiUrl, dynamodbEndpoint: endpoints.dynamodb, s3Endpoint: endpoints.s3, scoringEndpoint: endpoints.scoring, description: 'local platform started by the bench (fresh temporary data folder)' },
        async stop() {
          await running.stop();
          cleanUp();
        },
      };
    }
    options.report(`starting stand-ins: ${[...requirements].join(', ')} (data in ${dataDir})…`);
    const started: ManagedProcess[] = [];
    const stopAll = async () => {
      await Promise.all(started.map((p) => p.stop()));
    };
    const logDir = join(dataDir, 'logs');
    const target: { -readonly [K in keyof BenchTarget]: BenchTarget[K] } = { description: `stand-ins started by the bench: ${[...requirements].join(', ')}` };
    try {
      if (requirements.has('dynamodb')) {
        const { startDynamoDbLocal } = await import('../infra/local/stand-ins/dynamodb-local');
        const port = await freePort();
        started.push(await startDynamoDbLocal({ port, logDir }));
        target.dynamodbEndpoint = `http://127.0.0.1:${port}`;
      }
      if (requirements.has('s3') || requirements.has('scoring')) {
        const { startS3Emulator } = await import('../infra/local/stand-ins/s3-emulator');
        const port = await freePort();
        started.push(await startS3Emulator({ port, dataDir: join(dataDir, 's3'), logDir }));
        target.s3Endpoint = `http://127.0.0.1:${port}`;
      }
      if (requirements.has('scoring')) {
        const { startScoringGateway } = await import('../infra/local/stand-ins/scoring-gateway');
        const port = await freePort();
        started.push(
          await startScoringGateway({ port, logDir, env: { STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: target.s3Endpoint, STEWARD_LOG_LEVEL: process.env.STEWARD_LOG_LEVEL ?? 'WARN' } }),
        );
        target.scoringEndpoint = `http://127.0.0.1:${port}`;
      }
    } catch (error) {
      await stopAll();
      throw error;
    }
    return {
      target,
      async stop() {
        await stopAll();
        cleanUp();
      },
    };
  } catch (error) {
    // Kept whatever --keep-data says: the logs are how the failure gets explained.
    options.report(`start-up failed; logs kept in ${join(dataDir, 'logs')}`);
    throw error;
  }
}
