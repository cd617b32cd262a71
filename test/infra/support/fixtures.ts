import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Two small pipelines sharing a step, and their step handlers. */
export const FIXTURES = {
  stateMachines: path.join(__dirname, '..', 'fixtures', 'state-machines'),
  pipelineSteps: path.join(__dirname, '..', 'fixtures', 'pipeline-steps'),
} as const;

/** A fresh temporary directory holding `files` (name -> content). */
export function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-asl-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/** A one-Task definition whose Task resource is `resource`. */
export const oneTaskDefinition = (resource: string): string =>
  JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: resource, End: true } } }, null, 2);
