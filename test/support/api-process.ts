import { fork } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../../api/http/env';
import type { Settings } from '../../core/config/settings';
import { ApiClient } from './api-client';

export interface ApiProcess {
  /** The process's API over HTTP. */
  readonly api: ApiClient;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Another API process over the same store and stand-ins as the test's
 * platform, as a second Lambda instance or a second `npm start` would be: it
 * shares nothing in memory with the test (counters, caches, timers, issuer
 * keys — sign in on it).
 */
export function startApiProcess(settings: Settings, timeoutMs = 60_000): Promise<ApiProcess> {
  const child = fork(join(__dirname, 'api-process-main.ts'), [], {
    execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
    env: { ...process.env, STEWARD_TEST_PROCESS_SETTINGS: JSON.stringify(settings), NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API process did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API process exited with code ${code} before it started`));
    });
    child.once('message', (message: { url?: string; error?: string }) => {
      clearTimeout(timer);
      if (!message.url) {
        reject(new Error(`the API process failed: ${message.error}`));
        return;
      }
      const url = message.url;
      const overHttp = { request: (path: string, init?: RequestInit) => fetch(`${url}${path}`, init) } as unknown as OpenAPIHono<ApiEnv>;
      resolve({
        api: new ApiClient(overHttp),
        url,
        async stop() {
          if (child.exitCode === null) child.send('stop');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}
