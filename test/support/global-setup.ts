import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/stand-ins/ports';
import { startStandIns } from '../../infra/local/stand-ins/start-stand-ins';

/**
 * Boots the real stand-ins once per test run: DynamoDB Local (in memory), s3rver
 * (scratch folder) and the scoring gateway, on free ports. Workers inherit the
 * endpoints through the environment and build their own Platform from them
 * (test/support/test-platform.ts), each test using fresh tenants.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const scratchDir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const ports = { dynamodb: await freePort(), s3: await freePort(), scoring: await freePort(), smtp: await freePort(), inbox: await freePort() };
  const standIns = await startStandIns({ ports, scratchDir, env: { STEWARD_LOG_LEVEL: 'WARN' } });
  process.env.STEWARD_TEST_DYNAMODB_ENDPOINT = standIns.endpoints.dynamodb;
  process.env.STEWARD_TEST_S3_ENDPOINT = standIns.endpoints.s3;
  process.env.STEWARD_TEST_SCORING_ENDPOINT = standIns.endpoints.scoring;
  process.env.STEWARD_TEST_SCRATCH_DIR = scratchDir;
  // Invitations reach invitees by mail: tests read them from the catcher's JSON API.
  process.env.STEWARD_TEST_SMTP_URL = standIns.endpoints.smtp;
  process.env.STEWARD_TEST_INBOX_URL = standIns.endpoints.inbox;
  (globalThis as { __stewardStandIns?: typeof standIns }).__stewardStandIns = standIns;
}
