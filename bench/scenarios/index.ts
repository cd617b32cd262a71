import { dynamodbGetItem, dynamodbPutItem, dynamodbQuery } from './dynamodb-baseline';
import { health } from './health';
import type { Scenario } from './scenario';
import { scoringInvoke, scoringPing } from './scoring';

/** Every scenario `npm run bench` knows, in the order `--scenario all` runs them. */
export const SCENARIOS: readonly Scenario[] = [health, scoringPing, scoringInvoke, dynamodbGetItem, dynamodbPutItem, dynamodbQuery];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
