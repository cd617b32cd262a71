import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import type { IoSchema } from '../../core/catalog/artifacts/io-schema';
import { ArtifactChecksumMismatch } from '../artifacts/artifact-errors';
import { sha256Hex, singleFileArtifact } from '../artifacts/model-artifacts';
import { MODEL_DESCRIPTOR_FILE, type ModelDescriptor } from '../container/model-directory';
import { loadModel } from '../runtimes/load-model';
import { runtimeFor, type ModelRuntimeKind } from '../runtimes/runtime-catalog';
import { buildServerBundle, type ServerBundle } from './server-bundle';

/** The `format` of an export bundle's manifest.json. */
export const EXPORT_FORMAT = 'steward-export/v1';

export interface ExportRequest {
  readonly runtime: ModelRuntimeKind;
  /** The version's artifact: the runtime's main file (model.onnx, rules.json, scorecard.json, model.json). */
  readonly artifact: Uint8Array;
  readonly ioSchema: IoSchema;
  /** The catalog's SHA-256 of the artifact; the export is refused if the bytes differ. */
  readonly sha256: string;
  /** Named in the manifest and the README. */
  readonly model?: { readonly id?: string; readonly name?: string; readonly version?: number };
  /** A bundle built ahead (at deploy time, where esbuild is); built here with esbuild when absent. */
  readonly serverBundle?: ServerBundle;
  /**
   * `platform/arch` pairs whose onnxruntime binaries an ONNX bundle carries.
   * @default this machine's, and linux/x64 (what `docker build` on the usual host produces)
   */
  readonly platforms?: readonly string[];
  readonly now?: () => Date;
}

export interface ExportManifest {
  readonly format: typeof EXPORT_FORMAT;
  readonly createdAt: string;
  readonly model?: ExportRequest['model'];
  readonly runtime: ModelRuntimeKind;
  readonly ioSchema: IoSchema;
  readonly artifact: { readonly file: string; readonly sha256: string; readonly bytes: number };
  readonly server: { readonly file: 'server.js'; readonly sha256: string; readonly node: string; readonly externals: readonly string[] };
  /** The one command that serves the bundle from its folder. */
  readonly run: string;
}

const RUN = 'SM_MODEL_DIR=model SAGEMAKER_BIND_TO_PORT=8080 STEWARD_BIND_HOST=127.0.0.1 node server.js';

/** The folder of an installed package (its package.json's), found from its entry file. */
async function packageRoot(name: string, from?: string): Promise<string> {
  let dir = dirname(require.resolve(name, from ? { paths: [from] } : undefined));
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // not this folder
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
}

/** onnxruntime-node without the binaries of other platforms (≈ 50 MB each), and its one runtime dependency. */
async function copyOnnxRuntime(target: string, platforms: readonly string[]): Promise<void> {
  const ort = await packageRoot('onnxruntime-node');
  const common = await packageRoot('onnxruntime-common', ort);
  const ortTarget = join(target, 'node_modules', 'onnxruntime-node');
  await mkdir(ortTarget, { recursive: true });
  await cp(join(ort, 'package.json'), join(ortTarget, 'package.json'));
  await cp(join(ort, 'dist'), join(ortTarget, 'dist'), { recursive: true });
  for (const platform of new Set(platforms)) {
    const from = join(ort, 'bin', 'napi-v6', platform);
    await cp(from, join(ortTarget, 'bin', 'napi-v6', platform), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      throw new Error(`onnxruntime-node has no binaries for ${platform}`);
    });
  }
  await cp(common, join(target, 'node_modules', 'onnxruntime-common'), { recursive: true, filter: (src) => !src.includes(`${join(common, 'node_modules')}`) });
}

function dockerfile(): string {
  return [
    '# Serves this bundle on :8080 with the SageMaker container contract (GET /ping, POST /invocations).',
    '#   docker build -t steward-model . && docker run -p 8080:8080 steward-model',
    'FROM node:22-slim',
    'ENV NODE_ENV=production \\',
    '    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \\',
    '    SAGEMAKER_BIND_TO_PORT=8080 \\',
    '    STEWARD_BIND_HOST=0.0.0.0 \\',
    '    SM_MODEL_DIR=/opt/steward/model',
    'WORKDIR /opt/steward',
    'COPY . .',
    'USER node',
    'EXPOSE 8080',
    'ENTRYPOINT ["node", "/opt/steward/server.js"]',
    '',
  ].join('\n');
}

