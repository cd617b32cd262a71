import { IoSchema, valueProblem } from '../../../../core/catalog/artifacts/io-schema';

function issuePaths(raw: unknown): string[] {
  const result = IoSchema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((i) => i.path.join('.'));
}

describe('IoSchema', () => {
  it('accepts scalar, tensor and category fields', () => {
    const io = IoSchema.parse({
      inputs: [
        { name: 'age', type: 'int', description: 'years' },
        { name: 'pixels', type: 'float', shape: [-1, 28, 28] },
        { name: 'region', type: 'category', allowed: ['north', 'south'] },
      ],
      outputs: [{ name: 'probability', type: 'double' }],
    });
    expect(io.inputs[1].shape).toEqual([-1, 28, 28]);
  });

  it.each([
    ['a name that is no identifier', { inputs: [{ name: 'monthly income', type: 'float' }], outputs: [{ name: 'y', type: 'float' }] }, ['inputs.0.name']],
    ['a name starting with a digit', { inputs: [{ name: '2x', type: 'float' }], outputs: [{ name: 'y', type: 'float' }] }, ['inputs.0.name']],
    ['an unknown type', { inputs: [{ name: 'x', type: 'decimal' }], outputs: [{ name: 'y', type: 'float' }] }, ['inputs.0.type']],
    ['a zero dimension', { inputs: [{ name: 'x', type: 'float', shape: [-1, 0] }], outputs: [{ name: 'y', type: 'float' }] }, ['inputs.0.shape.1']],
    [
      'allowed values on a non-category',
      { inputs: [{ name: 'x', type: 'string', allowed: ['a'] }], outputs: [{ name: 'y', type: 'float' }] },
      ['inputs.0.allowed'],
    ],
    [
      'a name declared twice',
      {
        inputs: [
          { name: 'x', type: 'float' },
          { name: 'x', type: 'int' },
        ],
        outputs: [{ name: 'y', type: 'float' }],
      },
      ['inputs.1.name'],
    ],
    ['no outputs', { inputs: [{ name: 'x', type: 'float' }], outputs: [] }, ['outputs']],
    ['an unknown key', { inputs: [{ name: 'x', type: 'float', unit: 'kg' }], outputs: [{ name: 'y', type: 'float' }] }, ['inputs.0']],
  ])('refuses %s', (_, raw, paths) => {
    expect(issuePaths(raw)).toEqual(paths);
  });
});

describe('valueProblem', () => {
  it.each([
    [{ type: 'float' as const }, 1.5, undefined],
    [{ type: 'float' as const }, Number.NaN, 'expected a finite number (float)'],
    [{ type: 'int' as const }, 3, undefined],
    [{ type: 'long' as const }, 3.5, 'expected an integer (long)'],
    [{ type: 'bool' as const }, 1, 'expected true or false (bool)'],
    [{ type: 'string' as const }, 'x', undefined],
    [{ type: 'category' as const, allowed: ['a', 'b'] }, 'c', "'c' is not one of the allowed values: a, b"],
    [{ type: 'category' as const }, 'anything', undefined],
  ])('%j with %p → %p', (field, value, problem) => {
    expect(valueProblem(field, value)).toBe(problem);
  });
});
