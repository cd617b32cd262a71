import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../core/config/settings';
import { createLocalPlatform, type LocalPlatform } from '../../infra/local/local-platform';
import { localSettings } from '../../infra/local/local-settings';

/**
 * A Platform over the stand-ins booted by global-setup, on the default store
 * (embedded SQLite, one file per platform) unless `STEWARD_STORE` says
 * `dynamodb-local`. Each platform gets its own table, file and bucket names, so
 * files running in parallel workers never see each other's data, while sharing
 * one emulator.
 */
export async function testPlatform(
  overrides: Record<string, string> = {},
  options: { now?: () => Date; scheduler?: boolean } = {},
): Promise<LocalPlatform & { settings: Settings }> {
  const dynamodb = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
  const s3 = process.env.STEWARD_TEST_S3_ENDPOINT;
  const scoring = process.env.STEWARD_TEST_SCORING_ENDPOINT;
  if (!dynamodb || !s3 || !scoring) throw new Error('stand-ins are not running: integration tests need test/support/global-setup.ts');
  const unique = randomUUID().slice(0, 8);
  const scratch = process.env.STEWARD_TEST_SCRATCH_DIR ?? tmpdir();
  const settings = localSettings(
    { dynamodb, s3, scoring, api: 'http://127.0.0.1:1', smtp: process.env.STEWARD_TEST_SMTP_URL },
    {
      STEWARD_LOG_LEVEL: 'SILENT',
      STEWARD_TABLE_NAME: `steward-${unique}`,
      STEWARD_BUCKET_NAME: `steward-${unique}`,
      STEWARD_SQLITE_PATH: join(scratch, 'metadata', `steward-${unique}.sqlite`),
      ...overrides,
    },
  );
  // No background scheduler unless asked: schedule tests drive their own with an injected clock.
  const local = await createLocalPlatform(settings, { now: options.now, scheduler: options.scheduler ? {} : false });
  return { ...local, settings };
}
