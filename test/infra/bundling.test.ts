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
  let apiEnvironment: Record<string, unknown>;
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
    apiEnvironment = Object.values(functions).find((fn) => fn.Properties.Description === 'steward: REST API (hono)')!.Properties.Environment.Variables;
    bundles = new Map(
      Object.values(functions).map((fn) => {
        const props = fn.Properties as { Description: string; Handler: string; Code: { S3Key: string } };
        expect(props.Handler).toBe('index.handler');
        const assetDir = path.join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
        return [props.Description, path.join(assetDir, 'index.js')];
      }),
    );
  });

  const apiStartEnvironment = () => ({ ...deployedEnvironment(apiEnvironment), ...PENDING_TENANCY_SETTINGS, STEWARD_LOG_LEVEL: 'SILENT' });

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
      const readable = run.stderr.split('\n').filter((line) => line.length < 300).join('\n');
      throw new Error(`loading ${path.basename(path.dirname(bundle))} failed:\n${readable}`);
    }
    return run.stdout.trim();
  };

  it('produces one minified bundle with a source map per function', () => {
    expect(bundles.size).toBe(4);
    for (const bundle of bundles.values()) {
      expect(fs.existsSync(bundle)).toBe(true);
      expect(fs.existsSync(`${bundle}.map`)).toBe(true);
    }
  });

  it('onnxruntime-node ships once, as a layer with only the linux-arm64 binary, on every function', () => {
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
      expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
    }
    // Lambda puts /opt/nodejs/node_modules on NODE_PATH; only require() honours it, import() does not.
    const api = bundles.get('steward: REST API (hono)')!;
    const code = fs.readFileSync(api, 'utf8');
    expect(code).not.toMatch(/import\(["']onnxruntime-node["']\)/);
    const resolved = load(api, `require.resolve('onnxruntime-node')`, { ...apiStartEnvironment(), NODE_PATH: path.join(layerDir, 'nodejs', 'node_modules') });
    expect(JSON.parse(resolved)).toBe(path.join(ort, 'dist', 'index.js'));
  });

  it('step bundles run their handler', () => {
    const bundle = bundles.get('Steward pipeline step train-model')!;
    expect(JSON.parse(load(bundle, `m.handler({ datasetId: 'd1' })`))).toEqual({ step: 'train-model', input: { datasetId: 'd1' } });
  });

  // Lambda would lend the runtime's SDK to a bundle that left it out; a bare process does not, so this proves it is bundled.
  it('the API bundle starts with the environment the stack gives it, AWS SDK and all dependencies inside', () => {
    const bundle = bundles.get('steward: REST API (hono)')!;
    expect(load(bundle, 'typeof m.handler', apiStartEnvironment())).toBe('"function"');
  });
});

/**
 * Settings the API requires on AWS that this stack does not provide yet: the
 * tenancy issue adds the Cognito user pool and the tenant data role and wires
 * them into the API environment, then this list shrinks to nothing.
 */
const PENDING_TENANCY_SETTINGS: Record<string, string> = {
  STEWARD_JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example',
  STEWARD_USER_POOL_ID: 'us-east-1_example',
  STEWARD_TENANT_ROLE_ARN: 'arn:aws:iam::123456789012:role/steward-tenant-data',
};

/** The function's template environment with every CloudFormation reference replaced by a plausible value. */
function deployedEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const fake = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map((part) => (typeof part === 'string' ? part : `arn:aws:states:us-east-1:123456789012:stateMachine:${(part as { Ref: string }).Ref}`)).join(join[0]);
    return `fake-${(value as { Ref?: string }).Ref ?? 'value'}`.toLowerCase();
  };
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, fake(value)]));
}
