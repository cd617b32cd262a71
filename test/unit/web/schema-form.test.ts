import { alternativeKey, bodyFromValues, fieldsFromSchema, type JsonSchema, labelOf } from '../../../web/src/lib/schema-form';
import { pipelineTemplates } from '../../../web/src/lib/pipeline-templates';

// The shape of POST /pipelines/train-evaluate/executions' body, as /openapi.json publishes it.
const TRAIN_EVALUATE: JsonSchema = {
  type: 'object',
  properties: {
    modelId: { type: 'string', pattern: '^[0-9a-z]{26}$' },
    dataset: {
      anyOf: [
        { type: 'object', properties: { datasetId: { type: 'string' }, version: { type: 'integer', minimum: 1 } }, required: ['datasetId', 'version'] },
        { type: 'object', properties: { key: { type: 'string', minLength: 1, maxLength: 1024 } }, required: ['key'] },
      ],
    },
    target: { type: 'string', minLength: 1 },
    features: { type: 'array', items: { type: 'string' }, minItems: 1 },
    task: { type: 'string', enum: ['auto', 'binary', 'regression'], default: 'auto' },
    hyperparameters: { type: 'object', properties: { l2: { type: 'number', minimum: 0 }, maxIterations: { type: 'integer', minimum: 1, maximum: 1000 } } },
    policy: {
      type: 'object',
      properties: { metric: { type: 'string', enum: ['auc', 'f1'] }, minimum: { type: 'number' }, autoApprove: { type: 'boolean', default: false } },
    },
    description: { type: 'string', maxLength: 4000 },
  },
  required: ['modelId', 'dataset', 'target'],
};

