import { InvalidAslDefinition } from './asl-definition';

/**
 * Map states that run as a Distributed Map on AWS, by pipeline. The ASL file
 * keeps an inline Map (what aws-local-stepfunctions runs); the deployed
 * definition is the same document with only these states switched to
 * DISTRIBUTED mode, each iteration a child execution, so a job's partitions
 * fan out far past an inline Map's 40 concurrent iterations and its 25,000
 * events of history.
 */
export const DISTRIBUTED_MAPS: Readonly<Record<string, readonly string[]>> = {
  'batch-score': ['ScorePartitions'],
  'train-segments': ['TrainSegments'],
};

export interface DistributedMapOptions {
  /** Child executions at once. @default 100 */
  readonly maxConcurrency?: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function findState(machine: Json, name: string): Json | undefined {
  const states = isObject(machine.States) ? machine.States : {};
  if (isObject(states[name])) return states[name];
  for (const state of Object.values(states)) {
    if (!isObject(state)) continue;
    for (const sub of [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? (state.Branches as unknown[]) : [])]) {
      const found = isObject(sub) ? findState(sub, name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The definition text with the named Map states in DISTRIBUTED mode
 * (STANDARD child executions, a Label, no tolerated failures) and nothing
 * else changed: items still come from the state's input (ItemsPath), and
 * `${…}` placeholders stay for DefinitionSubstitutions.
 * @throws InvalidAslDefinition naming a state that is not an inline Map
 */
export function withDistributedMaps(text: string, stateNames: readonly string[], options: DistributedMapOptions = {}): string {
  const definition = JSON.parse(text) as Json;
  for (const name of stateNames) {
    const state = findState(definition, name);
    if (!state || state.Type !== 'Map' || !isObject(state.ItemProcessor)) {
      throw new InvalidAslDefinition(`'${name}' is not a Map state with an ItemProcessor; it cannot run as a Distributed Map`);
    }
    state.ItemProcessor = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...state.ItemProcessor };
    state.Label = name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40);
    state.MaxConcurrency = options.maxConcurrency ?? 100;
    state.ToleratedFailurePercentage = 0;
  }
  return `${JSON.stringify(definition, null, 2)}\n`;
}
