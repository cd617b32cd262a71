import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { type AslDefinition, InvalidAslDefinition, listAslFiles, readAslDefinition } from '../asl-definition';
import { withDistributedMaps } from '../distributed-map';
import { iam5ResourceFinding } from '../nag-findings';
import { PROJECT_PATHS } from '../project-paths';
import { StewardFunction } from './steward-function';

export interface PipelinesProps {
  /**
   * Directory whose `*.asl.json` files become state machines, one each.
   *
   * @default - `state-machines/` at the project root
   */
  readonly stateMachinesDir?: string;
  /**
   * Directory holding `<kebab-case-step>.ts` handler modules for the steps.
   *
   * @default - `functions/pipeline-steps/` at the project root
   */
  readonly stepsDir?: string;
  /**
   * Prefix of every state machine name: `<prefix>-<pipeline>`. Stamping a
   * second (e.g. siloed tenant) stack in one account needs another prefix.
   *
   * @default 'steward'
   */
  readonly namePrefix?: string;
  /**
   * Environment of every step function (table, bucket, mode, log level).
   *
   * @default - none
   */
  readonly stepEnvironment?: Readonly<Record<string, string>>;
  /** @default Duration.minutes(5) */
  readonly stepTimeout?: Duration;
  /** @default 1024 */
  readonly stepMemorySize?: number;
  /** Layers of every step function. @default - none */
  readonly stepLayers?: lambda.ILayerVersion[];
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Bundle step handlers with esbuild; `false` deploys a stand-in (tests).
   *
   * @default true
   */
  readonly bundleFunctions?: boolean;
  /**
   * Map states to deploy as Distributed Maps, by pipeline name (see
   * infra/aws/distributed-map.ts); a pipeline not in this folder is ignored.
   *
   * @default - none: every definition deploys verbatim
   */
  readonly distributedMaps?: Readonly<Record<string, readonly string[]>>;
  /** Child executions at once for each Distributed Map. @default 100 */
  readonly distributedMapConcurrency?: number;
}

/**
 * One Step Functions state machine per ASL file, running the same JSON the
 * local runner runs. Each `${<Step>FunctionArn}` placeholder becomes a Lambda
 * function built from `functions/pipeline-steps/<step>.ts`, shared by every
 * definition that names the step, and is filled in by CloudFormation through
 * DefinitionSubstitutions, so the deployed DefinitionString is the file itself.
 */
export class Pipelines extends Construct {
  /** Pipeline name (file name without `.asl.json`) -> state machine. */
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  /** Pipeline name -> state machine name (`<prefix>-<pipeline>`). */
  readonly stateMachineNames: ReadonlyMap<string, string>;
  /** PascalCase step name -> its function. */
  readonly stepFunctions: ReadonlyMap<string, StewardFunction>;
  /**
   * The one role every step runs as. Steps need identical permissions (the
   * tenant's data comes through a tenant session), and one role keeps the
   * tenant role's trust policy the same size however many steps there are.
   */
  readonly stepsRole: iam.Role;
  /** The definitions the state machines were built from, in file-name order. */
  readonly definitions: readonly AslDefinition[];

