import { Logger } from '@aws-lambda-powertools/logger';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { readSettings } from '../../core/config/settings';
import { directoryArtifact, openS3Artifact, parseS3Uri } from '../artifacts/model-artifacts';
import { loadModel } from '../runtimes/load-model';
import type { ModelArtifact } from '../runtimes/model-runtime';
import { MODEL_RUNTIME_KINDS, runtimeFor } from '../runtimes/runtime-catalog';
import { createContainerApp } from './app';
import { detectRuntime, MODEL_DESCRIPTOR_FILE, readModelDescriptor } from './model-directory';

/**
 * Steward's serving container, what serving/Dockerfile runs on SageMaker
 * (`docker run <image> serve`; the `serve` argument is accepted and ignored).
 *
 * Environment:
 * - SAGEMAKER_BIND_TO_PORT: port to listen on. @default 8080
 * - STEWARD_BIND_HOST: @default 0.0.0.0 (SageMaker reaches the container from outside it)
 * - SM_MODEL_DIR: where SageMaker unpacked the model. @default /opt/ml/model
 * - STEWARD_MODEL_RUNTIME: runtime kind (linear, onnx, rules, scorecard); when
 *   absent, `runtime` in the directory's steward-model.json, else the one
 *   runtime whose main file is in the model directory.
 * - STEWARD_MODEL_SHA256: the artifact's expected SHA-256 (else `sha256` in
 *   steward-model.json); the model is not served if its bytes differ.
 * - STEWARD_BATCH_PASSTHROUGH: in a batch transform (batch-score), the JSON
 *   array of input columns copied into every answered row (the batch mode of
 *   /invocations, see app.ts). @default []
 * - STEWARD_MODEL_ARTIFACT: an s3:// URI to read the model from instead of
 *   SM_MODEL_DIR (running the container outside SageMaker; locally with
 *   STEWARD_S3_ENDPOINT pointing at s3rver).
 */
const containerEnvSchema = z.object({
  SAGEMAKER_BIND_TO_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  STEWARD_BIND_HOST: z.string().min(1).default('0.0.0.0'),
  SM_MODEL_DIR: z.string().min(1).default('/opt/ml/model'),
  STEWARD_MODEL_RUNTIME: z.enum(MODEL_RUNTIME_KINDS).optional(),
  STEWARD_MODEL_SHA256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** A batch transform job's passthrough columns (a JSON array; batch-score sets it in the job's Environment). */
  STEWARD_BATCH_PASSTHROUGH: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      const parsed = z.array(z.string().min(1)).safeParse(safeJson(text));
      if (!parsed.success) ctx.addIssue({ code: 'custom', message: 'must be a JSON array of column names' });
      return parsed.success ? parsed.data : [];
    }),
  STEWARD_MODEL_ARTIFACT: z
    .string()
    .refine((uri) => parseS3Uri(uri) !== undefined, 'must be s3://bucket/key')
    .optional(),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const env = containerEnvSchema.parse(process.env);
  const log = new Logger({ serviceName: 'steward-serving-container', logLevel: settings.STEWARD_LOG_LEVEL });

  // The descriptor sits in the model directory; with an s3:// artifact there is none, so env says it all.
  const descriptor = env.STEWARD_MODEL_ARTIFACT ? {} : await readModelDescriptor(env.SM_MODEL_DIR);
  const kind = env.STEWARD_MODEL_RUNTIME ?? descriptor.runtime ?? (env.STEWARD_MODEL_ARTIFACT ? undefined : await detectRuntime(env.SM_MODEL_DIR));
  if (!kind) throw new Error(`STEWARD_MODEL_RUNTIME is required with STEWARD_MODEL_ARTIFACT (or "runtime" in ${MODEL_DESCRIPTOR_FILE})`);
  let artifact: ModelArtifact;
  if (env.STEWARD_MODEL_ARTIFACT) {
    const s3 = createAwsClients(settings).s3;
    artifact = await openS3Artifact(s3, env.STEWARD_MODEL_ARTIFACT, runtimeFor(kind).modelFile);
    s3.destroy();
  } else {
    artifact = directoryArtifact(env.SM_MODEL_DIR);
  }
  const model = await loadModel({ runtime: kind, artifact, ioSchema: descriptor.ioSchema, sha256: env.STEWARD_MODEL_SHA256 ?? descriptor.sha256 });
  log.info('model loaded', { runtime: kind, artifact: artifact.uri, inputs: model.model.inputs.length });

  const app = createContainerApp({ model, log, batch: { model: model.model, passthrough: env.STEWARD_BATCH_PASSTHROUGH } });
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

main().catch((error: Error) => {
  process.stderr.write(JSON.stringify({ level: 'ERROR', service: 'steward-serving-container', message: 'cannot start', error: error.message }) + '\n');
  process.exit(1);
});
