import { join } from 'node:path';
import type { ManagedProcess } from './child-process';
import { startDynamoDbLocal } from './dynamodb-local';
import { type RunningMailCatcher, startMailCatcher } from './mail-catcher';
import { assertPortFree } from './ports';
import { startS3Emulator } from './s3-emulator';
import { startScoringGateway } from './scoring-gateway';
import type { LocalEndpoints } from '../local-settings';

export interface StandInPorts {
  readonly dynamodb: number;
  readonly s3: number;
  readonly scoring: number;
  /** The mail catcher's SMTP and web inbox ports; without them no catcher is started. */
  readonly smtp?: number;
  readonly inbox?: number;
}

export interface RunningStandIns {
  readonly endpoints: LocalEndpoints;
  readonly processes: readonly ManagedProcess[];
  /** Runs inside this process (no child): listeners are this process's own. */
  readonly mail?: RunningMailCatcher;
  stop(): Promise<void>;
}

/**
 * Starts the S3 emulator, the scoring gateway and, unless told not to,
 * DynamoDB Local (the embedded SQLite store needs no process). With `dataDir`
 * everything is kept on disk under it (`dynamodb/`, `s3/`, `logs/`); without it
 * DynamoDB is in memory (tests) and S3 uses `scratchDir`.
 */
export async function startStandIns(options: {
  ports: StandInPorts;
  /** Start DynamoDB Local (the `dynamodb-local` store, and the tests of the DynamoDB adapter). @default true */
  dynamodb?: boolean;
  dataDir?: string;
  scratchDir: string;
  env?: Record<string, string | undefined>;
  /** Start the scoring gateway as its own process; false when the platform hosts it (STEWARD_SCORING_TRANSPORT=direct or in-process). @default true */
  scoringGateway?: boolean;
  onUnexpectedExit?: (name: string, code: number | null) => void;
}): Promise<RunningStandIns> {
  const { ports } = options;
  const withDynamoDb = options.dynamodb ?? true;
  if (withDynamoDb) await assertPortFree(ports.dynamodb, 'STEWARD_DYNAMODB_PORT', 'DynamoDB Local');
  await assertPortFree(ports.s3, 'STEWARD_S3_PORT', 'the S3 emulator');
  await assertPortFree(ports.scoring, 'STEWARD_SCORING_PORT', 'the scoring gateway');
  const base = options.dataDir ?? options.scratchDir;
  const logDir = join(base, 'logs');
  const endpoints: LocalEndpoints = {
    dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    s3: `http://127.0.0.1:${ports.s3}`,
    scoring: `http://127.0.0.1:${ports.scoring}`,
  };
  const started: ManagedProcess[] = [];
  let mail: RunningMailCatcher | undefined;
  const stop = async () => {
    await Promise.all([...started.map((p) => p.stop()), mail?.stop()]);
  };
  try {
    if (ports.smtp !== undefined && ports.inbox !== undefined) {
      await assertPortFree(ports.smtp, 'STEWARD_SMTP_PORT', 'the mail catcher');
      await assertPortFree(ports.inbox, 'STEWARD_INBOX_PORT', 'the mail inbox');
      mail = await startMailCatcher({ smtpPort: ports.smtp, inboxPort: ports.inbox, dataDir: options.dataDir ? join(options.dataDir, 'mail') : undefined });
    }
    // DynamoDB (JVM start, ~2 s) and s3rver start in parallel; if one fails, the other is stopped too.
    const [dynamodbStart, s3Start] = await Promise.allSettled([
      withDynamoDb
        ? startDynamoDbLocal({ port: ports.dynamodb, dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined, logDir })
        : Promise.resolve(undefined),
      startS3Emulator({ port: ports.s3, dataDir: join(base, 's3'), logDir }),
    ]);
    for (const outcome of [dynamodbStart, s3Start]) if (outcome.status === 'fulfilled' && outcome.value) started.push(outcome.value);
    if (dynamodbStart.status === 'rejected') throw dynamodbStart.reason;
    if (s3Start.status === 'rejected') throw s3Start.reason;
    const dynamodb = dynamodbStart.value;
    const s3 = s3Start.value;
    const scoring =
      options.scoringGateway === false
        ? undefined
        : await startScoringGateway({
            port: ports.scoring,
            logDir,
            env: {
              ...options.env,
              STEWARD_MODE: 'local',
              STEWARD_DYNAMODB_ENDPOINT: endpoints.dynamodb,
              STEWARD_S3_ENDPOINT: endpoints.s3,
            },
          });
    if (scoring) started.push(scoring);
    for (const p of [dynamodb, s3, scoring].filter((x) => x !== undefined)) p.onUnexpectedExit((code) => options.onUnexpectedExit?.(p.name, code));
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: mail ? { ...endpoints, smtp: mail.smtpUrl, inbox: mail.inboxUrl } : endpoints, processes: started, mail, stop };
}
