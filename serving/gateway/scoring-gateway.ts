import type { S3Client } from '@aws-sdk/client-s3';
import type { Hono } from 'hono';
import type { Log } from '../../core/ports/log';
import { createGatewayApp } from './app';
import { InMemoryEndpointRegistry } from './endpoint-registry';
import { InProcessGatewayHandler } from './in-process-handler';
import { createInvokeEndpoint, type InvokeEndpoint } from './invoke-endpoint';
import { ModelCache, s3ModelLoader } from './model-cache';
import { s3ShadowCapture } from './shadow-capture';

/** One scoring gateway: its endpoints and model cache, reachable over HTTP (`app`) and in process (`handler`). */
export interface ScoringGateway {
  /** The HTTP API (InvokeEndpoint, /ping, /local/endpoints): serve it, or call `app.request` in process. */
  readonly app: Hono;
  readonly invoke: InvokeEndpoint;
  /** The SageMaker runtime client's `requestHandler` reaching this gateway without a socket. */
  readonly handler: InProcessGatewayHandler;
}

/**
 * The gateway over artifacts in S3 (s3rver locally), its registrations in
 * memory, shadow answers captured to S3: what serving/gateway/main.ts runs as a
 * process, and what the local platform hosts itself when scoring is in process.
 */
export function createScoringGateway(options: { s3: S3Client; log: Log; accountId?: string; region?: string }): ScoringGateway {
  const deps = {
    registry: new InMemoryEndpointRegistry(),
    models: new ModelCache(s3ModelLoader(options.s3)),
    capture: s3ShadowCapture(options.s3),
    log: options.log,
    accountId: options.accountId,
    region: options.region,
  };
  const invoke = createInvokeEndpoint(deps);
  return { app: createGatewayApp(deps, invoke), invoke, handler: new InProcessGatewayHandler(() => invoke) };
}
