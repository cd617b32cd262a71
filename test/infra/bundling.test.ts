import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { FIXTURES, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

/**
 * The one test that bundles for real (esbuild, locally, no Docker): every
 * function's asset must be a self-contained CommonJS bundle that Node can load
 * with nothing else installed, as Lambda will.
 */
describe('function bundles', () => {
  let outdir: string;
  let bundles: Map<string, string>;
  let environments: Map<string, Record<string, unknown>>;
  let template: Template;

  afterAll(removeTestOutdirs);

  beforeAll(() => {
    const built = stewardTestApp({
      bundleFunctions: true,
      stateMachinesDir: FIXTURES.stateMachines,
      pipelineStepsDir: FIXTURES.pipelineSteps,
    });
    outdir = built.outdir;
    template = Template.fromStack(built.stack);
    const functions = template.findResources('AWS::Lambda::Function');
    environments = new Map(
      Object.values(functions).map((fn) => [fn.Properties.Description as string, fn.Properties.Environment.Variables as Record<string, unknown>]),
    );
    bundles = new Map(
      Object.values(functions).map((fn) => {
        const props = fn.Properties as { Description: string; Handler: string; Code: { S3Key: string } };
        expect(props.Handler).toBe('index.handler');
        const assetDir = path.join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
        return [props.Description, path.join(assetDir, 'index.js')];
      }),
    );
  });

  /** Exactly what the stack sets on the function, references replaced by plausible values: nothing added by hand. */
  const startEnvironment = (description: string) => ({ ...deployedEnvironment(environments.get(description)!), STEWARD_LOG_LEVEL: 'SILENT' });
  const API = 'steward: REST API (hono)';
  const AUTHORIZER = 'steward: API Gateway TOKEN authorizer (Cognito ID tokens and CI tokens)';
  const SEALER = 'Steward audit sealer: hash-chains new audit events (table stream + sweep)';
  const RECORDER = 'Steward execution recorder: Step Functions status changes into tenant execution logs';
  const INSPECTOR = 'Steward inspector: reads one untrusted upload through a presigned URL (ONNX check, dataset profile)';

  /** Runs `expression` (with the bundle as `m`) in a bare Node process, as Lambda would: no NODE_PATH, no repo node_modules. */
  const load = (bundle: string, expression: string, env: Record<string, string> = {}): string => {
    const script = `const m = require(${JSON.stringify(bundle)}); Promise.resolve(${expression}).then((v) => console.log(JSON.stringify(v)));`;
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: path.dirname(bundle),
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      // Minified lines are megabytes long; keep the readable (source-mapped) part.
      const readable = run.stderr
        .split('\n')
        .filter((line) => line.length < 300)
        .join('\n');
      throw new Error(`loading ${path.basename(path.dirname(bundle))} failed:\n${readable}`);
    }
    return run.stdout.trim();
  };

  it('produces one minified bundle with a source map per function', () => {
    // API, authorizer, audit sealer, inspector, execution recorder and the three fixture steps.
    expect(bundles.size).toBe(8);
    for (const bundle of bundles.values()) {
      expect(fs.existsSync(bundle)).toBe(true);
      expect(fs.existsSync(`${bundle}.map`)).toBe(true);
    }
  });

  it('onnxruntime-node ships once, as a layer with only the linux-arm64 binary, on the API and every step', () => {
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    const [layerId, layer] = Object.entries(layers)[0];
    expect(Object.keys(layers)).toHaveLength(1);
    expect(layer.Properties).toMatchObject({ CompatibleArchitectures: ['arm64'], CompatibleRuntimes: ['nodejs22.x'] });
    const layerDir = path.join(outdir, `asset.${(layer.Properties as { Content: { S3Key: string } }).Content.S3Key.replace(/\.zip$/, '')}`);
    const ort = path.join(layerDir, 'nodejs', 'node_modules', 'onnxruntime-node');
    expect(fs.readdirSync(path.join(ort, 'bin', 'napi-v6'))).toEqual(['linux']);
    expect(fs.readdirSync(path.join(ort, 'bin', 'napi-v6', 'linux'))).toEqual(['arm64']);
    expect(fs.existsSync(path.join(ort, 'bin', 'napi-v6', 'linux', 'arm64', 'onnxruntime_binding.node'))).toBe(true);
    expect(fs.existsSync(path.join(layerDir, 'nodejs', 'node_modules', 'onnxruntime-common', 'package.json'))).toBe(true);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      // The authorizer, the sealer and the execution recorder never score a model.
      const scores = ![AUTHORIZER, SEALER, RECORDER].includes(fn.Properties.Description as string);
      expect(fn.Properties.Layers).toEqual(scores ? [{ Ref: layerId }] : undefined);
    }
    // Lambda puts /opt/nodejs/node_modules on NODE_PATH; only require() honours it, import() does not.
    const api = bundles.get(API)!;
    const code = fs.readFileSync(api, 'utf8');
    expect(code).not.toMatch(/import\(["']onnxruntime-node["']\)/);
    const resolved = load(api, `require.resolve('onnxruntime-node')`, { ...startEnvironment(API), NODE_PATH: path.join(layerDir, 'nodejs', 'node_modules') });
    expect(JSON.parse(resolved)).toBe(path.join(ort, 'dist', 'index.js'));
  });

  it('step bundles run their handler', () => {
    const bundle = bundles.get('Steward pipeline step train-model')!;
    expect(JSON.parse(load(bundle, `m.handler({ datasetId: 'd1' })`))).toEqual({ step: 'train-model', input: { datasetId: 'd1' } });
  });

  // Lambda would lend the runtime's SDK to a bundle that left it out; a bare process does not, so this proves it is bundled.
  it('the API bundle starts with the environment the stack gives it, AWS SDK and all dependencies inside', () => {
    expect(load(bundles.get(API)!, 'typeof m.handler', startEnvironment(API))).toBe('"function"');
  });

  it('the authorizer assembles its platform from the stack environment alone and refuses a malformed credential', () => {
    // Without a setting awsPlatform() requires, this rejects with "<NAME> must be set on AWS" instead.
    const answer = load(
      bundles.get(AUTHORIZER)!,
      `m.handler({ type: 'TOKEN', authorizationToken: 'not-a-bearer', methodArn: 'arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/me' }).then(() => 'allowed', (e) => e.message)`,
      startEnvironment(AUTHORIZER),
    );
    expect(JSON.parse(answer)).toBe('Unauthorized');
  });

  it('the audit sealer bundle loads and ignores stream records that are not audit events', () => {
    const event = { Records: [{ eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: 'T#t0000000000000000#AUDIT' }, sk: { S: 'E#1' } } } }] };
    expect(JSON.parse(load(bundles.get(SEALER)!, `m.handler(${JSON.stringify(event)})`, startEnvironment(SEALER)))).toEqual({ batchItemFailures: [] });
  });

  it('the execution recorder bundle assembles its platform from the stack environment and ignores an event that is not a status change', () => {
    expect(JSON.parse(load(bundles.get(RECORDER)!, `m.handler({ source: 'aws.states', detail: {} })`, startEnvironment(RECORDER)))).toBe('ignored');
  });

  it('the inspector bundle starts with no settings at all and answers a request it cannot read as its own failure', () => {
    const answer = JSON.parse(load(bundles.get(INSPECTOR)!, `m.handler({ job: { kind: 'artifact' }, timeoutMs: 1000 })`, startEnvironment(INSPECTOR)));
    expect(answer).toMatchObject({ outcome: 'failed', failure: expect.stringContaining('malformed request') });
  });
});

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': 'us-east-1',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
};

/** The function's template environment with every CloudFormation reference replaced by a plausible value. */
function deployedEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const fake = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (node['Fn::Join']) return node['Fn::Join'][1].map(fake).join(node['Fn::Join'][0]);
    if (node['Fn::GetAtt']) return `arn:aws:iam::123456789012:role/fake-${node['Fn::GetAtt'][0].toLowerCase()}`;
    const ref = node.Ref ?? 'value';
    if (PSEUDO_PARAMETERS[ref]) return PSEUDO_PARAMETERS[ref];
    if (ref.startsWith('Pipelines')) return `arn:aws:states:us-east-1:123456789012:stateMachine:${ref}`;
    return `fake-${ref}`.toLowerCase();
  };
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, fake(value)]));
}
