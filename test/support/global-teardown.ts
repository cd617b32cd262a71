import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const standIns = (globalThis as { __stewardStandIns?: { stop(): Promise<void> } }).__stewardStandIns;
  await standIns?.stop();
  const scratch = process.env.STEWARD_TEST_SCRATCH_DIR;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