  constructor(scope: Construct, id: string, props: PipelinesProps = {}) {
    super(scope, id);
    const stepsDir = props.stepsDir ?? PROJECT_PATHS.pipelineSteps;
    const namePrefix = props.namePrefix ?? 'steward';
    this.definitions = listAslFiles(props.stateMachinesDir ?? PROJECT_PATHS.stateMachines).map(readAslDefinition);
    assertStepModulesExist(this.definitions, stepsDir);

    const steps = new Construct(this, 'Steps');
    this.stepsRole = new iam.Role(this, 'StepsRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${namePrefix}: pipeline steps`,
    });
    const stepFunctions = new Map<string, StewardFunction>();
    const stateMachines = new Map<string, sfn.StateMachine>();
    const stateMachineNames = new Map<string, string>();
    for (const definition of this.definitions) {
      const substitutions: Record<string, string> = {};
      const invoked: StewardFunction[] = [];
      for (const step of definition.steps) {
        let fn = stepFunctions.get(step.name);
        if (!fn) {
          fn = new StewardFunction(steps, step.name, {
            entry: path.join(stepsDir, `${step.moduleName}.ts`),
            description: `Steward pipeline step ${step.moduleName}`,
            role: this.stepsRole,
            memorySize: props.stepMemorySize,
            timeout: props.stepTimeout ?? Duration.minutes(5),
            environment: props.stepEnvironment,
            logRetention: props.logRetention,
            layers: props.stepLayers,
            bundle: props.bundleFunctions,
          });
          stepFunctions.set(step.name, fn);
        }
        substitutions[step.placeholder] = fn.function.functionArn;
        invoked.push(fn);
      }

      const stateMachineName = `${namePrefix}-${definition.pipelineName}`;
      const distributed = props.distributedMaps?.[definition.pipelineName] ?? [];
      const constructId = pascalCase(definition.pipelineName);
      const logGroup = new logs.LogGroup(this, `${constructId}Logs`, {
        // Under /aws/vendedlogs/ Step Functions needs no CloudWatch Logs
        // resource-policy entry per log group (that policy is capped at 5 KB).
        logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        // A retained group with a fixed name would block re-creating the stack.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const stateMachine = new sfn.StateMachine(this, constructId, {
        stateMachineName,
        stateMachineType: sfn.StateMachineType.STANDARD,
        // The file verbatim (not fromFile, which uploads an S3 asset and
        // leaves no DefinitionString to compare with the file).
        definitionBody: sfn.DefinitionBody.fromString(
          distributed.length ? withDistributedMaps(definition.text, distributed, { maxConcurrency: props.distributedMapConcurrency }) : definition.text,
        ),
        definitionSubstitutions: substitutions,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
      for (const fn of invoked) fn.function.grantInvokeLatestVersion(stateMachine);
      if (distributed.length) grantDistributedMapRuns(stateMachine, stateMachineName);
      Validations.of(stateMachine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Step Functions logging (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments) accept no resource-level permissions.',
      });
      stateMachines.set(definition.pipelineName, stateMachine);
      stateMachineNames.set(definition.pipelineName, stateMachineName);
    }
    this.stepFunctions = stepFunctions;
    this.stateMachines = stateMachines;
    this.stateMachineNames = stateMachineNames;
  }

  /** Pipeline name -> state machine ARN (tokens), the value of STEWARD_STATE_MACHINES. */
  stateMachineArns(): Record<string, string> {
    return Object.fromEntries([...this.stateMachines].map(([name, sm]) => [name, sm.stateMachineArn]));
  }

  /**
   * Lets `grantee` start pipelines and follow them: StartExecution and
   * DescribeStateMachine on each state machine, DescribeExecution on its
   * executions.
   */
  grantRun(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    for (const [pipelineName, stateMachine] of this.stateMachines) {
      stateMachine.grantStartExecution(grantee);
      stateMachine.grant(grantee, 'states:DescribeStateMachine');
      // From the literal name rather than the ARN token, so the finding id below is readable and stable.
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.stateMachineNames.get(pipelineName)}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      iam.Grant.addToPrincipal({ grantee, actions: ['states:DescribeExecution'], resourceArns: [executions] });
      Validations.of(grantee).acknowledge({
        id: iam5ResourceFinding(this, executions),
        reason: 'Execution names are chosen at StartExecution time; the wildcard covers executions of this one state machine only.',
      });
    }
  }
}

/**
 * A Distributed Map starts each iteration as a child execution of its own
 * state machine: the machine's role may start itself and follow and stop
 * those children. ARNs are built from the literal name, not the machine's
 * ARN token, which would make the role depend on the machine it belongs to.
 */
function grantDistributedMapRuns(stateMachine: sfn.StateMachine, stateMachineName: string): void {
  const stack = Stack.of(stateMachine);
  const self = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const children = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'DistributedMapStart', actions: ['states:StartExecution'], resources: [self] }));
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'DistributedMapFollow', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [children] }),
  );
  Validations.of(stateMachine.role).acknowledge({
    id: iam5ResourceFinding(stateMachine, children),
    reason: 'Distributed Map child executions are named by Step Functions at run time; the wildcard covers the children of this one state machine only.',
  });
}

/** Fails synth naming every missing handler at once, before any construct is built. */
function assertStepModulesExist(definitions: readonly AslDefinition[], stepsDir: string): void {
  const missing: string[] = [];
  for (const definition of definitions) {
    for (const step of definition.steps) {
      const entry = path.join(stepsDir, `${step.moduleName}.ts`);
      if (!fs.existsSync(entry)) {
        missing.push(
          `  \${${step.placeholder}} in ${path.relative(PROJECT_PATHS.root, definition.file)} needs ${path.relative(PROJECT_PATHS.root, entry)} exporting handler`,
        );
      }
    }
  }
  if (missing.length > 0) {
    throw new InvalidAslDefinition(`pipeline step handlers missing:\n${[...new Set(missing)].join('\n')}`);
  }
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
