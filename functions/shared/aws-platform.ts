import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { bucketProbe, tableProbe } from '../../core/adapters/aws-health-probes';
import { StepFunctionsRunner } from '../../core/adapters/sfn/step-functions-runner';
import { readSettings } from '../../core/config/settings';
import { assemblePlatform, type Platform } from '../../core/platform/platform';

/**
 * The Platform as Lambda functions see it on AWS: clients use the function's
 * role, pipelines run on Step Functions. Built once per container (cold start).
 */
export function awsPlatform(env: Record<string, string | undefined> = process.env): Platform {
  const settings = readSettings({ ...env, STEWARD_MODE: 'aws' });
  const clients = createAwsClients(settings);
  const log = new Logger({ serviceName: 'steward', logLevel: settings.STEWARD_LOG_LEVEL });
  const pipelines = new StepFunctionsRunner(clients.sfn, settings.STEWARD_STATE_MACHINES);
  return assemblePlatform({
    settings,
    clients,
    log,
    pipelines,
    probes: [tableProbe(clients, settings.STEWARD_TABLE_NAME), bucketProbe(clients, settings.STEWARD_BUCKET_NAME), pipelines.probe()],
  });
}
