import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import type { IoSchema } from '../../../core/catalog/artifacts/io-schema';
import { ArtifactChecksumMismatch } from '../../../serving/artifacts/artifact-errors';
import { writeExportBundle, packExportBundle, type ExportManifest } from '../../../serving/export/export-bundle';
import { buildServerBundle, type ServerBundle } from '../../../serving/export/server-bundle';
import { encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { treeEnsembleClassifier, walkTree, type TreeNode } from '../../fixtures/artifacts/build-tree-ensemble';
import { pointsScorecard } from '../../fixtures/artifacts/points-scorecard';

/**
 * The serving container as it ships: serving/container/server.ts bundled by
 * esbuild and run by plain node as a child process, outside the repository,
 * on a free port. First as the container (a model directory, runtime told by
 * its files), then as an exported bundle unpacked from its .tar.gz.
 */

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-serving-'));
  dirs.push(dir);
  return dir;
}

/** Starts `node server.js` in `cwd` and waits until /ping answers 200 (or the process exits). */
async function start(cwd: string, env: Record<string, string>): Promise<{ url: string; stderr: () => string }> {
  const port = await freePort();
  let stderr = '';
  const child = spawn(process.execPath, ['server.js'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SAGEMAKER_BIND_TO_PORT: String(port),
      STEWARD_BIND_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`))));
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${url}/ping`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no /ping answer: ${stderr}`);
  })();
  await Promise.race([ready, exited]);
  return { url, stderr: () => stderr };
}

let bundle: ServerBundle;
beforeAll(async () => {
  bundle = await buildServerBundle();
});

describe('the serving container bundle', () => {
  it('builds with esbuild and, run with node, answers /ping and scores a model directory whose runtime it tells from the files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'server.js'), bundle.code);
    await mkdir(join(dir, 'model'));
    await writeFile(join(dir, 'model', 'scorecard.json'), encodeJson(pointsScorecard()));
    const { url } = await start(dir, { SM_MODEL_DIR: join(dir, 'model') });
    expect((await fetch(`${url}/ping`)).status).toBe(200);
    expect(await (await fetch(`${url}/execution-parameters`)).json()).toMatchObject({ BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 });
    const res = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      body: 'age,income,home,delinquent\n30,70000,rent,false\n',
    });
    expect(res.status).toBe(200);
    expect((await res.text()).split(',')[0]).toBe('580');
    const refused = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"age":30,"income":"lots","home":"own","delinquent":false}',
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe(`row 1, field 'income': expected a finite number (double), got "lots"`);
    const tooBig = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    expect(tooBig.status).toBe(413);
  });

  it('refuses to start when the model does not have the expected SHA-256', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'server.js'), bundle.code);
    await writeFile(join(dir, 'scorecard.json'), encodeJson(pointsScorecard()));
    await expect(start(dir, { SM_MODEL_DIR: dir, STEWARD_MODEL_SHA256: '0'.repeat(64) })).rejects.toThrow(/ArtifactChecksumMismatch|not the expected 0{64}/);
  });
});

const TREES: TreeNode[] = [
  { feature: 0, threshold: 0.5, yes: { leaf: [0.5, 0, 0] }, no: { feature: 1, threshold: 2, yes: { leaf: [0, 0.5, 0] }, no: { leaf: [0, 0.1, 0.4] } } },
  { feature: 2, threshold: 10, yes: { leaf: [0.3, 0.2, 0] }, no: { leaf: [0, 0.1, 0.4] } },
];
const LABELS = ['low', 'mid', 'high'];
const IO: IoSchema = {
  inputs: [
    { name: 'utilization', type: 'float' },
    { name: 'delinquencies', type: 'int' },
    { name: 'months', type: 'float' },
  ],
  outputs: [{ name: 'output_label', type: 'category' }],
};

describe('portable export bundle', () => {
  it('exports an ONNX version as a folder and a .tar.gz that runs with `node server.js` elsewhere and scores through /invocations', async () => {
    const artifact = treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: true });
    const sha256 = createHash('sha256').update(artifact).digest('hex');
    const out = await tempDir();
    const manifest = await writeExportBundle(join(out, 'bundle'), {
      runtime: 'onnx',
      artifact,
      ioSchema: IO,
      sha256,
      model: { name: 'risk-band', version: 4 },
      serverBundle: bundle,
      platforms: [`${process.platform}/${process.arch}`],
    });
    expect(manifest).toMatchObject({
      format: 'steward-export/v1',
      runtime: 'onnx',
      ioSchema: IO,
      artifact: { file: 'model/model.onnx', sha256 },
      server: { sha256: bundle.sha256 },
    });
    await packExportBundle(join(out, 'bundle'), join(out, 'bundle.tar.gz'));

    const elsewhere = await tempDir();
    await tar.x({ file: join(out, 'bundle.tar.gz'), cwd: elsewhere });
    const unpacked = JSON.parse(await readFile(join(elsewhere, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(
      createHash('sha256')
        .update(await readFile(join(elsewhere, unpacked.artifact.file)))
        .digest('hex'),
    ).toBe(sha256);
    expect(
      createHash('sha256')
        .update(await readFile(join(elsewhere, 'server.js')))
        .digest('hex'),
    ).toBe(unpacked.server.sha256);
    expect(await readFile(join(elsewhere, 'README.md'), 'utf8')).toContain(unpacked.run);
    expect(await readFile(join(elsewhere, 'Dockerfile'), 'utf8')).toContain('ENTRYPOINT ["node", "/opt/steward/server.js"]');

    // The README's command, as its reader would type it (the port made free for the test).
    const { url } = await start(elsewhere, { SM_MODEL_DIR: 'model' });
    const rows = [
      [0, 1, 5],
      [1, 3, 20],
      [0.9, 2, 10],
    ];
    const res = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: rows.map(([utilization, delinquencies, months]) => ({ utilization, delinquencies, months })) }),
    });
    expect(res.status).toBe(200);
    const { predictions } = (await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] };
    rows.forEach((row, i) => {
      const sums = [0, 0, 0];
      for (const tree of TREES) walkTree(tree, row).forEach((w, c) => (sums[c] += w));
      expect(predictions[i].label).toBe(LABELS[sums.indexOf(Math.max(...sums))]);
      LABELS.forEach((label, c) => expect(predictions[i].probabilities[label]).toBeCloseTo(sums[c], 6));
    });
  });

  it('refuses to export bytes that do not have the catalog hash', async () => {
    const artifact = treeEnsembleClassifier({ features: 3, labels: LABELS, trees: TREES, zipMap: false });
    await expect(
      writeExportBundle(join(await tempDir(), 'b'), { runtime: 'onnx', artifact, ioSchema: IO, sha256: 'f'.repeat(64), serverBundle: bundle }),
    ).rejects.toThrow(ArtifactChecksumMismatch);
  });
});
