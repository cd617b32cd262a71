import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ApiFirewall } from '../constructs/api-firewall';
import { StewardApi } from '../constructs/api';
import { ArtifactBucket } from '../constructs/artifact-bucket';
import { grantPlatformData } from '../constructs/data-access';
import { MetadataTable } from '../constructs/metadata-table';
import { OnnxRuntimeLayer } from '../constructs/onnx-runtime-layer';
import { Pipelines } from '../constructs/pipelines';
import { StewardFunction } from '../constructs/steward-function';
import { PROJECT_PATHS } from '../project-paths';

export type StewardLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export interface StewardStackProps extends StackProps {
  /**
   * Bundle every function with esbuild at synth. Template-only tests pass
   * `false`: functions get an inline stand-in, handler modules are still checked.
   *
   * @default true
   */
  readonly bundleFunctions?: boolean;
  /**
   * Prefix of physical names (state machines). A second stack in the same
   * account and region, e.g. a siloed premium tenant, needs its own.
   *
   * @default 'steward'
   */
  readonly namePrefix?: string;
  /** @default - `state-machines/` at the project root */
  readonly stateMachinesDir?: string;
  /** @default - `functions/pipeline-steps/` at the project root */
  readonly pipelineStepsDir?: string;
  /** STEWARD_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: StewardLogLevel;
  /**
   * STEWARD_JWT_ISSUER of the API, which the API requires on AWS. The tenancy
   * work sets it from the Cognito user pool it adds to this stack.
   *
   * @default - unset
   */
  readonly jwtIssuer?: string;
  /** STEWARD_JWKS_URI of the API. @default - unset */
  readonly jwksUri?: string;
  /** STEWARD_JWT_AUDIENCE of the API. @default - unset (the app defaults to 'steward') */
  readonly jwtAudience?: string;
  /** Browser origins allowed to use presigned artifact URLs. @default ['*'] */
  readonly corsAllowedOrigins?: string[];
  /**
   * Put a WAFv2 web ACL in front of the API stage.
   *
   * @default true
   */
  readonly apiFirewall?: boolean;
}

/**
 * Everything Steward runs on in one AWS account and region: the metadata
 * table, the artifact bucket, one state machine per pipeline definition, and
 * the REST API. The same class stamps a siloed tenant's stack.
 */
export class StewardStack extends Stack {
  readonly dataKey: kms.Key;
  /** onnxruntime-node for every function; absent when functions are not bundled. */
  readonly onnxRuntime?: OnnxRuntimeLayer;
  readonly metadata: MetadataTable;
  readonly artifacts: ArtifactBucket;
  readonly pipelines: Pipelines;
  readonly apiFunction: StewardFunction;
  readonly api: StewardApi;

  constructor(scope: Construct, id: string, props: StewardStackProps = {}) {
    super(scope, id, props);
    const namePrefix = props.namePrefix ?? 'steward';

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: `${namePrefix}: encrypts tenant metadata (DynamoDB) and artifacts (S3)`,
      enableKeyRotation: true,
    });
    this.metadata = new MetadataTable(this, 'Metadata', { encryptionKey: this.dataKey });
    this.artifacts = new ArtifactBucket(this, 'Artifacts', {
      encryptionKey: this.dataKey,
      corsAllowedOrigins: props.corsAllowedOrigins,
    });

    const table = this.metadata.table;
    const bucket = this.artifacts.bucket;
    const baseEnvironment: Record<string, string> = {
      STEWARD_MODE: 'aws',
      STEWARD_TABLE_NAME: table.tableName,
      STEWARD_BUCKET_NAME: bucket.bucketName,
      STEWARD_LOG_LEVEL: props.logLevel ?? 'INFO',
    };

    // Only real bundles can load it; template-only synths skip the 25 MB copy.
    this.onnxRuntime = (props.bundleFunctions ?? true) ? new OnnxRuntimeLayer(this, 'OnnxRuntime') : undefined;
    const layers = this.onnxRuntime ? [this.onnxRuntime.layer] : undefined;

    this.pipelines = new Pipelines(this, 'Pipelines', {
      stateMachinesDir: props.stateMachinesDir,
      stepsDir: props.pipelineStepsDir,
      namePrefix,
      stepEnvironment: baseEnvironment,
      stepLayers: layers,
      bundleFunctions: props.bundleFunctions,
    });

    this.apiFunction = new StewardFunction(this, 'ApiFunction', {
      entry: PROJECT_PATHS.apiHandler,
      description: `${namePrefix}: REST API (hono)`,
      // API Gateway gives up on the integration after 29 s.
      timeout: Duration.seconds(29),
      environment: {
        ...baseEnvironment,
        STEWARD_STATE_MACHINES: this.toJsonString(this.pipelines.stateMachineArns()),
        ...definedOnly({
          STEWARD_JWT_ISSUER: props.jwtIssuer,
          STEWARD_JWKS_URI: props.jwksUri,
          STEWARD_JWT_AUDIENCE: props.jwtAudience,
        }),
      },
      layers,
      bundle: props.bundleFunctions,
    });
    this.pipelines.grantRun(this.apiFunction);

    for (const fn of [this.apiFunction, ...this.pipelines.stepFunctions.values()]) {
      grantPlatformData(fn.role, { table, bucket, key: this.dataKey });
    }

    this.api = new StewardApi(this, 'Api', { handler: this.apiFunction.function, apiName: namePrefix });
    if (props.apiFirewall ?? true) {
      new ApiFirewall(this, 'ApiFirewall', { stageArn: this.api.stage.stageArn, metricPrefix: namePrefix });
    } else {
      Validations.of(this.api.stage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'The deployer turned the WAF off (apiFirewall: false); stage throttling still applies.',
      });
    }
  }
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
