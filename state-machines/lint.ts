import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { PIPELINE_STEPS } from '../functions/pipeline-steps/registry';
import {
  isObject,
  type JsonObject,
  machinesOf,
  resourceOfStep,
  sageMakerIntegrationOf,
  stepModulePath,
  stepNameOfResource,
  withLocalResources,
} from './resource-convention';

/**
 * The lint for what runs the same on Step Functions and on
 * aws-local-stepfunctions 3, which silently ignores JSONata, variables and the
 * Distributed Map readers/writers (a definition using them would run locally
 * and do something else), plus this project's Task conventions.
 *
 * Rules:
 * - `no-jsonata`: `QueryLanguage` other than JSONPath, or `{% … %}` expressions.
 * - `unsupported-field`: Arguments, Output, Assign, Variables, ItemReader, ItemBatcher, ResultWriter.
 * - `task-resource`: a Task's Resource must be `${<Step>FunctionArn}` naming a step in functions/pipeline-steps/,
 *   or a SageMaker service integration (`arn:aws:states:::sagemaker:<action>[.sync]`,
 *   `arn:aws:states:::aws-sdk:sagemaker:<action>`), which the local runner answers itself.
 * - `task-context`: a step's Parameters must pass `context` (tenant and actor) to it; a SageMaker
 *   integration's must not (SageMaker refuses parameters it does not know).
 * - `missing-state`: StartAt, Next, Default, Choices[].Next and Catch[].Next must name a state of the same (sub-)machine.
 * - `duplicate-task-name`: Task names must be unique across nested machines (the local runner binds handlers by name).
 * - `engine-validation`: the interpreter's own validation (schema, reachability), run only when the rules above pass.
 */
export type LintRule =
  'not-a-definition' | 'no-jsonata' | 'unsupported-field' | 'task-resource' | 'task-context' | 'missing-state' | 'duplicate-task-name' | 'engine-validation';

export interface LintFinding {
  readonly rule: LintRule;
  /** Where, e.g. `States.TrainModel.Resource`. */
  readonly path: string;
  readonly message: string;
}

export interface LintOptions {
  /** Step names a Task may use; defaults to the steps in functions/pipeline-steps/registry.ts. */
  readonly knownSteps?: Iterable<string>;
}

const UNSUPPORTED_FIELDS = ['Arguments', 'Output', 'Assign', 'Variables', 'ItemReader', 'ItemBatcher', 'ResultWriter'] as const;

