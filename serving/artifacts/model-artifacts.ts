import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { ModelArtifact } from '../runtimes/model-runtime';
import { ArtifactUnavailable } from './artifact-errors';
import { readModelArchive } from './model-archive';

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/** `s3://bucket/key` → its parts; undefined when not an S3 URI. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = S3_URI.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

export function isArchive(key: string): boolean {
  return key.endsWith('.tar.gz') || key.endsWith('.tgz');
}

/**
 * Opens a model stored in S3 the way SageMaker does for a model's
 * ModelDataUrl: a `.tar.gz`/`.tgz` object is unpacked and its members are the
 * model directory; any other object is the runtime's main file itself
 * (`mainFile`), so a trainer can also store a bare `model.json`.
 */
export async function openS3Artifact(s3: S3Client, uri: string, mainFile: string): Promise<ModelArtifact> {
  const location = parseS3Uri(uri);
  if (!location) throw new ArtifactUnavailable(uri, 'not an s3://bucket/key URI');
  let bytes: Uint8Array;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    bytes = await out.Body!.transformToByteArray();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const reason = error instanceof NoSuchKey || status === 404 ? 'no such object' : `could not be read (${(error as Error).name})`;
    throw new ArtifactUnavailable(uri, reason, { cause: error });
  }
  const sha256 = sha256Hex(bytes);
  if (!isArchive(location.key)) return singleFileArtifact(uri, mainFile, bytes);
  let files: Map<string, Uint8Array>;
  try {
    files = readModelArchive(bytes);
  } catch (error) {
    throw new ArtifactUnavailable(uri, `not a readable .tar.gz: ${(error as Error).message}`, { cause: error });
  }
  return {
    uri,
    sha256,
    async file(name) {
      const file = files.get(name);
      if (!file) throw new ArtifactUnavailable(uri, `the archive has no ${name} (it holds: ${[...files.keys()].join(', ') || 'nothing'})`);
      return file;
    },
  };
}

/** One stored object standing for the model directory's main file. */
export function singleFileArtifact(uri: string, mainFile: string, bytes: Uint8Array): ModelArtifact {
  return {
    uri,
    sha256: sha256Hex(bytes),
    async file(name) {
      if (name !== mainFile) throw new ArtifactUnavailable(uri, `a single-object artifact holds only ${mainFile}, not ${name}`);
      return bytes;
    },
  };
}

/** A model directory on disk: SageMaker's /opt/ml/model inside the serving container. */
export function directoryArtifact(dir: string): ModelArtifact {
  return {
    uri: dir,
    async file(name) {
      try {
        return new Uint8Array(await readFile(join(dir, name)));
      } catch (error) {
        throw new ArtifactUnavailable(dir, `cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
      }
    },
  };
}

/** Lower-case hex SHA-256, as the catalog records artifacts. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
