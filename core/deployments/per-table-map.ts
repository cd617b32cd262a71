/**
 * A bounded map keyed by a table's identity, then a name (an endpoint's):
 * the per-process caches of the scoring path (live deployments, the local
 * gateway's confirmed configurations). Two levels, not one key joining both:
 * the identity names the store's file and the tenant, and building and
 * hashing that long string again on every scoring call cost more than the two
 * lookups (each string here keeps its hash). Past `limit` entries, the oldest
 * table's oldest entry goes.
 */
export class PerTableMap<V> {
  private readonly byTable = new Map<string, Map<string, V>>();
  private size = 0;

  constructor(private readonly limit: number) {}

  get(tableIdentity: string, name: string): V | undefined {
    return this.byTable.get(tableIdentity)?.get(name);
  }

  set(tableIdentity: string, name: string, value: V): void {
    let byName = this.byTable.get(tableIdentity);
    if (!byName) this.byTable.set(tableIdentity, (byName = new Map<string, V>()));
    const before = byName.size;
    byName.set(name, value);
    if (byName.size === before || ++this.size <= this.limit) return;
    const [oldestTable, oldest] = this.byTable.entries().next().value!;
    this.delete(oldestTable, oldest.keys().next().value!);
  }

  delete(tableIdentity: string, name: string): void {
    const byName = this.byTable.get(tableIdentity);
    if (!byName?.delete(name)) return;
    this.size--;
    if (byName.size === 0) this.byTable.delete(tableIdentity);
  }
}