describe('a form built from a pipeline template’s parameter schema', () => {
  const fields = fieldsFromSchema(TRAIN_EVALUATE);
  const byPath = (path: string) => {
    const walk = (list: readonly (typeof fields)[number][]): (typeof fields)[number] | undefined => {
      for (const f of list) {
        if (f.path === path) return f;
        const inner = f.kind === 'group' ? walk(f.fields) : f.kind === 'alternatives' ? walk(f.alternatives.flatMap((a) => a.fields)) : undefined;
        if (inner) return inner;
      }
      return undefined;
    };
    return walk(fields);
  };

  it('has one field per property, labelled for people, required as the schema says', () => {
    expect(fields.map((f) => [f.path, f.label, f.kind, f.required])).toEqual([
      ['modelId', 'Model id', 'text', true],
      ['dataset', 'Dataset', 'alternatives', true],
      ['target', 'Target', 'text', true],
      ['features', 'Features', 'list', false],
      ['task', 'Task', 'choice', false],
      ['hyperparameters', 'Hyperparameters', 'group', false],
      ['policy', 'Policy', 'group', false],
      ['description', 'Description', 'text', false],
    ]);
  });

  it('maps types to controls: enums to choices, integers to whole-number inputs with bounds, booleans to checkboxes, long text to a text area', () => {
    expect(byPath('task')).toMatchObject({ kind: 'choice', options: ['auto', 'binary', 'regression'], description: 'default "auto"' });
    expect(byPath('hyperparameters.maxIterations')).toMatchObject({ kind: 'number', integer: true, min: 1, max: 1000, step: '1', label: 'Max iterations' });
    expect(byPath('hyperparameters.l2')).toMatchObject({ kind: 'number', integer: false, step: 'any', min: 0 });
    expect(byPath('policy.autoApprove')).toMatchObject({ kind: 'boolean' });
    expect(byPath('description')).toMatchObject({ kind: 'text', multiline: true, maxLength: 4000 });
    expect(byPath('modelId')).toMatchObject({ pattern: '^[0-9a-z]{26}$', multiline: false });
  });

  it('offers each shape of a one-of parameter as an alternative with its own fields', () => {
    const dataset = byPath('dataset');
    expect(dataset?.kind).toBe('alternatives');
    if (dataset?.kind !== 'alternatives') return;
    expect(dataset.alternatives.map((a) => [a.label, a.fields.map((f) => f.path)])).toEqual([
      ['Dataset id + Version', ['dataset.datasetId', 'dataset.version']],
      ['Key', ['dataset.key']],
    ]);
  });

  it('builds the request body back: numbers parsed, lists split, nested groups, only the chosen alternative, empty optionals left to the API’s defaults', () => {
    const body = bodyFromValues(fields, {
      modelId: '01jd7x0000000000000000000a',
      'dataset.datasetId': '01jd7x0000000000000000000b',
      'dataset.version': '2',
      'dataset.key': 'ignored because not chosen',
      target: ' benign ',
      features: 'mean_radius, mean_texture\nworst_area',
      task: '',
      'hyperparameters.l2': '0.5',
      'hyperparameters.maxIterations': '',
      'policy.metric': 'auc',
      'policy.minimum': '0.9',
      'policy.autoApprove': true,
      description: '   ',
    });
    expect(body).toEqual({
      modelId: '01jd7x0000000000000000000a',
      dataset: { datasetId: '01jd7x0000000000000000000b', version: 2 },
      target: 'benign',
      features: ['mean_radius', 'mean_texture', 'worst_area'],
      hyperparameters: { l2: 0.5 },
      policy: { metric: 'auc', minimum: 0.9, autoApprove: true },
    });
  });

  it('requires nothing inside an optional group, so a run without it can start, and leaves the empty group out of the body', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        target: { type: 'string' },
        container: {
          type: 'object',
          properties: { template: { type: 'string', enum: ['python-sklearn'] }, hyperparameters: { type: 'object', properties: {} } },
          required: ['template'],
        },
        dataset: { type: 'object', properties: { datasetId: { type: 'string' } }, required: ['datasetId'] },
      },
      required: ['target', 'dataset'],
    };
    const built = fieldsFromSchema(schema);
    const group = (name: string) => built.find((f) => f.path === name) as Extract<(typeof built)[number], { kind: 'group' }>;
    expect(group('container').fields.find((f) => f.path === 'container.template')?.required).toBe(false);
    expect(group('dataset').fields.find((f) => f.path === 'dataset.datasetId')?.required).toBe(true);
    expect(bodyFromValues(built, { target: 'benign', 'dataset.datasetId': 'd1', 'container.template': '' })).toEqual({
      target: 'benign',
      dataset: { datasetId: 'd1' },
    });
    expect(bodyFromValues(built, { target: 'benign', 'dataset.datasetId': 'd1', 'container.template': 'python-sklearn' })).toEqual({
      target: 'benign',
      dataset: { datasetId: 'd1' },
      container: { template: 'python-sklearn' },
    });
  });

  it('sends the second alternative when it is chosen', () => {
    const body = bodyFromValues(fields, {
      modelId: 'm',
      target: 't',
      [alternativeKey('dataset')]: '1',
      'dataset.key': 'incoming/data.csv',
      'dataset.datasetId': 'x',
    });
    expect(body.dataset).toEqual({ key: 'incoming/data.csv' });
  });

  it('resolves $ref to components, and keeps an unparseable number for the API to name the field', () => {
    const fields2 = fieldsFromSchema(
      { $ref: '#/components/schemas/Run' },
      { Run: { type: 'object', properties: { seed: { $ref: '#/components/schemas/Seed' } } }, Seed: { type: 'integer' } },
    );
    expect(fields2).toMatchObject([{ path: 'seed', kind: 'number', integer: true }]);
    expect(bodyFromValues(fields2, { seed: 'abc' })).toEqual({ seed: 'abc' });
    expect(() => fieldsFromSchema({ $ref: '#/components/schemas/Missing' })).toThrow('unknown schema reference');
  });

  it('labels camelCase, snake_case and kebab-case names as words', () => {
    expect([labelOf('holdoutFraction'), labelOf('protected_attributes'), labelOf('code-revision'), labelOf('l2')]).toEqual([
      'Holdout fraction',
      'Protected attributes',
      'Code revision',
      'L2',
    ]);
  });
});

describe('pipeline templates read from the OpenAPI document', () => {
  it('lists every POST /pipelines/<name>/executions with its body schema, and nothing else', () => {
    const templates = pipelineTemplates({
      paths: {
        '/pipelines/train-evaluate/executions': {
          post: { summary: 'Start a train-evaluate execution', requestBody: { content: { 'application/json': { schema: TRAIN_EVALUATE } } } },
        },
        '/pipelines/batch-score/executions': {
          post: { summary: 'Score a dataset', requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } },
        },
        '/executions': { get: { summary: 'list' } },
        '/models': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    });
    expect(templates.map((t) => [t.name, t.summary])).toEqual([
      ['batch-score', 'Score a dataset'],
      ['train-evaluate', 'Start a train-evaluate execution'],
    ]);
    expect(templates[1].body).toBe(TRAIN_EVALUATE);
  });
});
