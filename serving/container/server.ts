import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { readSettings } from '../../core/config/settings';
import { directoryArtifact, openS3Artifact, parseS3Uri } from '../artifacts/model-artifacts';
import type { ModelArtifact, ModelRuntime } from '../runtimes/model-runtime';
import { MODEL_RUNTIME_KINDS, runtimeFor } from '../runtimes/runtime-catalog';
import { createContainerApp } from './app';

/**
 * Steward's serving container, what serving/Dockerfile runs on SageMaker
 * (`docker run <image> serve`; the `serve` argument is accepted and ignored).
 *
 * Environment:
 * - SAGEMAKER_BIND_TO_PORT: port to listen on. @default 8080
 * - STEWARD_BIND_HOST: @default 0.0.0.0 (SageMaker reaches the container from outside it)
 * - SM_MODEL_DIR: where SageMaker unpacked the model. @default /opt/ml/model
 * - STEWARD_MODEL_RUNTIME: runtime kind; when absent, the one runtime whose
 *   main file is in the model directory.
 * - STEWARD_MODEL_ARTIFACT: an s3:// URI to read the model from instead of
 *   SM_MODEL_DIR (running the container outside SageMaker; locally with
 *   STEWARD_S3_ENDPOINT pointing at s3rver).
 */
const containerEnvSchema = z.object({
  SAGEMAKER_BIND_TO_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  STEWARD_BIND_HOST: z.string().min(1).default('0.0.0.0'),
  SM_MODEL_DIR: z.string().min(1).default('/opt/ml/model'),
  STEWARD_MODEL_RUNTIME: z.enum(MODEL_RUNTIME_KINDS).optional(),
  STEWARD_MODEL_ARTIFACT: z
    .string()
    .refine((uri) => parseS3Uri(uri) !== undefined, 'must be s3://bucket/key')
    .optional(),
});

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const env = containerEnvSchema.parse(process.env);
  const log = new Logger({ serviceName: 'steward-serving-container', logLevel: settings.STEWARD_LOG_LEVEL });

  const runtime = env.STEWARD_MODEL_RUNTIME ? runtimeFor(env.STEWARD_MODEL_RUNTIME) : await detectRuntime(env.SM_MODEL_DIR, env.STEWARD_MODEL_ARTIFACT);
  let artifact: ModelArtifact;
  if (env.STEWARD_MODEL_ARTIFACT) {
    const s3 = createAwsClients(settings).s3;
    artifact = await openS3Artifact(s3, env.STEWARD_MODEL_ARTIFACT, runtime.modelFile);
    s3.destroy();
  } else {
    artifact = directoryArtifact(env.SM_MODEL_DIR);
  }
  const model = await runtime.load(artifact);
  log.info('model loaded', { runtime: runtime.kind, artifact: artifact.uri });

  const app = createContainerApp({ model, log });
  const server = serve({ fetch: app.fetch, port: env.SAGEMAKER_BIND_TO_PORT, hostname: env.STEWARD_BIND_HOST }, (info) =>
    log.info('serving container listening', { host: env.STEWARD_BIND_HOST, port: info.port }),
  );
  server.on('error', (error: NodeJS.ErrnoException) => {
    log.error('serving container cannot listen', { port: env.SAGEMAKER_BIND_TO_PORT, code: error.code, error: error.message });
    process.exit(1);
  });
  const stop = (signal: NodeJS.Signals) => {
    log.info('serving container stopping', { signal });
    setTimeout(() => process.exit(0), 3000).unref();
    server.close(() => process.exit(0));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Without STEWARD_MODEL_RUNTIME, the model directory's files say which runtime it is for. */
async function detectRuntime(modelDir: string, artifactUri: string | undefined): Promise<ModelRuntime> {
  if (artifactUri) throw new Error('STEWARD_MODEL_RUNTIME is required with STEWARD_MODEL_ARTIFACT');
  const candidates: ModelRuntime[] = [];
  for (const kind of MODEL_RUNTIME_KINDS) {
    const runtime = runtimeFor(kind);
    if (await access(join(modelDir, runtime.modelFile)).then(() => true, () => false)) candidates.push(runtime);
  }
  if (candidates.length !== 1) {
    const files = MODEL_RUNTIME_KINDS.map((k) => `${runtimeFor(k).modelFile} (${k})`).join(', ');
    throw new Error(`cannot tell the model runtime from ${modelDir}: expected exactly one of ${files}; set STEWARD_MODEL_RUNTIME`);
  }
  return candidates[0];
}

main().catch((error: Error) => {
  process.stderr.write(JSON.stringify({ level: 'ERROR', service: 'steward-serving-container', message: 'cannot start', error: error.message }) + '\n');
  process.exit(1);
});
