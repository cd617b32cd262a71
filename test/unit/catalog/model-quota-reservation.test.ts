import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { createModel } from '../../../core/catalog/model-catalog';
import { CreateProjectInput, createProject } from '../../../core/catalog/projects';
import { Conflict, NotFound, QuotaExceeded } from '../../../core/errors';
import type { MetadataTable, ScopedWrite } from '../../../core/ports/metadata-store';
import { PLANS } from '../../../core/tenancy/plans';
import { readUsage } from '../../../core/tenancy/usage';
import type { TenantScope } from '../../../core/tenancy/tenant-scope';

/**
 * Registering a model reserves the tenant's model quota. On a store that
 * applies transactions one at a time (SQLite) the reservation is a write of
 * the model's own transaction: one transaction, nothing to give back. On
 * DynamoDB (serialisesTransactions false) it stays a separate counter add,
 * given back when the registration fails, so registrations never share a hot
 * item inside their transactions.
 */
const TENANT = 't0123456789abcde';
const MISSING_PROJECT = '01jabcdefghjkmnpqrstvwxyz9';
const SCHEMA = { inputs: [{ name: 'x', type: 'double' as const }], outputs: [{ name: 'score', type: 'double' as const }] };

interface Recorded {
  transactions: ScopedWrite[][];
  adjusts: number;
}

/** The real table, observed, reporting the given serialisation. */
function observed(table: MetadataTable, serialisesTransactions: boolean, seen: Recorded): MetadataTable {
  return new Proxy(table, {
    get(target, property, receiver) {
      if (property === 'serialisesTransactions') return serialisesTransactions;
      if (property === 'transact') return (writes: readonly ScopedWrite[]) => (seen.transactions.push([...writes]), target.transact(writes));
      if (property === 'adjust') return (...args: Parameters<MetadataTable['adjust']>) => (seen.adjusts++, target.adjust(...args));
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each([
  ['one transaction (store serialises transactions)', true],
  ['a separate counter add (DynamoDB)', false],
] as const)('model quota reservation: %s', (_name, serialises) => {
  let store: SqliteStore;
  let seen: Recorded;
  let scope: TenantScope;
  let project: string;
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:', ttlSweepMs: 0 });
    seen = { transactions: [], adjusts: 0 };
    const table = observed(store.tenant(TENANT), serialises, seen);
    const plain = {
      tenantId: TENANT,
      table: store.tenant(TENANT),
      quotas: PLANS.free,
      meta: { actor: 'user:u1', requestId: 'r0' },
      now: () => new Date(),
    } as unknown as TenantScope;
    project = (await createProject(plain, CreateProjectInput.parse({ name: 'p' }))).projectId;
    scope = { ...plain, table, quotas: { ...PLANS.free, models: 2 }, meta: { actor: 'user:u1', requestId: 'r1' } };
  });
  afterEach(() => store.close());

  const register = (name: string, projectId = project) => createModel(scope, { projectId, name, type: 'ml', framework: 'onnx', tags: [], schema: SCHEMA });

  it('counts the model, and refuses past the quota (429), a duplicate name (409) and a missing project (404), leaving the count exact', async () => {
    await register('first');
    expect(seen.transactions).toHaveLength(1);
    const adds = seen.transactions[0].filter((w) => w.kind === 'add');
    if (serialises) {
      expect(seen.adjusts).toBe(0);
      expect(adds).toEqual([{ kind: 'add', key: { partition: ['USAGE'], sort: 'META' }, attribute: 'models', by: 1, atMost: 2 }]);
    } else {
      expect(seen.adjusts).toBe(1);
      expect(adds).toEqual([]);
    }
    expect((await readUsage(store.tenant(TENANT))).models).toBe(1);

    await expect(register('FIRST')).rejects.toBeInstanceOf(Conflict);
    await expect(register('other', MISSING_PROJECT)).rejects.toBeInstanceOf(NotFound);
    expect((await readUsage(store.tenant(TENANT))).models).toBe(1);

    await register('second');
    const refused = await register('third').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QuotaExceeded);
    expect((refused as QuotaExceeded).message).toBe("quota 'models' of 2 reached for this tenant's plan");
    // Past the quota, a missing project is still a 404.
    await expect(register('fourth', MISSING_PROJECT)).rejects.toBeInstanceOf(NotFound);
    expect((await readUsage(store.tenant(TENANT))).models).toBe(2);
  });
});
