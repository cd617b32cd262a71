/**
 * What one InvokeEndpoint call costs, split by who pays: the caller's SDK
 * client (serialise, sign, middleware, parse the answer), the HTTP hop, and
 * the scoring gateway (route, body, schema check, onnxruntime, answer). The
 * evidence for the scoring path's client and gateway settings (issue 11).
 *
 *   npx tsx bench/tools/invoke-overhead.ts [--seconds 4] [--rounds 2]
 *
 * A 20-feature ONNX logistic regression (the scoring-api scenario's model) is
 * served by the gateway app (serving/gateway/app.ts) in a child process on a
 * free port. For each client variant: 8 callers, closed loop, one JSON row per
 * call; reports calls/s, the client's CPU per call (process.cpuUsage) and the
 * gateway's (its own process.cpuUsage, asked over IPC). `ONLY=<text>` keeps
 * the variants whose name contains it; `CHILD_PROF=<dir>` writes a V8 CPU
 * profile of the gateway child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import http from 'node:http';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { serve } from '@hono/node-server';
import { sagemakerRuntimeClient } from '../../core/adapters/aws-clients';
import { SCORING_IO_SCHEMA, scoringModelOnnx, scoringRow } from '../support/scoring-endpoint';
import { singleFileArtifact } from '../../serving/artifacts/model-artifacts';
import { createGatewayApp } from '../../serving/gateway/app';
import { endpointConfigSchema, InMemoryEndpointRegistry } from '../../serving/gateway/endpoint-registry';
import { InProcessGatewayHandler } from '../../serving/gateway/in-process-handler';
import { createInvokeEndpoint } from '../../serving/gateway/invoke-endpoint';
import { ModelCache } from '../../serving/gateway/model-cache';
import { loadModel } from '../../serving/runtimes/load-model';
import type { Log } from '../../core/ports/log';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ENDPOINT = 'bench-endpoint';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const silent: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function gatewayApp() {
  const bytes = scoringModelOnnx();
  const ioSchema = SCORING_IO_SCHEMA;
  const registry = new InMemoryEndpointRegistry();
  const models = new ModelCache((model) =>
    loadModel({ runtime: model.runtime, artifact: singleFileArtifact(model.artifactUri, 'model.onnx', bytes), ioSchema: model.ioSchema }),
  );
  const config = endpointConfigSchema.parse({
    productionVariants: [{ variantName: 'AllTraffic', model: { runtime: 'onnx', artifactUri: 's3://bench/model.onnx', ioSchema } }],
  });
  const deps = { registry, models, log: silent };
  const invoke = createInvokeEndpoint(deps);
  return { app: createGatewayApp(deps, invoke), handler: new InProcessGatewayHandler(() => invoke), ready: registry.put(ENDPOINT, config, new Date()) };
}

/** The child: the gateway on a free port, answering its CPU use over IPC. */
async function child(): Promise<void> {
  const { app, ready } = gatewayApp();
  await ready;
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send!({ port: info.port }));
  process.on('message', () => process.send!({ cpu: process.cpuUsage() }));
  process.on('disconnect', () => {
    server.close(() => process.exit(0));
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

/** Answers every request with a canned InvokeEndpoint response: the client's cost alone. */
class CannedHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly answer = new TextEncoder().encode('{"predictions":[{"score":0.5}]}');
  async handle() {
    return {
      response: { statusCode: 200, headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' }, body: this.answer },
    };
  }
  updateHttpClientConfig(): void {}
  httpHandlerConfigs() {
    return {};
  }
  destroy(): void {}
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
function rawPost(port: number, body: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/endpoints/${ENDPOINT}/invocations`,
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.byteLength },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child();
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '4' }, rounds: { type: 'string', default: '2' } } });
  const gateway = fork(__filename, ['--child'], {
    execArgv: ['--import', 'tsx', ...(process.env.CHILD_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.CHILD_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => gateway.once('message', (m: { port: number }) => resolve(m.port)));
  const endpoint = `http://127.0.0.1:${port}`;
  const local = gatewayApp();
  await local.ready;
  const platformClient = (requestHandler?: CannedHandler | InProcessGatewayHandler) =>
    sagemakerRuntimeClient({ region: 'us-east-1', endpoint, credentials: CREDENTIALS, ...(requestHandler ? { requestHandler: requestHandler as never } : {}) });
  const sdkDefaults = (requestHandler?: CannedHandler) =>
    new SageMakerRuntimeClient({
      region: 'us-east-1',
      endpoint,
      credentials: CREDENTIALS,
      ...(requestHandler ? { requestHandler: requestHandler as never } : {}),
    });
  let variants: Array<{ name: string; make: () => SageMakerRuntimeClient | undefined; remote: boolean }> = [
    { name: 'node:http request, no SDK (floor)', make: () => undefined, remote: true },
    { name: 'SDK defaults, canned answer', make: () => sdkDefaults(new CannedHandler()), remote: false },
    { name: 'platform client, canned answer', make: () => platformClient(new CannedHandler()), remote: false },
    { name: 'SDK defaults over HTTP', make: () => sdkDefaults(), remote: true },
    { name: 'platform client over HTTP', make: () => platformClient(), remote: true },
    { name: 'platform client, in process', make: () => platformClient(local.handler), remote: false },
  ];
  if (process.env.ONLY) variants = variants.filter((v) => v.name.includes(process.env.ONLY!));
  const body = new TextEncoder().encode(JSON.stringify([scoringRow()]));
  const seconds = Number(values.seconds);
  process.stdout.write(`8 callers, ${seconds} s per measurement after ${seconds / 2} s warm-up, ${values.rounds} rounds\n`);
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const variant of variants) {
        const client = variant.make();
        const call = !client
          ? () => rawPost(port, body)
          : () =>
              client.send(
                new InvokeEndpointCommand({
                  EndpointName: ENDPOINT,
                  Body: body,
                  ContentType: 'application/json',
                  Accept: 'application/json',
                  InferenceId: 'x',
                }),
              );
        await loop(call, seconds / 2);
        const gw0 = await gatewayCpu(gateway);
        const cpu0 = process.cpuUsage();
        const { calls, elapsed } = await loop(call, seconds);
        const cpu = process.cpuUsage(cpu0);
        const gw = diff(await gatewayCpu(gateway), gw0);
        const perCall = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000 / calls).toFixed(3);
        process.stdout.write(
          `  ${variant.name.padEnd(36)} ${(calls / elapsed).toFixed(0).padStart(6)} calls/s  client CPU ${perCall(cpu)} ms/call${variant.remote ? `  gateway CPU ${perCall(gw)} ms/call` : ''}\n`,
        );
        client?.destroy();
      }
    }
  } finally {
    gateway.disconnect();
  }
}

function gatewayCpu(gateway: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    gateway.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu));
    gateway.send('cpu');
  });
}

const diff = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): NodeJS.CpuUsage => ({ user: a.user - b.user, system: a.system - b.system });

async function loop(op: () => Promise<unknown>, seconds: number): Promise<{ calls: number; elapsed: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < deadline) {
        await op();
        calls++;
      }
    }),
  );
  return { calls, elapsed: (performance.now() - started) / 1000 };
}

void main();
