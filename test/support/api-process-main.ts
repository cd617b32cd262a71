import { createApp } from '../../api/app';
import type { Settings } from '../../core/config/settings';
import { serveApi } from '../../infra/local/api-server';
import { createLocalPlatform } from '../../infra/local/local-platform';

/**
 * An API process of its own (see api-process.ts): the platform over the
 * settings it is given (the same store and stand-ins as the test's), the app
 * served on a free port, whose URL goes back to the parent.
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.env.STEWARD_TEST_PROCESS_SETTINGS ?? '{}') as Settings;
  const local = await createLocalPlatform(settings, { scheduler: false });
  const served = await serveApi(createApp(local.platform), 0);
  process.send!({ url: served.url });
  process.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void served
      .close()
      .then(() => local.close())
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
