import { Logger } from '@aws-lambda-powertools/logger';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { readSettings } from '../../core/config/settings';
import { createScoringGateway } from './scoring-gateway';

/**
 * The local scoring gateway process, started by infra/local (stand-ins/scoring-gateway.ts):
 *   node --import tsx serving/gateway/main.ts
 * Listens on 127.0.0.1:$STEWARD_SCORING_PORT, reads artifacts through the S3
 * client the platform uses (s3rver locally), logs JSON lines, and ends cleanly
 * on SIGTERM/SIGINT.
 */
const gatewayEnvSchema = z.object({
  STEWARD_SCORING_PORT: z.coerce.number().int().min(1).max(65535),
  /** The account named in SageMaker-style messages and ARNs. */
  STEWARD_LOCAL_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
});

function main(): void {
  const settings = readSettings(process.env);
  const env = gatewayEnvSchema.parse(process.env);
  const log = new Logger({ serviceName: 'steward-scoring-gateway', logLevel: settings.STEWARD_LOG_LEVEL });
  const clients = createAwsClients(settings);
  const { app } = createScoringGateway({ s3: clients.s3, log, accountId: env.STEWARD_LOCAL_ACCOUNT_ID, region: settings.AWS_REGION });
  const server = serve({ fetch: app.fetch, port: env.STEWARD_SCORING_PORT, hostname: '127.0.0.1' }, (info) =>
    log.info('scoring gateway listening', { url: `http://127.0.0.1:${info.port}`, s3Endpoint: settings.STEWARD_S3_ENDPOINT ?? 'aws' }),
  );
  server.on('error', (error: NodeJS.ErrnoException) => {
    log.error('scoring gateway cannot listen', { port: env.STEWARD_SCORING_PORT, code: error.code, error: error.message });
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info('scoring gateway stopping', { signal });
    // Keep-alive connections would hold close() open; a caller mid-request gets its answer first.
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    server.close(() => {
      clients.s3.destroy();
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (error) {
  // One JSON line the stand-in's log file can show, not a stack dump.
  process.stderr.write(JSON.stringify({ level: 'ERROR', service: 'steward-scoring-gateway', message: 'cannot start', error: (error as Error).message }) + '\n');
  process.exit(1);
}
