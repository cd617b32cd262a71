import { Readable } from 'node:stream';
import { DependencyFailed, NotFound } from '../errors';
import type { ByteRangeSource } from '../catalog/datasets/tabular-readers';

/**
 * Reads one object through a presigned GET URL: as a stream, or by byte
 * ranges. An isolated inspection holds nothing else (no credentials, no
 * client), so the URL is the whole of its access: one object, read-only, for
 * the URL's lifetime.
 */
export class UrlObjectReader {
  constructor(
    private readonly url: string,
    private readonly label: string,
  ) {}

  /** The object's bytes as a stream of chunks. */
  async open(): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.fetch({});
    return Readable.fromWeb(res.body! as never) as AsyncIterable<Uint8Array>;
  }

  /** Random access by HTTP range requests (Parquet). */
  ranges(byteLength: number): ByteRangeSource {
    return {
      byteLength,
      slice: async (start, end = byteLength) => {
        if (end <= start) return new ArrayBuffer(0);
        const res = await this.fetch({ headers: { range: `bytes=${start}-${end - 1}` } });
        const body = await res.arrayBuffer();
        // A server that ignores Range sends the whole object (200): cut the range out of it.
        return res.status === 206 ? body : body.slice(start, end);
      },
    };
  }

  /** The whole object, refusing to hold more than `maxBytes` (the declared size): a larger body is cut off, not buffered. */
  async readAll(maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of await this.open()) {
      total += chunk.byteLength;
      if (total > maxBytes) return { bytes: new Uint8Array(), truncated: true };
      parts.push(chunk);
    }
    return { bytes: Buffer.concat(parts), truncated: false };
  }

  private async fetch(init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.url, init);
    } catch (error) {
      throw new DependencyFailed('object store request failed', { cause: error });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new NotFound('object', this.label);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DependencyFailed(`object store request failed (${res.status})`);
    }
    return res;
  }
}
