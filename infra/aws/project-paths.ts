import * as path from 'node:path';

/**
 * Where the CDK app finds the code it deploys, relative to this file so the
 * app synthesizes the same from any checkout, any cwd, and under jest.
 */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

export const PROJECT_PATHS = {
  root: PROJECT_ROOT,
  lockFile: path.join(PROJECT_ROOT, 'package-lock.json'),
  apiHandler: path.join(PROJECT_ROOT, 'functions', 'api', 'handler.ts'),
  authorizerHandler: path.join(PROJECT_ROOT, 'functions', 'authorizer', 'handler.ts'),
  inspectorHandler: path.join(PROJECT_ROOT, 'functions', 'inspector', 'handler.ts'),
  auditSealerHandler: path.join(PROJECT_ROOT, 'functions', 'audit-sealer', 'handler.ts'),
  executionRecorderHandler: path.join(PROJECT_ROOT, 'functions', 'execution-recorder', 'handler.ts'),
  pipelineSteps: path.join(PROJECT_ROOT, 'functions', 'pipeline-steps'),
  stateMachines: path.join(PROJECT_ROOT, 'state-machines'),
} as const;
