/**
 * CPU per call of a loaded model's `invoke` (the runtime's part of a scoring
 * request: parse and validate the body, run the model, the answer), in
 * process, for the `scoring-api` scenario's model and row: 8 callers at once,
 * as the bench's 8 connections, so calls interleave as in the API.
 *
 *   npx tsx bench/tools/model-invoke-costs.ts [--calls 20000] [--rounds 9] [--base <checkout>]
 *
 * `--base <checkout>`: another copy of the repository, whose runtime is
 * loaded beside this one's; rounds alternate the two (which goes first too)
 * and the per-round differences are printed. µs of process CPU per call,
 * median of the rounds.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SCORING_IO_SCHEMA, scoringModelOnnx, scoringRow } from '../support/scoring-endpoint';

interface Invocable {
  invoke(body: Uint8Array, contentType: string | undefined, accept: string | undefined): Promise<{ readonly body: Uint8Array; readonly predictions?: unknown }>;
}

async function loadFrom(root: string): Promise<Invocable> {
  const url = (path: string) => pathToFileURL(join(root, path)).href;
  const { onnxRuntime, ONNX_MODEL_FILE } = (await import(url('serving/runtimes/onnx-runtime.ts'))) as typeof import('../../serving/runtimes/onnx-runtime');
  const { singleFileArtifact } = (await import(url('serving/artifacts/model-artifacts.ts'))) as typeof import('../../serving/artifacts/model-artifacts');
  return onnxRuntime.load(singleFileArtifact('s3://bench/model.onnx', ONNX_MODEL_FILE, scoringModelOnnx()), { ioSchema: SCORING_IO_SCHEMA });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '9' },
      base: { type: 'string' },
      body: { type: 'boolean', default: false },
    },
  });
  const calls = Number(values.calls);
  const rounds = Number(values.rounds);
  const sides: [string, Invocable][] = [];
  if (values.base) sides.push(['base', await loadFrom(resolve(values.base))]);
  sides.push(['this', await loadFrom(resolve(__dirname, '..', '..'))]);
  const request = new TextEncoder().encode(JSON.stringify([scoringRow()]));
  const samples = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const [name, model] of round % 2 ? [...sides].reverse() : sides) {
      let left = calls;
      const started = process.cpuUsage();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (left-- > 0) {
            const answer = await model.invoke(request, 'application/json', 'application/json');
            // --body: read the body as a transport would (the HTTP route, the SDK); otherwise only the values, as the API's direct path does.
            if (values.body || !answer.predictions) void answer.body.byteLength;
          }
        }),
      );
      const used = process.cpuUsage(started);
      if (round > 0) samples.get(name)!.push((used.user + used.system) / calls);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  process.stdout.write(`CPU per invoke (µs, median of ${rounds} rounds of ${calls}, 8 callers):\n`);
  for (const [name, xs] of samples)
    process.stdout.write(`  ${name.padEnd(5)} ${median(xs).toFixed(2).padStart(7)}   rounds ${xs.map((x) => x.toFixed(1)).join(' ')}\n`);
  if (sides.length === 2) {
    const base = samples.get('base')!;
    const diffs = samples.get('this')!.map((x, i) => x - base[i]);
    process.stdout.write(`  this − base: median ${median(diffs).toFixed(2)} µs   rounds ${diffs.map((x) => x.toFixed(1)).join(' ')}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
