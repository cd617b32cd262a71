/** A dataset column as the profile describes it (GET /datasets/{id}/versions/{v}). */
export interface ColumnLike {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'boolean' | 'string' | 'datetime';
  readonly categorical: boolean;
}

type IoType = 'float' | 'double' | 'int' | 'long' | 'bool' | 'string' | 'category';

/**
 * A model's input/output schema from a dataset's columns: every column but the
 * target is an input, typed from the profile; the outputs are the score a
 * train-evaluate model writes (probability) and its label.
 */
export function ioSchemaFromColumns(
  columns: readonly ColumnLike[],
  target: string,
): { inputs: { name: string; type: IoType }[]; outputs: { name: string; type: IoType; description: string }[] } {
  const inputs = columns
    .filter((c) => c.name !== target)
    .map((c) => ({ name: c.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1'), type: ioType(c) }));
  return {
    inputs,
    outputs: [
      { name: 'probability', type: 'float', description: `P(${target})` },
      { name: 'label', type: 'long', description: `predicted ${target}` },
    ],
  };
}

function ioType(c: ColumnLike): IoType {
  if (c.categorical || c.type === 'string' || c.type === 'datetime') return 'category';
  if (c.type === 'boolean') return 'bool';
  return 'float';
}
