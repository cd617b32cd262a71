import { join } from 'node:path';
import { z } from 'zod';

/**
 * The SageMaker training-container contract (templates/README.md), as a
 * local child process gets it: the same directory layout, rooted at a work
 * directory instead of /opt/ml, and the same environment variables, so a
 * trainer that reads its paths from the environment runs unchanged in both
 * places. SageMaker hands hyper-parameters over as strings; so do we.
 */

/** A channel name becomes part of an environment variable (SM_CHANNEL_<NAME>) and a directory. */
export const channelNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a channel name is letters, digits, _ and -');
/** A file inside a channel: a plain name, never a path. */
export const channelFileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,200}$/, 'a file name is letters, digits, ., _ and -')
  .refine((name) => name !== '.' && name !== '..', 'not a file name');

export const hyperparameterValueSchema = z.union([z.string(), z.number().finite(), z.boolean()]);

/** The files a trainer may leave in SM_MODEL_DIR that the platform reads. */
export const MODEL_FILE = 'model.onnx';
export const METRICS_FILE = 'metrics.json';
/** SageMaker's failure file: the first thing a person reads when a job fails. */
export const FAILURE_FILE = 'failure';

/**
 * The trainer's own resource use, written last to SM_OUTPUT_DATA_DIR (which
 * SageMaker uploads as `<job>/output/output.tar.gz`): SageMaker's job
 * description carries no CPU time or peak memory, so on AWS this file is
 * where a run's figures come from. Optional: without it they are recorded as unknown.
 */
export const RESOURCES_FILE = 'resources.json';
/** What SageMaker makes of SM_OUTPUT_DATA_DIR, next to model.tar.gz. */
export const OUTPUT_DATA_ARCHIVE = 'output.tar.gz';

/**
 * resources.json: `cpu_ms`, CPU time (user + system) of the trainer and the
 * processes it waited for; `peak_memory_bytes`, the largest resident set of
 * any of them (Python: `resource.getrusage(RUSAGE_SELF / RUSAGE_CHILDREN)`,
 * `ru_utime + ru_stime`, `ru_maxrss` in KiB on Linux). Either may be left out.
 */
export const trainerResourcesSchema = z
  .object({
    cpu_ms: z.number().finite().min(0).optional(),
    peak_memory_bytes: z.number().int().min(0).optional(),
  })
  .loose();

/** metrics.json: a flat object of finite numbers, e.g. { "train_auc": 0.99 }. */
export const trainerMetricsSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.number().finite());

export interface ContainerLayout {
  readonly root: string;
  readonly inputDir: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly modelDir: string;
  readonly outputDir: string;
  readonly outputDataDir: string;
}

/** /opt/ml's layout under `root`. */
export function containerLayout(root: string): ContainerLayout {
  return {
    root,
    inputDir: join(root, 'input'),
    configDir: join(root, 'input', 'config'),
    dataDir: join(root, 'input', 'data'),
    modelDir: join(root, 'model'),
    outputDir: join(root, 'output'),
    outputDataDir: join(root, 'output', 'data'),
  };
}

/**
 * SageMaker's variables (the ones the sagemaker-training toolkit sets and
 * scripts read) for a layout, channels and hyper-parameters.
 */
export function contractEnvironment(
  layout: ContainerLayout,
  channels: readonly string[],
  hyperparameters: Readonly<Record<string, string>>,
  cpus: number,
): Record<string, string> {
  const env: Record<string, string> = {
    SM_MODEL_DIR: layout.modelDir,
    SM_INPUT_DIR: layout.inputDir,
    SM_INPUT_CONFIG_DIR: layout.configDir,
    SM_INPUT_DATA_DIR: layout.dataDir,
    SM_OUTPUT_DIR: layout.outputDir,
    SM_OUTPUT_DATA_DIR: layout.outputDataDir,
    SM_CHANNELS: JSON.stringify(channels),
    SM_HPS: JSON.stringify(hyperparameters),
    SM_NUM_CPUS: String(cpus),
    SM_NUM_GPUS: '0',
    SM_HOSTS: JSON.stringify(['algo-1']),
    SM_CURRENT_HOST: 'algo-1',
  };
  for (const channel of channels) env[`SM_CHANNEL_${channel.toUpperCase().replaceAll('-', '_')}`] = join(layout.dataDir, channel);
  for (const [name, value] of Object.entries(hyperparameters)) env[`SM_HP_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = value;
  return env;
}

/** hyperparameters.json as SageMaker writes it: every value a string. */
export function hyperparameterStrings(values: Readonly<Record<string, z.infer<typeof hyperparameterValueSchema>>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}
