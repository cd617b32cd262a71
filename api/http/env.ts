import type { Log } from '../../core/ports/log';

/** Per-request values the middleware chain sets for handlers. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    log: Log;
  };
}
