import { endpointConfigSchema, type EndpointRecord } from '../../../serving/gateway/endpoint-registry';
import { chooseShadows, chooseVariant, UnknownTargetVariant } from '../../../serving/gateway/variant-selection';

const model = { runtime: 'linear' as const, artifactUri: 's3://bucket/m.json' };

function endpoint(weights: number[], shadows: number[] = []): EndpointRecord {
  const config = endpointConfigSchema.parse({
    productionVariants: weights.map((weight, i) => ({ variantName: `v${i}`, weight, model })),
    shadowVariants: shadows.map((samplingPercentage, i) => ({ variantName: `s${i}`, samplingPercentage, model })),
  });
  return { ...config, endpointName: 'ep', createdAt: '', updatedAt: '' };
}

describe('weighted variant choice', () => {
  it('maps the random draw onto cumulative weights', () => {
    const ep = endpoint([1, 3]); // v0 owns [0, 0.25), v1 owns [0.25, 1)
    expect(chooseVariant(ep, undefined, () => 0).variantName).toBe('v0');
    expect(chooseVariant(ep, undefined, () => 0.2499).variantName).toBe('v0');
    expect(chooseVariant(ep, undefined, () => 0.25).variantName).toBe('v1');
    expect(chooseVariant(ep, undefined, () => 0.999999).variantName).toBe('v1');
  });

  it('never picks a weight-0 variant at random, but serves it when targeted', () => {
    const ep = endpoint([0, 2, 0]);
    for (const r of [0, 0.3, 0.7, 0.9999]) expect(chooseVariant(ep, undefined, () => r).variantName).toBe('v1');
    expect(chooseVariant(ep, 'v2', () => 0).variantName).toBe('v2');
  });

  it('splits traffic in proportion to weight', () => {
    const ep = endpoint([1, 1, 2]);
    const counts: Record<string, number> = { v0: 0, v1: 0, v2: 0 };
    let seed = 42;
    // A fixed LCG, so the proportions are reproducible.
    const random = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
    for (let i = 0; i < 20000; i++) counts[chooseVariant(ep, undefined, random).variantName]++;
    expect(counts.v0 / 20000).toBeCloseTo(0.25, 1);
    expect(counts.v1 / 20000).toBeCloseTo(0.25, 1);
    expect(counts.v2 / 20000).toBeCloseTo(0.5, 1);
  });

  it('refuses a TargetVariant the endpoint does not have', () => {
    expect(() => chooseVariant(endpoint([1]), 'green')).toThrow(new UnknownTargetVariant('ep', 'green'));
  });

  it('mirrors to shadows by their sampling percentage', () => {
    const ep = endpoint([1], [100, 30, 0]);
    expect(chooseShadows(ep, () => 0.29).map((s) => s.variantName)).toEqual(['s0', 's1']);
    expect(chooseShadows(ep, () => 0.3).map((s) => s.variantName)).toEqual(['s0']);
  });
});

describe('endpoint configuration', () => {
  it('refuses all-zero weights, duplicate names, unknown runtimes and non-S3 artifacts', () => {
    const result = endpointConfigSchema.safeParse({
      productionVariants: [
        { variantName: 'a', weight: 0, model },
        { variantName: 'a', weight: 0, model: { runtime: 'pickle', artifactUri: '/etc/passwd' } },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^productionVariants\.1\.model\.runtime: /),
        'productionVariants.1.model.artifactUri: must be s3://bucket/key',
      ]),
    );
  });

  it('refuses duplicate variant names and all-zero weights on otherwise valid variants', () => {
    const result = endpointConfigSchema.safeParse({
      productionVariants: [
        { variantName: 'a', weight: 0, model },
        { variantName: 'a', weight: 0, model },
      ],
    });
    expect(result.error!.issues.map((i) => i.message)).toEqual([
      'variant names must be unique; repeated: a',
      'at least one production variant needs a weight above 0',
    ]);
  });
});
