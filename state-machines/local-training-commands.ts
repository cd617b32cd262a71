import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Settings } from '../core/config/settings';
import { CONTAINER_TEMPLATES, type ContainerTemplateName, containerImageOf } from '../core/training/container-templates';

/** The repository's templates/ folder (this file is in state-machines/). */
const TEMPLATES_DIR = join(__dirname, '..', 'templates');

let python: string | undefined;

/**
 * A python3 that can import the shipped templates' libraries: $STEWARD_PYTHON,
 * the one on PATH, or the system one (version managers' shims on PATH often
 * hide the distribution's packages). Probed once.
 */
function localPython(): string {
  python ??=
    [process.env.STEWARD_PYTHON, 'python3', '/usr/bin/python3']
      .filter((c): c is string => Boolean(c))
      .find((candidate) => spawnSync(candidate, ['-c', 'import sklearn, onnx, numpy'], { stdio: 'ignore' }).status === 0) ?? 'python3';
  return python;
}

/** The image a training job names → its template's local command, run in templates/<name>/. */
export function localTrainingCommand(image: string, settings: Settings): { command: string[]; cwd: string } | undefined {
  const name = (Object.keys(CONTAINER_TEMPLATES) as ContainerTemplateName[]).find((n) => containerImageOf(n, settings) === image);
  if (!name) return undefined;
  const [program, ...args] = CONTAINER_TEMPLATES[name].localCommand;
  return { command: [program === 'python3' ? localPython() : program, ...args], cwd: join(TEMPLATES_DIR, name) };
}
