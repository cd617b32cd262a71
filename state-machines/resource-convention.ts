/**
 * The contract between the ASL files, the step modules and the CDK stack:
 * a Task state's `Resource` is `${<PascalCaseStep>FunctionArn}` (direct Lambda
 * invocation, no Payload wrapping), the step lives in
 * `functions/pipeline-steps/<kebab-case-step>.ts`, and the CDK stack fills the
 * placeholder through DefinitionSubstitutions with that function's ARN.
 */
const PLACEHOLDER = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/;

/** `${TrainModelFunctionArn}` → `train-model`; undefined when the resource does not follow the convention. */
export function stepNameOfResource(resource: unknown): string | undefined {
  if (typeof resource !== 'string') return undefined;
  const match = PLACEHOLDER.exec(resource);
  if (!match) return undefined;
  return match[1].replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
}

/** `train-model` → `${TrainModelFunctionArn}`. */
export function resourceOfStep(stepName: string): string {
  const pascal = stepName
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `\${${pascal}FunctionArn}`;
}

/** The placeholder's substitution key as CDK's DefinitionSubstitutions names it: `TrainModelFunctionArn`. */
export function substitutionKeyOfStep(stepName: string): string {
  return resourceOfStep(stepName).slice(2, -1);
}

/** Where the step's code lives, relative to the repository root (the CDK stack bundles this file). */
export function stepModulePath(stepName: string): string {
  return `functions/pipeline-steps/${stepName}.ts`;
}

/**
 * A syntactically valid Lambda ARN standing in for the placeholder locally, so
 * the interpreter's own ARN validation stays on; the local runner never calls it.
 */
export function localFunctionArn(stepName: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:steward-${stepName}`;
}

export type JsonObject = { [key: string]: unknown };

export interface StateVisit {
  readonly name: string;
  readonly state: JsonObject;
  /** Dotted location for messages, e.g. `States.Fan.ItemProcessor.States.Score`. */
  readonly path: string;
}

export interface MachineVisit {
  readonly machine: JsonObject;
  readonly path: string;
  readonly states: StateVisit[];
}

/** Every (sub-)state machine of a definition: the top level, Parallel branches, Map iterators and item processors. */
export function machinesOf(definition: JsonObject, path = ''): MachineVisit[] {
  const states = isObject(definition.States) ? definition.States : {};
  const here: StateVisit[] = Object.entries(states)
    .filter((entry): entry is [string, JsonObject] => isObject(entry[1]))
    .map(([name, state]) => ({ name, state, path: `${path}States.${name}` }));
  const nested: MachineVisit[] = [];
  for (const visit of here) {
    const { state } = visit;
    if (Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, i) => {
        if (isObject(branch)) nested.push(...machinesOf(branch, `${visit.path}.Branches.${i}.`));
      });
    }
    for (const field of ['Iterator', 'ItemProcessor'] as const) {
      const sub = state[field];
      if (isObject(sub)) nested.push(...machinesOf(sub, `${visit.path}.${field}.`));
    }
  }
  return [{ machine: definition, path, states: here }, ...nested];
}

/**
 * Step Functions' SageMaker service integrations: the optimized ones
 * (`arn:aws:states:::sagemaker:createModel`, `…:createTransformJob.sync`) and
 * the AWS SDK ones (`arn:aws:states:::aws-sdk:sagemaker:describeEndpoint`).
 * They need no substitution; locally the runner hands them to
 * local-sagemaker-integration.ts.
 */
const SAGEMAKER_INTEGRATION = /^arn:aws:states:::(sagemaker|aws-sdk:sagemaker):([a-z][A-Za-z]*)(\.sync|\.waitForTaskToken)?$/;

export interface SageMakerIntegration {
  /** `optimized` for `sagemaker:…`, `sdk` for `aws-sdk:sagemaker:…`. */
  readonly kind: 'optimized' | 'sdk';
  /** The API action in camelCase, e.g. `createEndpointConfig`. */
  readonly action: string;
  /** `.sync` (run a job to completion), `.waitForTaskToken`, or none. */
  readonly pattern: 'request-response' | 'sync' | 'wait-for-task-token';
}

/** `arn:aws:states:::sagemaker:createModel` → `{ kind: 'optimized', action: 'createModel', … }`; undefined for anything else. */
export function sageMakerIntegrationOf(resource: unknown): SageMakerIntegration | undefined {
  if (typeof resource !== 'string') return undefined;
  const match = SAGEMAKER_INTEGRATION.exec(resource);
  if (!match) return undefined;
  return {
    kind: match[1] === 'sagemaker' ? 'optimized' : 'sdk',
    action: match[2],
    pattern: match[3] === '.sync' ? 'sync' : match[3] === '.waitForTaskToken' ? 'wait-for-task-token' : 'request-response',
  };
}

/** A deep copy with every conventional Task resource replaced by `localFunctionArn`. */
export function withLocalResources<T>(definition: T): T {
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  for (const { states } of machinesOf(copy as JsonObject)) {
    for (const { state } of states) {
      const step = state.Type === 'Task' ? stepNameOfResource(state.Resource) : undefined;
      if (step) state.Resource = localFunctionArn(step);
    }
  }
  return copy;
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
