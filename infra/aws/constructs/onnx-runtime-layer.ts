import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROJECT_PATHS } from '../project-paths';

/** The module name functions import lazily; esbuild must leave it external (it is a native addon). */
export const ONNX_RUNTIME_MODULE = 'onnxruntime-node';

export interface OnnxRuntimeLayerProps {
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
}

/**
 * onnxruntime-node as a Lambda layer (`/opt/nodejs/node_modules`), with only
 * the Linux binary of the functions' architecture (~25 MB instead of the
 * package's ~290 MB for every platform). esbuild cannot bundle the native
 * addon, so functions keep the module external and resolve it from here.
 * Built by copying from node_modules: no Docker, no network.
 */
export class OnnxRuntimeLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: OnnxRuntimeLayerProps = {}) {
    super(scope, id);
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const arch = architecture.name === lambda.Architecture.ARM_64.name ? 'arm64' : 'x64';
    const runtimeDir = packageDir(ONNX_RUNTIME_MODULE, PROJECT_PATHS.root);
    const commonDir = packageDir('onnxruntime-common', runtimeDir);
    const binaryDir = path.join('bin', 'napi-v6', 'linux', arch);
    if (!fs.existsSync(path.join(runtimeDir, binaryDir))) {
      throw new Error(`${this.node.path}: ${path.join(runtimeDir, binaryDir)} is missing; the ${ONNX_RUNTIME_MODULE} package has no linux-${arch} binary`);
    }
    const version = (JSON.parse(fs.readFileSync(path.join(runtimeDir, 'package.json'), 'utf8')) as { version: string }).version;

    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: `${ONNX_RUNTIME_MODULE} ${version} (linux-${arch})`,
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [architecture],
      code: lambda.Code.fromAsset(runtimeDir, {
        // The package is ~290 MB; name the asset by version instead of hashing it.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: `${ONNX_RUNTIME_MODULE}-${version}-linux-${arch}`,
        bundling: {
          image: DockerImage.fromRegistry('unused-local-bundling-only'),
          local: {
            tryBundle(outputDir: string): boolean {
              const target = path.join(outputDir, 'nodejs', 'node_modules');
              for (const entry of ['package.json', 'dist', binaryDir]) {
                fs.cpSync(path.join(runtimeDir, entry), path.join(target, ONNX_RUNTIME_MODULE, entry), { recursive: true });
              }
              fs.cpSync(commonDir, path.join(target, 'onnxruntime-common'), { recursive: true });
              return true;
            },
          },
        },
      }),
    });
  }
}

/**
 * Where `name` resolves from `fromDir`, as Node finds it (nested or hoisted),
 * walking node_modules up the tree; `require.resolve` cannot, since these
 * packages do not export their package.json.
 */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (looked up from ${fromDir}); run npm install`);
  }
}
