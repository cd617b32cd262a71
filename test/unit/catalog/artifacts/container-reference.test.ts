import { parseEcrImage, validateContainerReference } from '../../../../core/catalog/artifacts/container-reference';
import { encodeJson } from '../../../fixtures/artifacts/credit-scorecard';
import { problemAt, problemsOf } from '../../../fixtures/artifacts/validation-problems';

const DIGEST = 'a'.repeat(40) + '0123456789abcdef01234567';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('validateContainerReference', () => {
  it('accepts an image pinned by digest, with its environment', () => {
    const summary = validateContainerReference(
      encodeJson({ image: `${REGISTRY}/scoring/credit-model@sha256:${DIGEST}`, environment: { MODEL_NAME: 'credit', SAGEMAKER_PROGRAM: 'serve.py' } }),
    );
    expect(summary).toEqual({
      image: `${REGISTRY}/scoring/credit-model@sha256:${DIGEST}`,
      account: '123456789012',
      region: 'eu-west-1',
      repository: 'scoring/credit-model',
      digest: `sha256:${DIGEST}`,
      pinnedByDigest: true,
      environmentVariables: ['MODEL_NAME', 'SAGEMAKER_PROGRAM'],
      warnings: [],
    });
  });

  it('accepts an immutable-looking tag, but warns that a digest is preferred', () => {
    const summary = validateContainerReference(encodeJson({ image: `${REGISTRY}/credit-model:2024.06.1` }));
    expect(summary.pinnedByDigest).toBe(false);
    expect(summary.tag).toBe('2024.06.1');
    expect(summary.warnings).toEqual([expect.stringContaining('prefer @sha256:<digest>')]);
  });

  it('accepts a tag and a digest together (the digest pins), and China and GovCloud registries', () => {
    expect(validateContainerReference(encodeJson({ image: `${REGISTRY}/credit-model:latest@sha256:${DIGEST}` })).pinnedByDigest).toBe(true);
    expect(parseEcrImage(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/scorer:v1`)).toMatchObject({ region: 'cn-north-1' });
    expect(parseEcrImage(`123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/scorer:v1`)).toMatchObject({ region: 'us-gov-west-1' });
  });

  it.each(['latest', 'LATEST'])("refuses the tag '%s': it is not immutable", async (tag) => {
    const problems = await problemsOf(() => validateContainerReference(encodeJson({ image: `${REGISTRY}/credit-model:${tag}` })));
    expect(problems).toEqual([{ field: 'artifact.image', problem: expect.stringContaining("tag 'latest' is not immutable") }]);
  });

  it.each([
    ['no tag or digest', `${REGISTRY}/credit-model`, /names no tag or digest/],
    ['a Docker Hub image', 'python:3.12-slim', /not an ECR image reference/],
    ['an 11-digit account', `12345678901.dkr.ecr.eu-west-1.amazonaws.com/m:v1`, /not an ECR image reference/],
    ['a short digest', `${REGISTRY}/m@sha256:abc123`, /not an ECR image reference/],
    ['an upper-case repository', `${REGISTRY}/Credit-Model:v1`, /not an ECR image reference/],
  ])('refuses %s', async (_, image, reason) => {
    const problems = await problemsOf(() => validateContainerReference(encodeJson({ image })));
    expect(problemAt(problems, 'artifact.image')).toMatch(reason);
  });

  it('refuses environment names that are not variable names, values that are not strings, and unknown keys', async () => {
    const problems = await problemsOf(() =>
      validateContainerReference(encodeJson({ image: `${REGISTRY}/scorer@sha256:${DIGEST}`, environment: { '1BAD': 'x', THREADS: 4 }, command: ['serve'] })),
    );
    expect(problems.map((p) => p.field).sort()).toEqual(['artifact', 'artifact.environment.1BAD', 'artifact.environment.THREADS']);
    expect(problemAt(problems, 'artifact')).toMatch(/command/);
  });

  it('refuses more than 100 environment variables', async () => {
    const environment = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`VAR_${i}`, 'x']));
    const problems = await problemsOf(() => validateContainerReference(encodeJson({ image: `${REGISTRY}/scorer@sha256:${DIGEST}`, environment })));
    expect(problemAt(problems, 'artifact.environment')).toMatch(/at most 100/);
  });

  it('refuses a document that is not JSON, or has no image', async () => {
    expect(await problemsOf(() => validateContainerReference(new TextEncoder().encode('image: x')))).toEqual([
      { field: 'artifact', problem: expect.stringMatching(/^not JSON: /) },
    ]);
    expect((await problemsOf(() => validateContainerReference(encodeJson({})))).map((p) => p.field)).toEqual(['artifact.image']);
  });
});

describe('parseEcrImage', () => {
  it('refuses a one-letter repository (ECR names are 2 to 256 characters)', () => {
    expect(parseEcrImage(`${REGISTRY}/m:v1`)).toEqual({ problem: 'the repository name must be 2 to 256 characters' });
  });
});
