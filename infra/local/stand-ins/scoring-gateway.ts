import { join } from 'node:path';
import { ManagedProcess } from './child-process';
import { waitUntil } from './ports';

/**
 * The local SageMaker-runtime-compatible scoring gateway (serving/gateway) as a
 * child process, the way a serving container runs beside the platform on AWS.
 */
export async function startScoringGateway(options: { port: number; env: Record<string, string | undefined>; logDir?: string }): Promise<ManagedProcess> {
  const root = join(__dirname, '..', '..', '..');
  const child = ManagedProcess.start('scoring-gateway', process.execPath, ['--import', 'tsx', join(root, 'serving', 'gateway', 'main.ts')], {
    cwd: root,
    logDir: options.logDir,
    env: { ...process.env, ...options.env, STEWARD_SCORING_PORT: String(options.port) },
  });
  try {
    await waitUntil(
      'scoring gateway',
      async () => {
        const res = await fetch(`http://127.0.0.1:${options.port}/ping`);
        if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
      },
      30_000,
      () => child.alive,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
