import { ArtifactUnavailable } from '../../../serving/artifacts/artifact-errors';
import { readModelArchive, writeModelArchive } from '../../../serving/artifacts/model-archive';
import { parseS3Uri, singleFileArtifact } from '../../../serving/artifacts/model-artifacts';
import { bytes, text } from './fixtures';

describe('model.tar.gz', () => {
  it('round-trips files, including ones larger than one tar block', () => {
    const big = 'x'.repeat(1500);
    const files = readModelArchive(writeModelArchive({ 'model.json': '{"a":1}', 'code/notes.txt': big }));
    expect([...files.keys()]).toEqual(['model.json', 'code/notes.txt']);
    expect(text(files.get('model.json')!)).toBe('{"a":1}');
    expect(text(files.get('code/notes.txt')!)).toBe(big);
  });

  it('refuses bytes that are not gzip', () => {
    expect(() => readModelArchive(bytes('plain'))).toThrow();
  });
});

describe('artifact locations', () => {
  it('parses s3 URIs and refuses anything else', () => {
    expect(parseS3Uri('s3://my-bucket/tenants/t1/model.tar.gz')).toEqual({ bucket: 'my-bucket', key: 'tenants/t1/model.tar.gz' });
    expect(parseS3Uri('s3://my-bucket/')).toBeUndefined();
    expect(parseS3Uri('https://my-bucket/x')).toBeUndefined();
  });

  it('serves a single object only as the main file', async () => {
    const artifact = singleFileArtifact('s3://b/k', 'model.json', bytes('{}'));
    await expect(artifact.file('model.json')).resolves.toEqual(bytes('{}'));
    await expect(artifact.file('model.onnx')).rejects.toBeInstanceOf(ArtifactUnavailable);
  });
});
