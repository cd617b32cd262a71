import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler } from '../../../functions/inspector/handler';
import { logisticRegression30 } from '../../fixtures/artifacts/build-onnx';
import { hugeFixedInputModel } from '../../fixtures/artifacts/hostile-onnx';
import { LOGISTIC_30_IO } from '../../fixtures/artifacts/io-schemas';

/**
 * The inspector function's handler (functions/inspector/handler.ts) as AWS
 * calls it: a job with a presigned URL in, one answer out. The URL here is a
 * local HTTP server standing in for S3's presigned GET.
 */
describe('inspector function handler', () => {
  let server: Server;
  let base: string;
  const objects = new Map<string, Uint8Array>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      // A body that never completes: the stall the job's wall clock must end.
      if (req.url === '/stall') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('x');
        return;
      }
      const body = objects.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': String(body.length) }).end(Buffer.from(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  function artifactJob(path: string, bytes: Uint8Array) {
    objects.set(path, bytes);
    return { kind: 'artifact', url: `${base}${path}`, size: bytes.length, format: 'onnx', expectedSha256: sha256(bytes), ioSchema: LOGISTIC_30_IO };
  }

  it('refuses an ONNX model with huge fixed input dimensions, naming the element limit', async () => {
    const answer = await handler({ job: artifactJob('/huge.onnx', hugeFixedInputModel()), timeoutMs: 15_000 });
    expect(answer.outcome).toBe('inspected');
    const result = (answer as { result: { refusal?: { fields: Array<{ field: string; problem: string }> } } }).result;
    expect(result.refusal?.fields[0].field).toBe('artifact');
    expect(result.refusal?.fields[0].problem).toContain('maxFedElements');
  });

  it('answers a sound model with its hash and summary', async () => {
    const bytes = logisticRegression30();
    const answer = await handler({ job: artifactJob('/good.onnx', bytes), timeoutMs: 15_000 });
    expect(answer).toMatchObject({ outcome: 'inspected', result: { sha256: sha256(bytes), summary: expect.any(Object) } });
    expect((answer as { result: { refusal?: unknown } }).result.refusal).toBeUndefined();
  });

  it('stops a job past its wall clock with a refusal naming the time limit', async () => {
    const job = { ...artifactJob('/unused', new Uint8Array(1000)), url: `${base}/stall` };
    const answer = await handler({ job, timeoutMs: 300 });
    expect(answer).toEqual({
      outcome: 'refused',
      refusal: {
        message: expect.stringContaining('limit: inspection time'),
        fields: [{ field: 'artifact', problem: expect.stringContaining('within 0.3 s (limit: inspection time)') }],
      },
    });
  });

  it('names the dataset file for a dataset job past its wall clock', async () => {
    const answer = await handler({ job: { kind: 'dataset', url: `${base}/stall`, size: 1000, format: 'csv' }, timeoutMs: 300 });
    expect(answer).toMatchObject({ outcome: 'refused', refusal: { fields: [{ field: 'file' }] } });
  });

  it('answers a malformed request as its own failure, reading nothing', async () => {
    const answer = await handler({ job: { kind: 'artifact', url: 'not a url' }, timeoutMs: 1000 });
    expect(answer).toMatchObject({ outcome: 'failed', failure: expect.stringContaining('malformed request') });
  });
});
