import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../core/adapters/aws-clients';
import { readSettings } from '../../core/config/settings';
import type { LinearModelArtifact } from '../../serving/runtimes/linear-model-artifact';
import { runHttpLoad } from '../drivers/http-load';
import { required, type Scenario } from './scenario';

/** GET /ping on the scoring gateway: the floor of any HTTP scenario on this machine (hono on node, no work). */
export const scoringPing: Scenario = {
  name: 'scoring-ping',
  measures: 'GET /ping on the local scoring gateway: bare node + hono HTTP round trip, no work behind it',
  requires: ['scoring'],
  defaults: { connections: 8, durationSeconds: 10, warmupSeconds: 3 },
  run: ({ target, load, report, window }) => runHttpLoad({ title: 'scoring-ping', url: `${required(target, 'scoringEndpoint')}/ping` }, load, report, window),
};

const FEATURES = 20;

/**
 * InvokeEndpoint on the local gateway with a 20-feature logistic model and
 * one CSV row per request, the real-time scoring path without the API in
 * front. Requests are unsigned: the gateway, like the other stand-ins, does
 * not check signatures, and signing would measure the client instead.
 */
export const scoringInvoke: Scenario = {
  name: 'scoring-invoke',
  measures: 'POST /endpoints/{name}/invocations on the local gateway: one CSV row, 20-feature logistic model',
  requires: ['s3', 'scoring'],
  defaults: { connections: 8, durationSeconds: 10, warmupSeconds: 3 },
  async run({ target, load, report, window }) {
    const scoring = required(target, 'scoringEndpoint');
    const { s3 } = createAwsClients(readSettings({ STEWARD_MODE: 'local', STEWARD_S3_ENDPOINT: required(target, 's3Endpoint') }));
    const unique = randomUUID().slice(0, 8);
    const bucket = `steward-bench-${unique}`;
    const endpointName = `bench-${unique}`;
    const features = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
    const model: LinearModelArtifact = {
      format: 'steward-linear-model/v1',
      kind: 'logistic',
      features,
      coefficients: features.map((_, i) => (i % 2 ? 0.1 : -0.1) * (i + 1)),
      intercept: 0.2,
      standardization: { mean: features.map(() => 0.5), scale: features.map(() => 0.25) },
    };
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'model.json', Body: JSON.stringify(model), ContentType: 'application/json' }));
      const registered = await fetch(`${scoring}/local/endpoints/${endpointName}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ productionVariants: [{ variantName: 'main', model: { runtime: 'linear', artifactUri: `s3://${bucket}/model.json` } }] }),
      });
      if (registered.status !== 201) throw new Error(`registering the bench endpoint failed: ${registered.status} ${await registered.text()}`);
      const row = features.map((_, i) => ((i * 37) % 100) / 100).join(',');
      const measurement = await runHttpLoad(
        {
          title: 'scoring-invoke',
          url: `${scoring}/endpoints/${endpointName}/invocations`,
          method: 'POST',
          headers: { 'content-type': 'text/csv', accept: 'application/json' },
          body: row,
        },
        load,
        report,
        window,
      );
      return { ...measurement, notes: { features: FEATURES, rowsPerRequest: 1, runtime: 'linear' } };
    } finally {
      await fetch(`${scoring}/local/endpoints/${endpointName}`, { method: 'DELETE' }).catch(() => undefined);
      s3.destroy();
    }
  },
};