export function lintDefinition(asl: unknown, options: LintOptions = {}): LintFinding[] {
  if (!isObject(asl) || !isObject(asl.States) || typeof asl.StartAt !== 'string') {
    return [{ rule: 'not-a-definition', path: '', message: 'a state machine definition is an object with StartAt and States' }];
  }
  const knownSteps = new Set(options.knownSteps ?? Object.keys(PIPELINE_STEPS));
  const findings: LintFinding[] = [];
  findJsonata(asl, '', findings);
  const taskNames = new Map<string, string>();
  for (const { machine, path, states } of machinesOf(asl)) {
    // Only machines, states, choice rules and catchers are checked: in payload templates (Parameters, Result…) `Output` is just data.
    unsupportedFields(machine, path.replace(/\.$/, ''), findings);
    const names = new Set(states.map((s) => s.name));
    const target = (value: unknown, where: string) => {
      if (typeof value !== 'string' || !names.has(value)) {
        findings.push({ rule: 'missing-state', path: where, message: `'${String(value)}' is not a state of this ${path ? 'sub-machine' : 'state machine'}` });
      }
    };
    target(machine.StartAt, `${path}StartAt`);
    for (const { name, state, path: at } of states) {
      unsupportedFields(state, at, findings);
      if ('Next' in state) target(state.Next, `${at}.Next`);
      if ('Default' in state) target(state.Default, `${at}.Default`);
      asArray(state.Choices).forEach((choice, i) => {
        if (isObject(choice)) {
          target(choice.Next, `${at}.Choices.${i}.Next`);
          unsupportedFields(choice, `${at}.Choices.${i}`, findings);
        }
      });
      asArray(state.Catch).forEach((catcher, i) => {
        if (isObject(catcher)) {
          target(catcher.Next, `${at}.Catch.${i}.Next`);
          unsupportedFields(catcher, `${at}.Catch.${i}`, findings);
        }
      });
      if (state.Type === 'Task') {
        lintTask(state, at, knownSteps, findings);
        const earlier = taskNames.get(name);
        if (earlier !== undefined) {
          findings.push({
            rule: 'duplicate-task-name',
            path: at,
            message: `Task '${name}' is also defined at ${earlier}; local handlers are bound by state name`,
          });
        } else taskNames.set(name, at);
      }
    }
  }
  if (findings.length === 0) {
    try {
      new StateMachine(withLocalResources(asl) as unknown as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
    } catch (error) {
      findings.push({ rule: 'engine-validation', path: '', message: (error as Error).message.replace(/\s+/g, ' ').trim() });
    }
  }
  return findings;
}

function lintTask(state: JsonObject, at: string, knownSteps: ReadonlySet<string>, findings: LintFinding[]): void {
  if (sageMakerIntegrationOf(state.Resource)) {
    const parameters = state.Parameters;
    if (isObject(parameters) && ('context' in parameters || 'context.$' in parameters)) {
      findings.push({
        rule: 'task-context',
        path: `${at}.Parameters`,
        message: 'a SageMaker service integration is sent its Parameters as the API request; `context` is not a SageMaker parameter',
      });
    }
    return;
  }
  const step = stepNameOfResource(state.Resource);
  if (!step) {
    findings.push({
      rule: 'task-resource',
      path: `${at}.Resource`,
      message: `'${String(state.Resource)}' does not follow the \${<Step>FunctionArn} convention (direct Lambda ARN of a functions/pipeline-steps/ module) nor is it a SageMaker service integration (arn:aws:states:::sagemaker:<action>, arn:aws:states:::aws-sdk:sagemaker:<action>)`,
    });
  } else if (!knownSteps.has(step) || resourceOfStep(step) !== state.Resource) {
    findings.push({
      rule: 'task-resource',
      path: `${at}.Resource`,
      message: `no pipeline step '${step}' (${stepModulePath(step)}) is registered for ${String(state.Resource)}`,
    });
  }
  const parameters = state.Parameters;
  if (!isObject(parameters) || !('context' in parameters || 'context.$' in parameters)) {
    findings.push({
      rule: 'task-context',
      path: `${at}.Parameters`,
      message: 'a Task must pass `context` (tenantId, actor, executionId) to its step in Parameters',
    });
  }
}

function unsupportedFields(node: JsonObject, at: string, findings: LintFinding[]): void {
  for (const field of UNSUPPORTED_FIELDS) {
    if (field in node) {
      findings.push({
        rule: 'unsupported-field',
        path: at ? `${at}.${field}` : field,
        message: `${field} is not supported by aws-local-stepfunctions 3 (silently ignored locally)`,
      });
    }
  }
}

function findJsonata(node: unknown, at: string, findings: LintFinding[]): void {
  if (typeof node === 'string') {
    if (/^\s*\{%[\s\S]*%\}\s*$/.test(node)) findings.push({ rule: 'no-jsonata', path: at, message: 'JSONata expression ({% … %}); use JSONPath' });
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => findJsonata(item, `${at}.${i}`, findings));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const here = at ? `${at}.${key}` : key;
    if (key === 'QueryLanguage' && value !== 'JSONPath') {
      findings.push({ rule: 'no-jsonata', path: here, message: `QueryLanguage '${String(value)}' is not supported locally; use JSONPath` });
    }
    findJsonata(value, here, findings);
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export interface DefinitionFile {
  /** Pipeline name = file name without `.asl.json`. */
  readonly pipeline: string;
  readonly file: string;
  readonly definition?: JsonObject;
  readonly findings: LintFinding[];
}

/** Reads and lints every `*.asl.json` in a folder, in name order. */
export function loadDefinitionFiles(dir: string, options: LintOptions = {}): DefinitionFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((f) => lintFile(join(dir, f), options));
}

export function lintFile(file: string, options: LintOptions = {}): DefinitionFile {
  const pipeline = basename(file, '.asl.json');
  let definition: unknown;
  try {
    definition = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { pipeline, file, findings: [{ rule: 'not-a-definition', path: '', message: `not readable JSON: ${(error as Error).message}` }] };
  }
  const findings = lintDefinition(definition, options);
  return { pipeline, file, findings, ...(isObject(definition) ? { definition } : {}) };
}

/** `tsx state-machines/lint.ts [file…]`: lints the given files, or every definition in state-machines/; exit 1 on findings. */
export function main(args: readonly string[]): number {
  const files = args.length > 0 ? args.map((a) => lintFile(a)) : loadDefinitionFiles(__dirname);
  let count = 0;
  for (const { file, findings } of files) {
    const name = relative(process.cwd(), file);
    if (findings.length === 0) console.log(`${name}: ok`);
    for (const f of findings) console.log(`${name}: ${f.path || '(definition)'}: [${f.rule}] ${f.message}`);
    count += findings.length;
  }
  if (files.length === 0) console.log('no *.asl.json definitions found');
  return count > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
