import { createHash, type Hash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TenantObjectStore } from '../../ports/object-store';
import { DependencyFailed, NotFound } from '../../errors';
import type { ByteRangeSource } from './tabular-readers';

/** How long the in-process transfer URLs live: long enough to read a 1 GiB file twice. */
const TRANSFER_URL_SECONDS = 60 * 60;

/**
 * Streaming access to a tenant's objects for dataset registration: read as a
 * stream, read byte ranges, copy without holding the object in memory.
 *
 * TenantObjectStore offers whole-object reads and writes only, and the SDK stays
 * inside core/adapters; so these transfers go through URLs presigned by the
 * tenant's own TenantObjectStore (on AWS: signed with the tenant-scoped session),
 * which keeps every byte under `tenants/<tenantId>/` and works the same on S3
 * and s3rver. When TenantObjectStore grows streaming methods, this class becomes a
 * thin delegation to them.
 */
export class DatasetObjects {
  constructor(private readonly objects: TenantObjectStore) {}

  /** The object's bytes as a stream of chunks. */
  async open(key: string): Promise<AsyncIterable<Uint8Array>> {
    const url = await this.objects.presignGet(key, { expiresInSeconds: TRANSFER_URL_SECONDS });
    const res = await this.fetch(url, {}, key);
    return Readable.fromWeb(res.body! as never) as AsyncIterable<Uint8Array>;
  }

  /** Random access by HTTP range requests (Parquet). */
  async ranges(key: string, byteLength: number): Promise<ByteRangeSource> {
    const url = await this.objects.presignGet(key, { expiresInSeconds: TRANSFER_URL_SECONDS });
    return {
      byteLength,
      slice: async (start, end = byteLength) => {
        if (end <= start) return new ArrayBuffer(0);
        const res = await this.fetch(url, { headers: { range: `bytes=${start}-${end - 1}` } }, key);
        const body = await res.arrayBuffer();
        // A server that ignores Range sends the whole object (200): cut the range out of it.
        return res.status === 206 ? body : body.slice(start, end);
      },
    };
  }

  /**
   * Copies `from` to `to` as a stream (a GET piped into a PUT with the known
   * length; S3 refuses chunked uploads without one), checks the copy's size,
   * and returns the SHA-256 of the bytes copied, so the caller can tell that
   * they are the bytes it inspected earlier.
   */
  async copy(from: string, to: string, size: number, contentType: string): Promise<{ sha256: string }> {
    const hash = createHash('sha256');
    const source = hashing(await this.open(from), hash);
    const url = new URL(await this.objects.presignPut(to, { expiresInSeconds: TRANSFER_URL_SECONDS, contentType }));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method: 'PUT', headers: { 'content-length': String(size), 'content-type': contentType } }, resolve);
      req.on('error', reject);
      pipeline(Readable.from(source), req).catch(reject);
    }).catch((error: unknown) => {
      throw new DependencyFailed('object store request failed (dataset copy)', { cause: error });
    });
    const text = await readText(response);
    if ((response.statusCode ?? 500) >= 300) throw new DependencyFailed(`object store refused the dataset copy (${response.statusCode}): ${text.slice(0, 200)}`);
    const stored = await this.objects.head(to);
    if (stored?.size !== size) throw new DependencyFailed(`dataset copy is ${stored?.size ?? 'missing'} bytes, expected ${size}`);
    return { sha256: hash.digest('hex') };
  }

  private async fetch(url: string, init: RequestInit, key: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (error) {
      throw new DependencyFailed('object store request failed', { cause: error });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new NotFound('object', key);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DependencyFailed(`object store request failed (${res.status})`);
    }
    return res;
  }
}

async function* hashing(chunks: AsyncIterable<Uint8Array>, hash: Hash): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

async function readText(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