function readme(manifest: ExportManifest): string {
  const title = manifest.model?.name ? `${manifest.model.name}${manifest.model.version !== undefined ? ` v${manifest.model.version}` : ''}` : 'Model';
  const example = Object.fromEntries(
    manifest.ioSchema.inputs.map((f) => [
      f.name,
      f.shape ? [] : f.type === 'bool' ? false : f.type === 'category' ? (f.allowed?.[0] ?? 'value') : f.type === 'string' ? 'text' : 0,
    ]),
  );
  return [
    `# ${title}: Steward serving bundle`,
    '',
    `A self-contained scoring server for one model (${manifest.runtime} runtime). Needs Node.js ${manifest.server.node} — or Docker.`,
    '',
    '## Run',
    '',
    '```sh',
    RUN,
    '# or',
    'docker build -t steward-model . && docker run -p 8080:8080 steward-model',
    '```',
    '',
    '## Score',
    '',
    '```sh',
    'curl -s localhost:8080/ping',
    `curl -s localhost:8080/invocations -H 'content-type: application/json' -d '${JSON.stringify({ instances: [example] })}'`,
    `curl -s localhost:8080/invocations -H 'content-type: text/csv' -H 'accept: text/csv' --data-binary @rows.csv   # header: ${manifest.ioSchema.inputs.map((f) => f.name).join(',')}`,
    '```',
    '',
    'Bodies up to 6 MiB: JSON `{"instances": [...]}`, `{"columns": {...}}` or CSV with a header.',
    '',
    '## Inputs',
    '',
    '| field | type |',
    '|---|---|',
    ...manifest.ioSchema.inputs.map(
      (f) => `| ${f.name} | ${f.type}${f.shape ? ` ${JSON.stringify(f.shape)}` : ''}${f.allowed ? ` (${f.allowed.join(', ')})` : ''} |`,
    ),
    '',
    '## Integrity',
    '',
    `The server refuses to start unless \`${manifest.artifact.file}\` has SHA-256 \`${manifest.artifact.sha256}\` (recorded in \`model/${MODEL_DESCRIPTOR_FILE}\`).`,
    `\`server.js\` has SHA-256 \`${manifest.server.sha256}\`. Both are in \`manifest.json\`.`,
    '',
  ].join('\n');
}

/**
 * Writes a portable serving bundle for one model version into `dir`:
 *
 * ```
 * server.js                      the serving container, one esbuild bundle
 * model/<main file>              the artifact, byte for byte
 * model/steward-model.json       runtime, io schema, sha256 (checked at start)
 * node_modules/onnxruntime-*     ONNX only: the native runtime, for the listed platforms
 * manifest.json                  format, runtime, schema, checksums, the run command
 * Dockerfile, README.md
 * ```
 *
 * The model is loaded once here first, so a bundle that cannot serve is never written.
 *
 * @example
 * const manifest = await writeExportBundle('exports/churn-v3', {
 *   runtime: 'onnx', artifact: bytes, ioSchema: version.ioSchema, sha256: version.artifact.sha256,
 *   model: { name: 'churn', version: 3 },
 * });
 * const tarGz = await packExportBundle('exports/churn-v3');
 * @throws ArtifactChecksumMismatch, InvalidArtifact
 */
export async function writeExportBundle(dir: string, request: ExportRequest): Promise<ExportManifest> {
  const runtime = runtimeFor(request.runtime);
  const actual = sha256Hex(request.artifact);
  if (actual !== request.sha256.toLowerCase()) throw new ArtifactChecksumMismatch(`export of ${runtime.modelFile}`, request.sha256, actual);
  const check = await loadModel({
    runtime: request.runtime,
    artifact: singleFileArtifact(runtime.modelFile, runtime.modelFile, request.artifact),
    ioSchema: request.ioSchema,
  });
  await check.release();

  const server = request.serverBundle ?? (await buildServerBundle());
  await mkdir(join(dir, 'model'), { recursive: true });
  await writeFile(join(dir, 'server.js'), server.code);
  await writeFile(join(dir, 'model', runtime.modelFile), request.artifact);
  const descriptor: ModelDescriptor = { runtime: request.runtime, ioSchema: request.ioSchema, sha256: actual };
  await writeFile(join(dir, 'model', MODEL_DESCRIPTOR_FILE), JSON.stringify(descriptor, null, 2) + '\n');
  const externals: string[] = [];
  if (request.runtime === 'onnx') {
    await copyOnnxRuntime(dir, request.platforms ?? [`${process.platform}/${process.arch}`, 'linux/x64']);
    externals.push('onnxruntime-node');
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    createdAt: (request.now?.() ?? new Date()).toISOString(),
    ...(request.model ? { model: request.model } : {}),
    runtime: request.runtime,
    ioSchema: request.ioSchema,
    artifact: { file: `model/${runtime.modelFile}`, sha256: actual, bytes: request.artifact.byteLength },
    server: { file: 'server.js', sha256: server.sha256, node: '>=20', externals },
    run: RUN,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(join(dir, 'Dockerfile'), dockerfile());
  await writeFile(join(dir, 'README.md'), readme(manifest));
  return manifest;
}

/**
 * The bundle folder as one `.tar.gz` (paths relative to the folder), written to `file`.
 *
 * @example
 * await packExportBundle('exports/churn-v3', 'exports/churn-v3.tar.gz');
 */
export async function packExportBundle(dir: string, file: string): Promise<void> {
  await tar.c({ gzip: true, cwd: dir, file, portable: true }, ['.']);
}
