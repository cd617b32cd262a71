import { meCiToken, meIdToken } from './auth';
import { batchCsvParse, batchScore } from './batch';
import { catalogCreateVersion, catalogGetVersion, catalogSearchModels, catalogSearchVersions } from './catalog';
import { dynamodbCreateVersion, dynamodbGetVersion, dynamodbSearchModels, dynamodbSearchVersions } from './catalog-baseline';
import { SCALE_100K, SCALE_1K } from './catalog-scale';
import { dynamodbGetItem, dynamodbPutItem, dynamodbQuery } from './dynamodb-baseline';
import { health } from './health';
import type { Scenario } from './scenario';
import { scoringInvoke, scoringPing } from './scoring';
import { storeGetModel, storeGetVersion, storeNoop, storeRegisterModel, storeRegisterVersion, storeSearch100k, storeSearch1k } from './store';

const STORE = [storeNoop, storeRegisterModel, storeRegisterVersion, storeGetModel, storeGetVersion, storeSearch1k, storeSearch100k];
import { scoringApi } from './scoring-api';
import { segments1k } from './segments';

/** Every scenario `npm run bench` knows, in the order `--scenario all` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  health,
  meIdToken,
  meCiToken,
  scoringPing,
  scoringInvoke,
  scoringApi,
  dynamodbGetItem,
  dynamodbPutItem,
  dynamodbQuery,
  dynamodbCreateVersion,
  catalogCreateVersion,
  dynamodbGetVersion,
  catalogGetVersion,
  dynamodbSearchVersions,
  catalogSearchVersions,
  dynamodbSearchModels,
  catalogSearchModels,
  ...SCALE_1K,
  ...SCALE_100K,
  ...STORE,
  batchCsvParse,
  batchScore,
  segments1k,
];

/**
 * Named sets, run in the order listed: each baseline runs before the scenario
 * judged against it, so the ratio is in that scenario's record.
 */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  auth: ['health', 'me-id-token', 'me-ci-token'],
  catalog: [
    'dynamodb-create-version',
    'catalog-create-version',
    'dynamodb-get-version',
    'catalog-get-version',
    'dynamodb-search-versions',
    'catalog-search-versions',
    'dynamodb-search-models',
    'catalog-search-models',
  ],
  'catalog-bare': ['dynamodb-create-version', 'dynamodb-get-version', 'dynamodb-search-versions', 'dynamodb-search-models'],
  scale: [...SCALE_1K, ...SCALE_100K].map((s) => s.name),
  'scale-1k': SCALE_1K.map((s) => s.name),
  store: STORE.map((s) => s.name),
  'scoring-api': ['me-ci-token', 'scoring-api'],
  batch: ['batch-csv-parse', 'batch-score-1m'],
  segments: ['segments-1k'],
};

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
