import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The serving container as one JavaScript file for node (what serving/Dockerfile builds, and what an export bundle carries). */
export interface ServerBundle {
  readonly code: Uint8Array;
  readonly sha256: string;
}

/**
 * Packages that stay outside the bundle: onnxruntime-node loads a native
 * library from its own folder, so it ships beside server.js in node_modules
 * (the Dockerfile copies it; an export bundle includes it).
 */
export const SERVER_BUNDLE_EXTERNALS = ['onnxruntime-node'] as const;

/**
 * Bundles serving/container/server.ts with esbuild, the same command the
 * Dockerfile runs. esbuild is a build tool (a devDependency): a process that
 * exports without it (a Lambda) passes a bundle built at deploy time instead
 * (`exportBundle({ serverBundle })`).
 *
 * @example
 * const { code, sha256 } = await buildServerBundle();
 * await writeFile('server.js', code);
 */
export async function buildServerBundle(options: { readonly target?: string } = {}): Promise<ServerBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(__dirname, '..', 'container', 'server.ts')],
    bundle: true,
    platform: 'node',
    target: options.target ?? 'node20',
    format: 'cjs',
    external: [...SERVER_BUNDLE_EXTERNALS],
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const code = result.outputFiles[0].contents;
  return { code, sha256: createHash('sha256').update(code).digest('hex') };
}
