import * as fs from 'node:fs';
import * as path from 'node:path';
import { stepNameOfResource } from '../../state-machines/resource-convention';

/**
 * The contract between `state-machines/*.asl.json` and the Lambda functions
 * that run their Task states. Shared by the CDK stack (which deploys one
 * function per step) and by parity tests (which compare what CDK synthesizes
 * with the file the local runner executes).
 *
 * Convention: a Task names its Lambda as `"${<PascalCaseStep>FunctionArn}"`,
 * and that step's handler is `functions/pipeline-steps/<kebab-case-step>.ts`
 * exporting `handler`. `${TrainModelFunctionArn}` -> `train-model.ts`. The
 * name mapping itself is state-machines/resource-convention.ts, the one the
 * lint and the local runner use, so all three agree on every step name.
 */

/** File suffix of a state machine definition. */
export const ASL_SUFFIX = '.asl.json';

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
const FUNCTION_ARN_SUFFIX = 'FunctionArn';
const PIPELINE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** One step a definition references through a `${<Step>FunctionArn}` placeholder. */
export interface AslStep {
  /** PascalCase step name, e.g. `TrainModel`. */
  readonly name: string;
  /** The placeholder key without `${}`, e.g. `TrainModelFunctionArn`. */
  readonly placeholder: string;
  /** kebab-case step (handler module) name, e.g. `train-model`. */
  readonly moduleName: string;
}

/** A state machine definition file, read and checked against the convention. */
export interface AslDefinition {
  /** Absolute path of the file. */
  readonly file: string;
  /** The file name without `.asl.json`, e.g. `train-evaluate`. */
  readonly pipelineName: string;
  /** The file's text, byte for byte: what goes into DefinitionString. */
  readonly text: string;
  /** Steps referenced by placeholders, in first-seen order, without duplicates. */
  readonly steps: readonly AslStep[];
}

/** A definition file that breaks the convention; the message names the file and the fix. */
export class InvalidAslDefinition extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidAslDefinition';
  }
}

/**
 * Every `*.asl.json` directly in `dir`, sorted by name so synthesis is
 * deterministic. A missing directory yields none: pipelines are optional.
 */
export function listAslFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ASL_SUFFIX))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** `.../train-evaluate.asl.json` -> `train-evaluate`. */
export function pipelineNameOf(file: string): string {
  const base = path.basename(file);
  if (!base.endsWith(ASL_SUFFIX)) {
    throw new InvalidAslDefinition(`${file}: a state machine definition must be named <pipeline>${ASL_SUFFIX}`);
  }
  const name = base.slice(0, -ASL_SUFFIX.length);
  if (!PIPELINE_NAME.test(name)) {
    throw new InvalidAslDefinition(`${file}: pipeline name "${name}" must be kebab-case (e.g. train-evaluate)`);
  }
  return name;
}

/**
 * Reads a definition and checks it: valid JSON, every placeholder is a
 * `<PascalCaseStep>FunctionArn`. Placeholders are collected from every string
 * in the document, so Tasks nested in Map and Parallel states count too, and
 * a placeholder CloudFormation would not fill fails here rather than at deploy.
 */
export function readAslDefinition(file: string): AslDefinition {
  const pipelineName = pipelineNameOf(file);
  const text = fs.readFileSync(file, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InvalidAslDefinition(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const steps = new Map<string, AslStep>();
  for (const value of stringsIn(document)) {
    for (const [, placeholder] of value.matchAll(PLACEHOLDER)) {
      const moduleName = stepNameOfResource(`\${${placeholder}}`);
      if (!moduleName) {
        throw new InvalidAslDefinition(`${file}: unsupported placeholder \${${placeholder}}; the only substitutions are \${<PascalCaseStep>FunctionArn}`);
      }
      const name = placeholder.slice(0, -FUNCTION_ARN_SUFFIX.length);
      if (!steps.has(name)) steps.set(name, { name, placeholder, moduleName });
    }
  }
  return { file, pipelineName, text, steps: [...steps.values()] };
}

/**
 * The definition as Step Functions will run it: every `${Key}` replaced by
 * `substitutions[Key]`, which is what CloudFormation does with
 * DefinitionSubstitutions. Throws if a placeholder has no value, so a parity
 * test cannot pass by accident.
 *
 * @example
 * const rendered = renderAslDefinition('state-machines/train-evaluate.asl.json', {
 *   TrainModelFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:train',
 * });
 */
export function renderAslDefinition(file: string, substitutions: Readonly<Record<string, string>>): string {
  const { text } = readAslDefinition(file);
  return renderAslText(text, substitutions, file);
}

/** As renderAslDefinition, for a definition already in memory (e.g. a synthesized DefinitionString). */
export function renderAslText(text: string, substitutions: Readonly<Record<string, string>>, source = 'definition'): string {
  return text.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = substitutions[key];
    if (value === undefined) throw new InvalidAslDefinition(`${source}: no substitution for \${${key}}`);
    return value;
  });
}

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsIn(item);
    }
  }
}
