import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Reads the regular files of a SageMaker-style `model.tar.gz` (what a training
 * job leaves in S3 and what SageMaker unpacks into /opt/ml/model) into a map
 * of path → bytes. POSIX ustar and GNU long names; directories, links and other
 * entry types are skipped. Paths are normalised (`./model.json` → `model.json`).
 */
export function readModelArchive(gzipped: Uint8Array): Map<string, Uint8Array> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 48);
    const prefix = text(header.subarray(345, 500));
    const name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
    const data = tar.subarray(offset + 512, offset + 512 + size);
    longName = undefined;
    if (type === 'L') longName = text(data);
    else if (type === '0' || type === '7') files.set(normalise(name), new Uint8Array(data));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

function parseOctal(bytes: Uint8Array): number {
  const value = text(bytes).trim();
  return value ? parseInt(value, 8) : 0;
}

function normalise(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/**
 * Packs files into a `model.tar.gz` as a SageMaker training job leaves it
 * (regular files, ustar headers), for the local training path and tests.
 * Names must fit ustar's 100 bytes.
 */
export function writeModelArchive(files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array | string>>): Uint8Array {
  const entries: [string, Uint8Array | string][] =
    files instanceof Map ? [...(files as ReadonlyMap<string, Uint8Array>).entries()] : Object.entries(files as Readonly<Record<string, Uint8Array | string>>);
  const blocks: Buffer[] = [];
  for (const [name, content] of entries) {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    if (Buffer.byteLength(name) > 100) throw new Error(`archive member name too long for ustar: ${name}`);
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write('0000644\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
    header.write(
      Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0') + '\0',
      136,
      'ascii',
    );
    header.write('        ', 148, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\0' + '00', 257, 'ascii');
    const checksum = header.reduce((sum, b) => sum + b, 0);
    header.write(checksum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}
