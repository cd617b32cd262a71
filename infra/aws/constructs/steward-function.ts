import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_PATHS } from '../project-paths';
import { ONNX_RUNTIME_MODULE } from './onnx-runtime-layer';

export interface StewardFunctionProps {
  /** Absolute path of the TypeScript module exporting `handler`. */
  readonly entry: string;
  /** Shown in the console; say what the function does. */
  readonly description: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Layers, e.g. OnnxRuntimeLayer for code that loads onnxruntime-node.
   *
   * @default - none
   */
  readonly layers?: lambda.ILayerVersion[];
  /**
   * Bundle `entry` with esbuild at synth. Tests that only look at the
   * template pass `false` to skip the slow part; `entry` is still checked.
   *
   * @default true
   */
  readonly bundle?: boolean;
}

/**
 * A Lambda function the way every Steward function runs: Node.js 22 on arm64,
 * bundled locally by esbuild (no Docker), X-Ray tracing, its own log group
 * with retention, and its own role that may write only to that log group
 * (instead of AWSLambdaBasicExecutionRole, which allows every log group).
 */
export class StewardFunction extends Construct implements iam.IGrantable {
  /** The function's runtime, shared with tests and the bundler target. */
  static readonly RUNTIME = lambda.Runtime.NODEJS_22_X;

  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: StewardFunctionProps) {
    super(scope, id);
    if (!fs.existsSync(props.entry)) {
      throw new Error(`${this.node.path}: handler module ${path.relative(PROJECT_PATHS.root, props.entry)} does not exist`);
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    const bundle = props.bundle ?? true;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: bundle ? 'handler' : 'index.handler',
      code: bundle ? undefined : lambda.Code.fromInline('exports.handler = async () => { throw new Error("synthesized without bundling"); };'),
      description: props.description,
      runtime: StewardFunction.RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      layers: props.layers,
      projectRoot: PROJECT_PATHS.root,
      depsLockFilePath: PROJECT_PATHS.lockFile,
      environment: {
        // Stack traces through the minified bundle point at the TypeScript source.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        logLevel: nodejs.LogLevel.WARNING,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        // Prefer ES modules so esbuild can tree-shake the AWS SDK and hono.
        mainFields: ['module', 'main'],
        // Ship the SDK versions the tests ran against, not the runtime's.
        bundleAwsSDK: true,
        // A native addon esbuild cannot bundle; OnnxRuntimeLayer provides it.
        externalModules: [ONNX_RUNTIME_MODULE],
        // Turn `import('onnxruntime-node')` into require(): ES module resolution
        // ignores NODE_PATH, so an import() could never reach a layer's /opt/nodejs/node_modules.
        esbuildArgs: { '--supported:dynamic-import': 'false' },
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose: the bundle targets node22 and the code is tested on Node 20/22; moving to nodejs24.x is a deliberate upgrade, not an automatic one.',
    });
  }
}
