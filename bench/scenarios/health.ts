import { runHttpLoad } from '../drivers/http-load';
import { required, type Scenario } from './scenario';

/**
 * GET /health: the API's whole request path (middleware, logging, routing)
 * with the dependency probes cached for 1 s, so it measures the server, not
 * the stores. The ceiling every authenticated scenario sits under.
 */
export const health: Scenario = {
  name: 'health',
  measures: 'GET /health on the API: request-path overhead with dependency probes cached (1 s)',
  requires: ['api'],
  defaults: { connections: 8, durationSeconds: 10, warmupSeconds: 3 },
  run: ({ target, load, report, window }) => runHttpLoad({ title: 'health', url: `${required(target, 'apiUrl')}/health` }, load, report, window),
};
