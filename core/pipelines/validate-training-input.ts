import type { Field, IoSchema } from '../catalog/artifacts/io-schema';
import { getDatasetVersion } from '../catalog/datasets/dataset-versions';
import { loadModelRecord } from '../catalog/models';
import type { Model } from '../catalog/models';
import { NotFound, ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { CONTAINER_TEMPLATES, type ContainerAlgorithm, containerAlgorithmOf } from '../training/container-templates';
import { METRICS, type LearningTask, primaryMetric } from './metric-catalog';
import { datasetTable, type LoadedDataset, loadCsvDataset } from './training-dataset';
import { type BuiltInAlgorithm, defaultAlgorithm, isGradientBoosting, TRAINING_TEMPLATES } from './training-templates';
import { DEFAULT_HOLDOUT_FRACTION, DEFAULT_SEED, defaultHyperparameters, type TrainEvaluateInput, type TrainingPlan } from './training-request';

const MIN_ROWS = 10;

/** Declared input types a built-in trainer can feed from a numeric CSV column (as float32). */
const NUMERIC_INPUTS: ReadonlySet<Field['type']> = new Set(['float', 'double', 'int', 'long']);

/** How the exported ONNX model's one input and its outputs meet the model's declared schema. */
export interface ModelIo {
  readonly features: string[];
  readonly input: TrainingPlan['input'];
  readonly outputs: TrainingPlan['outputs'];
}

function refuse(message: string, field: string, problem: string): ValidationFailed {
  return new ValidationFailed(message, [{ field, problem }]);
}

/**
 * The features and the ONNX signature a trained version of `model` must
 * have to pass the catalog's artifact check against the model's schema:
 *
 * - scalar numeric inputs (one column each): they are the features, in their
 *   declared order, packed into one `[batch, n]` input (the request may list
 *   them too, in any order, but must name the same set);
 * - one numeric `[batch, n]` tensor input: the request names its n columns;
 * - outputs: `float`/`double` fields carry the score (P(class 1) or the
 *   prediction), `int`/`long`/`bool` fields the 0/1 label (binary only).
 */
export function resolveModelIo(model: Pick<Model, 'name' | 'type' | 'schema'>, request: Pick<TrainEvaluateInput, 'features' | 'target'>): ModelIo {
  if (model.type === 'rules') {
    throw refuse(`model '${model.name}' is a rules model; the built-in trainers produce ONNX models`, 'modelId', 'not an ml or scorecard model');
  }
  const schema: IoSchema = model.schema;
  const reserved = new Set([...schema.inputs.map((f) => f.name), ...schema.outputs.map((f) => f.name)]);
  let features: string[];
  let input: TrainingPlan['input'];
  const scalar = schema.inputs.every((f) => !f.shape);
  if (scalar) {
    const unsupported = schema.inputs.filter((f) => !NUMERIC_INPUTS.has(f.type));
    if (unsupported.length > 0) {
      throw refuse(
        `the built-in trainers read numeric columns; model '${model.name}' declares ${unsupported.map((f) => `'${f.name}' (${f.type})`).join(', ')}`,
        'modelId',
        'the model schema has non-numeric inputs',
      );
    }
    features = schema.inputs.map((f) => f.name);
    if (request.features) {
      const declared = new Set(features);
      const requested = new Set(request.features);
      const extra = [...requested].filter((f) => !declared.has(f));
      const missing = features.filter((f) => !requested.has(f));
      if (extra.length > 0 || missing.length > 0 || requested.size !== request.features.length) {
        throw refuse(
          `the features must be the model's declared inputs${extra.length ? `; not declared: ${extra.join(', ')}` : ''}${missing.length ? `; not listed: ${missing.join(', ')}` : ''}`,
          'features',
          'differs from the model schema inputs',
        );
      }
    }
    let name = 'features';
    for (let i = 2; reserved.has(name); i++) name = `features_${i}`;
    input = { binding: 'packed', name };
  } else {
    const [field] = schema.inputs;
    const shape = field.shape ?? [];
    if (schema.inputs.length !== 1 || shape.length !== 2 || !(shape[0] === -1 || shape[0] === 1) || !NUMERIC_INPUTS.has(field.type)) {
      throw refuse(
        `the built-in trainers take scalar numeric inputs, or one numeric [batch, n] tensor; model '${model.name}' declares neither`,
        'modelId',
        'unsupported input schema for a built-in trainer',
      );
    }
    if (!request.features)
      throw refuse(
        `model '${model.name}' takes one tensor '${field.name}'; list the columns that fill it in 'features'`,
        'features',
        'required for a tensor input',
      );
    if (shape[1] === -1) throw refuse(`input '${field.name}' has no fixed width; declare it as [-1, n]`, 'modelId', 'tensor width not fixed');
    if (request.features.length !== shape[1]) {
      throw refuse(`input '${field.name}' is ${shape[1]} wide; ${request.features.length} features are listed`, 'features', `must list ${shape[1]} columns`);
    }
    if (new Set(request.features).size !== request.features.length) throw refuse('a feature is listed twice', 'features', 'duplicates');
    features = [...request.features];
    input = { binding: 'tensor', name: field.name };
  }
  if (features.includes(request.target)) throw refuse(`the target '${request.target}' is one of the model's inputs`, 'target', 'is a feature');

  const outputs = schema.outputs.map((field, index): TrainingPlan['outputs'][number] => {
    const shape = field.shape;
    let rank: 1 | 2;
    if (!shape) rank = 2;
    else if (shape.length === 1 && (shape[0] === -1 || shape[0] === 1)) rank = 1;
    else if (shape.length === 2 && (shape[0] === -1 || shape[0] === 1) && shape[1] === 1) rank = 2;
    else
      throw refuse(
        `output '${field.name}' has shape [${shape.join(', ')}]; a built-in model gives one value per row`,
        `schema.outputs.${index}.shape`,
        'not one value per row',
      );
    switch (field.type) {
      case 'float':
        return { name: field.name, role: 'score', elementType: 'float32', rank };
      case 'double':
        return { name: field.name, role: 'score', elementType: 'float64', rank };
      case 'int':
        return { name: field.name, role: 'label', elementType: 'int32', rank };
      case 'long':
        return { name: field.name, role: 'label', elementType: 'int64', rank };
      case 'bool':
        return { name: field.name, role: 'label', elementType: 'bool', rank };
      default:
        throw refuse(`output '${field.name}' is ${field.type}; a built-in model gives numbers`, `schema.outputs.${index}.type`, 'not a numeric output');
    }
  });
  if (!outputs.some((o) => o.role === 'score')) {
    throw refuse(`model '${model.name}' declares no float or double output for the score (probability or prediction)`, 'modelId', 'no score output');
  }
  return { features, input, outputs };
}

/** The dataset a request names, resolved to an object in the tenant's storage. */
export interface ResolvedDataset {
  readonly key: string;
  /** Recorded by the catalog for a dataset version; the bytes read must hash to it. */
  readonly sha256?: string;
  readonly datasetId?: string;
  readonly version?: number;
  /** The dataset version's protected attributes (fairness is evaluated per attribute). */
  readonly protectedAttributes?: readonly string[];
}

/**
 * `{ datasetId, version }` → the dataset version's immutable object (CSV
 * only: the built-in trainers read CSV); `{ key }` → that object as it is.
 */
export async function resolveDataset(scope: TenantScope, ref: TrainEvaluateInput['dataset']): Promise<ResolvedDataset> {
  if ('key' in ref) return { key: ref.key };
  let version;
  try {
    version = await getDatasetVersion(scope, ref.datasetId, ref.version);
  } catch (error) {
    if (error instanceof NotFound) {
      throw new ValidationFailed(
        `dataset ${ref.datasetId} has no version ${ref.version} in this tenant's catalog`,
        [{ field: 'dataset', problem: 'no such dataset version' }],
        { cause: error },
      );
    }
    throw error;
  }
  if (version.format !== 'csv') {
    throw refuse(
      `dataset ${ref.datasetId} version ${ref.version} is ${version.format}; the built-in trainers read CSV`,
      'dataset',
      `format ${version.format} is not supported by built-in trainers`,
    );
  }
  return { key: version.key, sha256: version.sha256, datasetId: ref.datasetId, version: ref.version, protectedAttributes: version.protectedAttributes };
}

/**
 * Everything that can be checked from the model, the data and the request
 * before compute is spent, resolved into the TrainingPlan: the target is a
 * column and suits the task, there are enough rows (and of each class), the
 * features are numeric, the policy's metric suits the task, and label
 * outputs are only asked of a classifier.
 */
export function buildTrainingPlan(input: {
  model: Pick<Model, 'modelId' | 'name' | 'type' | 'schema'>;
  dataset: ResolvedDataset;
  loaded: LoadedDataset;
  request: TrainEvaluateInput;
}): TrainingPlan {
  const { model, dataset, loaded, request } = input;
  if (dataset.sha256 !== undefined && dataset.sha256 !== loaded.sha256) {
    throw refuse(
      `dataset ${dataset.datasetId} version ${dataset.version} does not match its recorded hash`,
      'dataset',
      `stored bytes hash to ${loaded.sha256}, the catalog recorded ${dataset.sha256}`,
    );
  }
  const io = resolveModelIo(model, request);
  if (!loaded.csv.header.includes(request.target)) {
    throw new ValidationFailed(`target column '${request.target}' is not in the header of dataset '${dataset.key}'`, [
      { field: 'target', problem: `not one of: ${loaded.csv.header.slice(0, 50).join(', ')}` },
    ]);
  }
  const table = datasetTable(loaded, { target: request.target, features: io.features });
  if (table.y.length < MIN_ROWS) {
    throw refuse(`dataset '${dataset.key}' has ${table.y.length} rows; at least ${MIN_ROWS} are needed`, 'dataset', 'too few rows');
  }
  const binaryTarget = table.y.every((v) => v === 0 || v === 1);
  const task: LearningTask = request.task === 'auto' ? (binaryTarget ? 'binary' : 'regression') : request.task;
  if (task === 'binary') {
    if (!binaryTarget) throw refuse(`binary classification needs a 0/1 target; column '${request.target}' has other values`, 'target', 'not 0/1');
    const positives = table.y.filter((v) => v === 1).length;
    if (positives < 2 || table.y.length - positives < 2)
      throw refuse(`column '${request.target}' needs at least two rows of each class`, 'target', 'a class is (almost) absent');
  } else {
    const labels = io.outputs.filter((o) => o.role === 'label');
    if (labels.length > 0) {
      throw refuse(
        `model '${model.name}' declares label output(s) ${labels.map((o) => `'${o.name}'`).join(', ')}, but '${request.target}' is a regression target`,
        'target',
        'label outputs need a 0/1 target',
      );
    }
  }
  const template = request.container ? chooseContainerTemplate(request.container, request.target, task) : chooseTemplate(request, task);
  const policyMetric = request.policy?.metric ?? primaryMetric(task);
  if (METRICS[policyMetric].task !== task) throw refuse(`metric '${policyMetric}' does not apply to ${task} models`, 'policy.metric', `not a ${task} metric`);
  return {
    modelId: model.modelId,
    modelName: model.name,
    dataset: {
      key: dataset.key,
      size: loaded.size,
      sha256: loaded.sha256,
      ...(dataset.datasetId !== undefined ? { datasetId: dataset.datasetId, version: dataset.version } : {}),
      ...(dataset.protectedAttributes && dataset.protectedAttributes.length > 0 ? { protectedAttributes: [...dataset.protectedAttributes] } : {}),
    },
    target: request.target,
    features: table.features,
    input: io.input,
    outputs: io.outputs,
    task,
    algorithm: template.algorithm,
    hyperparameters: template.hyperparameters,
    ...('container' in template ? { container: template.container } : {}),
    evaluation: {
      holdoutFraction: request.evaluation?.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION,
      seed: request.evaluation?.seed ?? DEFAULT_SEED,
    },
    rowCount: table.y.length,
    policy: {
      metric: policyMetric,
      ...(request.policy?.minimum !== undefined ? { minimum: request.policy.minimum } : {}),
      ...(request.policy?.maximum !== undefined ? { maximum: request.policy.maximum } : {}),
      autoApprove: request.policy?.autoApprove ?? false,
    },
    ...(request.codeRevision ? { codeRevision: request.codeRevision } : {}),
    ...(request.description ? { description: request.description } : {}),
  };
}

/**
 * The template the request names (or the task's linear one), refused when it
 * is for the other task or when the request sets a hyper-parameter it does not
 * read (a typo'd run would otherwise train with defaults, unnoticed).
 */
function chooseTemplate(request: TrainEvaluateInput, task: LearningTask): { algorithm: BuiltInAlgorithm; hyperparameters: TrainingPlan['hyperparameters'] } {
  const algorithm = request.algorithm ?? defaultAlgorithm(task);
  const template = TRAINING_TEMPLATES[algorithm];
  if (template.task !== task)
    throw refuse(`algorithm '${algorithm}' trains ${template.task} models; '${request.target}' is a ${task} target`, 'algorithm', `not a ${task} template`);
  const given = Object.keys(request.hyperparameters ?? {});
  const readable = new Set([...Object.keys(template.defaults), ...(isGradientBoosting(algorithm) ? ['seed'] : [])]);
  const unread = given.filter((name) => !readable.has(name));
  if (unread.length > 0) {
    throw new ValidationFailed(
      `algorithm '${algorithm}' does not read hyper-parameter(s) ${unread.join(', ')}`,
      unread.map((name) => ({ field: `hyperparameters.${name}`, problem: `not a ${algorithm} hyper-parameter; it reads ${[...readable].join(', ')}` })),
    );
  }
  const defaults = isGradientBoosting(algorithm) ? { ...template.defaults, seed: request.evaluation?.seed ?? DEFAULT_SEED } : defaultHyperparameters(task);
  return { algorithm, hyperparameters: { ...defaults, ...request.hyperparameters } };
}

/**
 * A shipped training container, refused when it trains the other task or the
 * request names a hyper-parameter it does not read. The values themselves are
 * the trainer's to judge (a bad one fails the run with the trainer's reason).
 */
function chooseContainerTemplate(
  container: NonNullable<TrainEvaluateInput['container']>,
  target: string,
  task: LearningTask,
): { algorithm: ContainerAlgorithm; hyperparameters: TrainingPlan['hyperparameters']; container: NonNullable<TrainingPlan['container']> } {
  const template = CONTAINER_TEMPLATES[container.template];
  if (template.task !== task)
    throw refuse(
      `container template '${container.template}' trains ${template.task} models; '${target}' is a ${task} target`,
      'container.template',
      `not a ${task} template`,
    );
  const readable = Object.keys(template.hyperparameters);
  const unread = Object.keys(container.hyperparameters ?? {}).filter((name) => !readable.includes(name));
  if (unread.length > 0) {
    throw new ValidationFailed(
      `container template '${container.template}' does not read hyper-parameter(s) ${unread.join(', ')}`,
      unread.map((name) => ({
        field: `container.hyperparameters.${name}`,
        problem: `not a ${container.template} hyper-parameter; it reads ${readable.join(', ')}`,
      })),
    );
  }
  return {
    algorithm: containerAlgorithmOf(container.template),
    hyperparameters: {},
    container: { template: container.template, hyperparameters: { ...container.hyperparameters } },
  };
}

/**
 * The first step of `train-evaluate`: the model exists in the tenant's
 * catalog and can hold a built-in model, the dataset resolves and parses, and
 * the request fits both; returns the plan every later step works from.
 */
export async function validateTrainingInput(scope: TenantScope, request: TrainEvaluateInput): Promise<TrainingPlan> {
  const model = await loadModelRecord(scope.table, request.modelId);
  const dataset = await resolveDataset(scope, request.dataset);
  const loaded = await loadCsvDataset(scope.objects, dataset.key);
  // A catalog version's file is checked against its record before it is used (issue 14: verified bytes stay verified).
  if (dataset.sha256 !== undefined && loaded.sha256 !== dataset.sha256) {
    throw new ValidationFailed(`dataset ${dataset.datasetId} version ${dataset.version}'s file does not match its recorded SHA-256`, [
      { field: 'dataset', problem: `the stored file hashes to ${loaded.sha256}, recorded ${dataset.sha256}` },
    ]);
  }
  return buildTrainingPlan({ model, dataset, loaded, request });
}
