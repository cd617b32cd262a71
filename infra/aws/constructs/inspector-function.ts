import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_PATHS } from '../project-paths';
import { StewardFunction } from './steward-function';

export interface InspectorFunctionProps {
  /** onnxruntime-node, for the ONNX load and smoke run. @default - none (template-only synths) */
  readonly layers?: lambda.ILayerVersion[];
  /** @default 2048 */
  readonly memorySize?: number;
  /**
   * Longer than the largest job's own wall clock (core/inspection/inspection-limits.ts:
   * a 1 GiB dataset gets 168 s), so the handler answers ordinary overruns
   * itself; only native work that never yields runs into this.
   *
   * @default Duration.minutes(3)
   */
  readonly timeout?: Duration;
  /** At most this many files are inspected at once, all tenants together. @default 10 */
  readonly reservedConcurrency?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default true */
  readonly bundle?: boolean;
}

/**
 * functions/inspector/handler.ts: where untrusted uploads (ONNX models,
 * dataset files) are read and checked on AWS, never in the API function
 * (issue 14). A hostile file costs this function's memory and time, bounded
 * by its own settings and a reserved concurrency cap, not the API's.
 *
 * Its role grants no data access at all (no S3, DynamoDB, KMS or STS): the
 * job carries a presigned GET URL for the one object, which is the function's
 * whole reach. It gets no environment beyond its own runtime settings; the
 * role holds only what every Steward function has (its log group, X-Ray).
 */
export class InspectorFunction extends Construct {
  readonly fn: StewardFunction;

  constructor(scope: Construct, id: string, props: InspectorFunctionProps = {}) {
    super(scope, id);
    this.fn = new StewardFunction(this, 'Function', {
      entry: PROJECT_PATHS.inspectorHandler,
      description: 'Steward inspector: reads one untrusted upload through a presigned URL (ONNX check, dataset profile)',
      memorySize: props.memorySize ?? 2048,
      timeout: props.timeout ?? Duration.minutes(3),
      layers: props.layers,
      logRetention: props.logRetention,
      bundle: props.bundle,
    });
    const cfn = this.fn.function.node.defaultChild as lambda.CfnFunction;
    cfn.reservedConcurrentExecutions = props.reservedConcurrency ?? 10;
  }

  /** Allows `grantee` to invoke exactly this function (its unqualified ARN), and nothing else. */
  grantInvoke(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.fn.function.functionArn] });
  }

  /** What awsPlatform() reads to send inspections here. */
  environment(): Record<string, string> {
    return { STEWARD_INSPECTOR_FUNCTION: this.fn.function.functionName };
  }
}
