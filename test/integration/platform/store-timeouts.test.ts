import { createServer, type Server, type Socket } from 'node:net';
import { createAwsClients } from '../../../core/adapters/aws-clients';
import { tenantTable } from '../../../core/adapters/dynamodb/tables';
import { DependencyFailed } from '../../../core/errors';
import { localSettings } from '../../../infra/local/local-settings';

/**
 * Group commit sends one transaction at a time per client, so a call that
 * never answers must not hold the writes queued behind it: every DynamoDB call
 * gives up after STEWARD_DYNAMODB_TIMEOUT_MS.
 */
describe('a DynamoDB endpoint that accepts connections and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails each queued transaction with DependencyFailed after its attempts time out, instead of hanging', async () => {
    const settings = localSettings(
      { dynamodb: endpoint, s3: 'http://127.0.0.1:1', scoring: 'http://127.0.0.1:1', api: 'http://127.0.0.1:1' },
      { STEWARD_LOG_LEVEL: 'SILENT', STEWARD_DYNAMODB_TIMEOUT_MS: '150' },
    );
    const clients = createAwsClients(settings);
    const table = tenantTable(clients.documents, 'steward', 't0123456789abcde');
    const write = (n: number) => table.transact([{ kind: 'put', key: { partition: ['X'], sort: String(n) }, item: { n } }]);
    const started = Date.now();
    const outcomes = await Promise.allSettled([write(1), write(2), write(3)]);
    expect(outcomes.map((o) => o.status === 'rejected' && o.reason instanceof DependencyFailed)).toEqual([true, true, true]);
    // 4 attempts of 150 ms (plus back-off) for the first call, then one combined call for the other two.
    expect(Date.now() - started).toBeLessThan(15_000);
    clients.dynamodb.destroy();
  }, 30_000);
});
