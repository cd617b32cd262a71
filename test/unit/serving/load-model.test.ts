import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ArtifactChecksumMismatch } from '../../../serving/artifacts/artifact-errors';
import { writeModelArchive } from '../../../serving/artifacts/model-archive';
import { directoryArtifact, openS3Artifact, sha256Hex, singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { loadModel } from '../../../serving/runtimes/load-model';
import { encodeJson } from '../../fixtures/artifacts/credit-scorecard';
import { pointsScorecard, POINTS_SCORECARD_IO } from '../../fixtures/artifacts/points-scorecard';
import { bytes, LOGISTIC } from './fixtures';

/** An S3 client that answers every GetObject with `body`. */
function s3Returning(body: Uint8Array): S3Client {
  return { send: async () => ({ Body: { transformToByteArray: async () => body } }) } as unknown as S3Client;
}

const card = encodeJson(pointsScorecard());

describe('loadModel checks the artifact against the catalog hash', () => {
  it('loads a single-object artifact whose SHA-256 matches, and refuses one that does not', async () => {
    const artifact = singleFileArtifact('s3://b/scorecard.json', 'scorecard.json', card);
    const model = await loadModel({ runtime: 'scorecard', artifact, ioSchema: POINTS_SCORECARD_IO, sha256: sha256Hex(card) });
    expect(model.model.kind).toBe('scorecard');
    const tampered = singleFileArtifact('s3://b/scorecard.json', 'scorecard.json', encodeJson({ ...pointsScorecard(), basePoints: 9000 }));
    const error = await loadModel({ runtime: 'scorecard', artifact: tampered, ioSchema: POINTS_SCORECARD_IO, sha256: sha256Hex(card) }).catch((e) => e);
    expect(error).toBeInstanceOf(ArtifactChecksumMismatch);
    expect(error.message).toContain(`not the expected ${sha256Hex(card)}`);
  });

  it('hashes the whole stored object for a model.tar.gz read from S3', async () => {
    const archive = writeModelArchive({ 'model.json': JSON.stringify(LOGISTIC) });
    const artifact = await openS3Artifact(s3Returning(archive), 's3://models-bucket/model.tar.gz', 'model.json');
    await expect(loadModel({ runtime: 'linear', artifact, sha256: sha256Hex(archive) })).resolves.toBeDefined();
    await expect(loadModel({ runtime: 'linear', artifact, sha256: sha256Hex(bytes(JSON.stringify(LOGISTIC))) })).rejects.toThrow(ArtifactChecksumMismatch);
  });

  it('hashes the main file of a model directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-model-'));
    try {
      await writeFile(join(dir, 'scorecard.json'), card);
      await expect(loadModel({ runtime: 'scorecard', artifact: directoryArtifact(dir), sha256: sha256Hex(card) })).resolves.toBeDefined();
      await expect(loadModel({ runtime: 'scorecard', artifact: directoryArtifact(dir), sha256: '0'.repeat(64) })).rejects.toThrow(ArtifactChecksumMismatch);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads without a hash when none is expected', async () => {
    await expect(loadModel({ runtime: 'scorecard', artifact: singleFileArtifact('s3://b/s.json', 'scorecard.json', card) })).resolves.toBeDefined();
  });
});
