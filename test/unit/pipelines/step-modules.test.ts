import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_STEPS } from '../../../functions/pipeline-steps/registry';
import { LocalSageMakerIntegration } from '../../../state-machines/local-sagemaker-integration';
import { machinesOf, sageMakerIntegrationOf, stepModulePath, stepNameOfResource } from '../../../state-machines/resource-convention';

const root = join(__dirname, '..', '..', '..');
const STEPS_DIR = join(root, 'functions', 'pipeline-steps');
const HELPERS = ['define-step.ts', 'registry.ts'];

describe('pipeline step modules', () => {
  it('registers every step module under its file name, each exporting step and handler', () => {
    const files = readdirSync(STEPS_DIR).filter((f) => f.endsWith('.ts') && !HELPERS.includes(f));
    expect(Object.keys(PIPELINE_STEPS).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    for (const name of Object.keys(PIPELINE_STEPS)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- each step module is loaded by path, as Lambda loads its handler
      const mod = require(join(root, stepModulePath(name))) as { step: { name: string }; handler: unknown };
      expect(mod.step.name).toBe(name);
      expect(typeof mod.handler).toBe('function');
    }
  });

  it('gives every Task of every definition a step module (the CDK stack relies on it), or a SageMaker integration the local runner answers', () => {
    const dir = join(root, 'state-machines');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.asl.json'))) {
      const definition = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      for (const { states } of machinesOf(definition)) {
        for (const { state } of states.filter((s) => s.state.Type === 'Task')) {
          const integration = sageMakerIntegrationOf(state.Resource);
          if (integration) {
            expect(LocalSageMakerIntegration.supports(integration)).toBe(true);
            continue;
          }
          const step = stepNameOfResource(state.Resource)!;
          expect(PIPELINE_STEPS[step]).toBeDefined();
          expect(existsSync(join(root, stepModulePath(step)))).toBe(true);
        }
      }
    }
  });
});
