// The app first: @hono/zod-openapi must extend zod before any schema is built.
import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { tamperDelete, tamperEdit } from '../../support/store-tamper';
import { auditWrite } from '../../../core/audit/audit-event';
import { CHAIN_PARTITION, countUnsealed, sealPending, verifyChain } from '../../../core/audit/audit-chain';
import { AuditSealer } from '../../../core/audit/audit-sealer';
import { checkChain } from '../../../core/audit/chain-check';
import { genesisHash, linkHash, type SealedAuditEvent, type StoredAuditEvent } from '../../../core/audit/chain-hash';
import { createAuditSealerHandler } from '../../../functions/audit-sealer/handler';

// Both ways of linking (core/audit/chain-at-commit.ts): by the writing transaction (local mode's
// default) and afterwards by a sealer (AWS, or STEWARD_AUDIT_CHAIN=deferred). Same chain, same checks.
// One clock for both: event ids are monotonic per process, so a clock going back would misplace events in time.
let clock = new Date('2026-12-01T09:00:00Z').getTime();
const CASES = [
  ['sqlite', 'at-commit'],
  ['sqlite', 'deferred'],
  ['dynamodb-local', 'at-commit'],
  ['dynamodb-local', 'deferred'],
] as const;
describe.each(CASES)('the tamper-evident audit chain (%s store, linked %s)', (store, mode) => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  beforeAll(async () => {
    ctx = await bootApi({ now: () => new Date(clock), env: { STEWARD_AUDIT_CHAIN: mode, STEWARD_STORE: store } });
  });
  afterAll(() => ctx.local.close());

  const tableOf = (tenantId: string) => ctx.platform.tenantTable(tenantId);
  // Both adapters build the raw partition key the same way (the stream records of AWS carry it).
  const auditPartition = (table: object) => (table as { partitionKey(parts: string[]): string }).partitionKey(['AUDIT']);
  const eventKey = (eventId: string) => ({ partition: ['AUDIT'], sort: `E#${eventId}` });

  async function download(path: string, token: string) {
    const res = await ctx.api.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async function exportedEvents(token: string, query = ''): Promise<StoredAuditEvent[]> {
    const res = await download(`/audit/export?format=jsonl${query}`, token);
    expect(res.status).toBe(200);
    return res.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  /** Onboarding plus some token activity: every step writes audit events. */
  async function busyTenant(name: string): Promise<OnboardedTenant> {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, name, { roles: ['tenant-admin', 'viewer'] });
    const admin = tenant.tokens['tenant-admin'];
    for (const tokenName of ['ci-a', 'ci-b']) {
      clock += 1000;
      const created = await ctx.api.call('POST', '/tokens', { token: admin, body: { name: tokenName, roles: ['viewer'], expiresInDays: 30 } });
      expect(created.status).toBe(201);
    }
    const tokens = await ctx.api.call('GET', '/tokens', { token: admin });
    clock += 1000;
    expect((await ctx.api.call('DELETE', `/tokens/${tokens.body.items[0].tokenId}`, { token: admin })).status).toBe(200);
    return tenant;
  }

  async function eventAtSeq(tenant: OnboardedTenant, seq: number): Promise<SealedAuditEvent> {
    const events = await exportedEvents(tenant.tokens['tenant-admin']);
    return events.find((e) => e.seq === seq) as SealedAuditEvent;
  }

  it('seals a tenant’s activity into one chain that verifies, and lists events with their chain fields', async () => {
    const tenant = await busyTenant('Chain Works');
    const admin = tenant.tokens['tenant-admin'];

    const report = await ctx.api.call('GET', '/audit/verify', { token: tenant.tokens.viewer });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ ok: true, unsealed: 0, complete: true, from: 1 });
    expect(report.body.checked).toBeGreaterThan(5);
    expect(report.body.head.seq).toBe(report.body.checked);
    expect(report.body.through).toBe(report.body.checked);

    const listed = await ctx.api.call('GET', '/audit/events?limit=100', { token: admin });
    const seqs = listed.body.items.map((e: StoredAuditEvent) => e.seq).sort((a: number, b: number) => a - b);
    expect(seqs).toEqual(Array.from({ length: report.body.checked }, (_, i) => i + 1));
    expect(listed.body.items[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(listed.body.items[0]).not.toHaveProperty('entity');
  });

  it('names seq 3 as content-altered after its `after` is edited in the table', async () => {
    const tenant = await busyTenant('Edited Content');
    const admin = tenant.tokens['tenant-admin'];
    expect((await ctx.api.call('GET', '/audit/verify', { token: admin })).body.ok).toBe(true);
    const third = await eventAtSeq(tenant, 3);

    await tamperEdit(ctx.local, tableOf(tenant.tenantId), eventKey(third.eventId), { after: { status: 'nothing to see' } });

    const report = await ctx.api.call('GET', '/audit/verify', { token: admin });
    expect(report.body).toMatchObject({ ok: false, firstBrokenSeq: 3, reason: 'content-altered', eventId: third.eventId, checked: 2 });
  });

  it('names the next seq as link-broken when the edit recomputed the event’s own hash', async () => {
    const tenant = await busyTenant('Rehashed Edit');
    const admin = tenant.tokens['tenant-admin'];
    await ctx.api.call('GET', '/audit/verify', { token: admin });
    const third = await eventAtSeq(tenant, 3);
    const forged = { ...third, after: { forged: true } };
    const forgedHash = linkHash(third.prevHash, forged);

    await tamperEdit(ctx.local, tableOf(tenant.tenantId), eventKey(third.eventId), { after: forged.after, hash: forgedHash });

    const report = await ctx.api.call('GET', '/audit/verify', { token: admin });
    expect(report.body).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: 'link-broken' });
  });

  it('reports a deleted event as a sequence gap at its position, and a deleted tail as event-missing', async () => {
    const tenant = await busyTenant('Deleted Event');
    const admin = tenant.tokens['tenant-admin'];
    const sealed = await ctx.api.call('GET', '/audit/verify', { token: admin });
    const second = await eventAtSeq(tenant, 2);
    const last = await eventAtSeq(tenant, sealed.body.head.seq);

    await tamperDelete(ctx.local, tableOf(tenant.tenantId), eventKey(second.eventId));
    const gap = await ctx.api.call('GET', '/audit/verify', { token: admin });
    expect(gap.body).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: 'sequence-gap', checked: 1 });

    // A check starting past the gap needs the event before it as anchor: from 3 has none.
    expect(await verifyChain(tableOf(tenant.tenantId), { from: 3, lagRetries: 0 })).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: 'sequence-gap' });
    expect(await verifyChain(tableOf(tenant.tenantId), { from: 4, lagRetries: 0 })).toMatchObject({ ok: true, complete: true });

    await tamperDelete(ctx.local, tableOf(tenant.tenantId), eventKey(last.eventId));
    const tail = await verifyChain(tableOf(tenant.tenantId), { from: 4, lagRetries: 0 });
    expect(tail).toMatchObject({ ok: false, firstBrokenSeq: last.seq, reason: 'event-missing' });
  });

  it('keeps one chain without duplicate seq when several sealers race on the same tenant', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Racing Sealers', { roles: ['tenant-admin'] });
    const table = tableOf(tenant.tenantId);
    await sealPending(table);
    // Many concurrent business transactions, each with its own event (no shared item between them).
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        table.transact([
          auditWrite({ actor: 'system:race-test', requestId: `r${i}` }, 'test.event', { type: 'test', id: `t${i}` }, { after: { i } }, new Date(clock + i))
            .write,
        ]),
      ),
    );
    // (A background sealer, where one is wired into the platform, may take part in the race too.)
    const pending = await countUnsealed(table);
    // Linked at commit, nothing is left for a sealer; deferred, the sweep (every 5 s) has not come yet.
    if (mode === 'at-commit') expect(pending).toBe(0);
    else expect(pending).toBeGreaterThan(0);

    const counts = await Promise.all([1, 2, 3, 4].map(() => sealPending(tableOf(tenant.tenantId), { batch: 3 })));

    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(pending);
    const report = await verifyChain(table);
    expect(report).toMatchObject({ ok: true, unsealed: 0, complete: true });
    const chained: StoredAuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.query<StoredAuditEvent>({ index: 'gsi1', partition: CHAIN_PARTITION, limit: 100, cursor });
      chained.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    const seqs = chained.map((e) => e.seq!);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(Array.from({ length: report.head.seq }, (_, i) => i + 1));
    expect(new Set(chained.map((e) => e.eventId)).size).toBe(chained.length);
    const all = await exportedEvents(tenant.tokens['tenant-admin']);
    expect(all).toHaveLength(chained.length);
  });

  it('exports every event as JSON Lines an auditor can re-verify offline, and as CSV', async () => {
    const tenant = await busyTenant('Exported');
    const admin = tenant.tokens['tenant-admin'];

    const jsonl = await download('/audit/export?format=jsonl', admin);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(jsonl.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="audit-${tenant.tenantId}-\\d{8}T\\d{6}Z\\.jsonl"$`));
    const lines: SealedAuditEvent[] = jsonl.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const head = { seq: Number(jsonl.headers.get('x-steward-audit-head-seq')), hash: jsonl.headers.get('x-steward-audit-head-hash')! };
    expect(lines).toHaveLength(head.seq);
    expect(lines.every((e) => typeof e.seq === 'number' && e.hash && e.prevHash)).toBe(true);
    const bySeq = [...lines].sort((a, b) => a.seq - b.seq);
    expect(checkChain(bySeq, { anchor: { seq: 0, hash: genesisHash(tenant.tenantId) }, head })).toEqual({ checked: head.seq, broken: undefined });

    const csv = await download('/audit/export?format=csv', admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.+\.csv"$/);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual([
      'eventId',
      'seq',
      'at',
      'action',
      'actor',
      'targetType',
      'targetId',
      'requestId',
      'sourceIp',
      'tokenId',
      'before',
      'after',
      'prevHash',
      'hash',
    ]);
    expect(rows).toHaveLength(lines.length + 1);
    const byId = new Map(lines.map((e) => [e.eventId, e]));
    for (const row of rows.slice(1)) {
      const event = byId.get(row[0])!;
      expect(row[1]).toBe(String(event.seq));
      expect(row[3]).toBe(event.action);
      expect([row[5], row[6]]).toEqual([event.target.type, event.target.id]);
      expect(JSON.parse(row[11])).toEqual(event.after);
      expect([row[12], row[13]]).toEqual([event.prevHash, event.hash]);
    }
  });

  it('filters the export by target, actor and time', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Filtered', { roles: ['tenant-admin', 'viewer'] });
    const admin = tenant.tokens['tenant-admin'];
    clock += 60_000;
    const fromTime = new Date(clock).toISOString();
    const created = await ctx.api.call('POST', '/tokens', { token: admin, body: { name: 'deploy-bot', roles: ['viewer'], expiresInDays: 7 } });
    clock += 60_000;
    await ctx.api.call('DELETE', `/tokens/${created.body.token.tokenId}`, { token: admin });
    const toTime = new Date(clock).toISOString();
    clock += 60_000;
    await ctx.api.call('PATCH', `/users/${tenant.userIds.viewer}`, { token: admin, body: { roles: ['viewer', 'approver'] } });

    const byTarget = await exportedEvents(admin, `&targetType=ci-token&targetId=${created.body.token.tokenId}`);
    expect(byTarget.map((e) => e.action)).toEqual(['token.created', 'token.revoked']);

    const byActor = await exportedEvents(admin, `&actor=user:${tenant.userIds['tenant-admin']}`);
    expect(byActor.length).toBeGreaterThanOrEqual(4);
    expect(byActor.every((e) => e.actor === `user:${tenant.userIds['tenant-admin']}`)).toBe(true);
    expect(byActor.map((e) => e.action)).toEqual(expect.arrayContaining(['user.invited', 'token.created', 'token.revoked', 'user.updated']));

    const byTime = await exportedEvents(admin, `&from=${fromTime}&to=${toTime}`);
    expect(byTime.map((e) => e.action)).toEqual(['token.created', 'token.revoked']);
    expect(byTime.every((e) => typeof e.seq === 'number')).toBe(true);

    const refused = await ctx.api.call('GET', '/audit/export?format=csv&targetType=ci-token', { token: admin });
    expect(refused.status).toBe(400);
    expect((await ctx.api.call('GET', '/audit/export?format=xml', { token: admin })).status).toBe(400);
  });

  it('lets only audit readers verify or export, and offers no way to change an event', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Append Only', { roles: ['tenant-admin', 'data-scientist'] });
    expect((await ctx.api.call('GET', '/audit/verify', { token: tenant.tokens['data-scientist'] })).status).toBe(403);
    expect((await ctx.api.call('GET', '/audit/export', { token: tenant.tokens['data-scientist'] })).status).toBe(403);
    const doc = await ctx.api.call('GET', '/openapi.json');
    const auditPaths = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).filter(([path]) => path.startsWith('/audit'));
    expect(auditPaths.map(([path]) => path).sort()).toEqual(['/audit/events', '/audit/export', '/audit/verify']);
    for (const [, operations] of auditPaths) expect(Object.keys(operations)).toEqual(['get']);
    const exportDoc = doc.body.paths['/audit/export'].get.responses['200'].content;
    expect(Object.keys(exportDoc).sort()).toEqual(['application/x-ndjson', 'text/csv']);
  });

  it('the local sealer seals a nudged tenant at once and the rest on its sweep, platform chain included', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Local Sealer', { roles: ['tenant-admin', 'viewer'] });
    const table = tableOf(tenant.tenantId);
    const sealer = new AuditSealer(ctx.platform, { sweepEveryMs: 0, nudgeDelayMs: 5 });
    sealer.nudge(tenant.tenantId);
    await sealer.stop();
    expect(await countUnsealed(table)).toBe(0);

    // Failed sign-ins are audited on a public route: no tenant scope to nudge, so the sweep finds them.
    const other = new AuditSealer(ctx.platform, { sweepEveryMs: 0 });
    await ctx.api.call('POST', '/auth/token', { body: { email: tenant.emails.viewer, password: 'wrong password!!' } });
    await other.sweep();
    expect(await countUnsealed(table)).toBe(0);
    expect(await countUnsealed(ctx.platform.platformTable())).toBe(0);
    expect(await verifyChain(ctx.platform.platformTable())).toMatchObject({ ok: true });
    expect((await verifyChain(table)).ok).toBe(true);
  });

  it('the stream handler seals the tenants named in a batch of INSERT records', async () => {
    const tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Stream Sealer', { roles: ['tenant-admin'] });
    const table = tableOf(tenant.tenantId);
    const pending = Array.from({ length: 5 }, (_, i) =>
      auditWrite({ actor: 'system:stream-test', requestId: `s${i}` }, 'test.event', { type: 'test', id: `s${i}` }, { after: { i } }, new Date(clock + i)),
    );
    await Promise.all(pending.map((p) => table.transact([p.write])));
    const handler = createAuditSealerHandler(() => ctx.platform, { confirmDelayMs: 10 });
    const records = pending.map(({ event: e }, i) => ({
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: String(1000 + i), Keys: { pk: { S: auditPartition(table) }, sk: { S: `E#${e.eventId}` } } },
    }));
    const unrelated = {
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: '1', Keys: { pk: { S: auditPartition(table) }, sk: { S: `E#${pending[0].event.eventId}` } } },
    };

    expect(await handler({ Records: [unrelated, ...records] })).toEqual({ batchItemFailures: [] });
    for (const { event: e } of pending)
      expect((await table.get<StoredAuditEvent>({ partition: ['AUDIT'], sort: `E#${e.eventId}` }))?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await countUnsealed(table)).toBe(0);
    expect((await verifyChain(table)).ok).toBe(true);
    expect(await handler({ sweep: true })).toEqual({ batchItemFailures: [] });
  });
});

/** RFC 4180, enough for the export: quoted cells with doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}
