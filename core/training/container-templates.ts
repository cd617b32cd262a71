import { z } from 'zod';
import type { LearningTask } from '../pipelines/metric-catalog';

/**
 * The training containers Steward ships (templates/<name>/, documented in
 * templates/README.md): what each trains, the hyper-parameters it reads, how
 * it is started locally and which image runs it on SageMaker. The domain
 * names the command relative to the template's folder; where that folder is
 * (and which python runs it) is for infra/local to resolve, and the image is
 * a setting, so the same request trains in both places.
 */
export interface ContainerTemplate {
  readonly task: LearningTask;
  /** Hyper-parameter name → what it is; a request naming any other is refused before compute is spent. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** Run in templates/<name>/ as a child process given the training contract's environment. */
  readonly localCommand: readonly string[];
  /** The setting (core/config/settings.ts) naming the training image on AWS. */
  readonly imageSetting: 'STEWARD_TRAINING_IMAGE_PYTHON_SKLEARN';
  /** The image name recorded locally, where no image runs. */
  readonly localImage: string;
}

export const CONTAINER_TEMPLATES = {
  'python-sklearn': {
    task: 'binary',
    hyperparameters: { C: 'inverse regularisation strength (default 1.0)', max_iter: 'solver iterations (default 1000)' },
    localCommand: ['python3', 'train.py'],
    imageSetting: 'STEWARD_TRAINING_IMAGE_PYTHON_SKLEARN',
    localImage: 'steward-training-python-sklearn:local',
  },
} as const satisfies Record<string, ContainerTemplate>;

export type ContainerTemplateName = keyof typeof CONTAINER_TEMPLATES;
export const containerTemplateNameSchema = z.enum(Object.keys(CONTAINER_TEMPLATES) as [ContainerTemplateName, ...ContainerTemplateName[]]);

/** How a container-trained version's algorithm is recorded: `container:<template>`. */
export const containerAlgorithmSchema = z.enum(['container:python-sklearn']);
export type ContainerAlgorithm = z.infer<typeof containerAlgorithmSchema>;
export const containerAlgorithmOf = (name: ContainerTemplateName): ContainerAlgorithm => `container:${name}`;

/** The image a template runs in here: the setting's value, else the local placeholder. */
export function containerImageOf(
  name: ContainerTemplateName,
  settings: Readonly<Partial<Record<ContainerTemplate['imageSetting'], string | undefined>>>,
): string {
  const template: ContainerTemplate = CONTAINER_TEMPLATES[name];
  return settings[template.imageSetting] ?? template.localImage;
}
