import { isNumericType, type Field, type IoSchema } from '../../core/catalog/artifacts/io-schema';
import { InvalidArtifact } from '../artifacts/artifact-errors';

function compatible(a: Field, b: Field): boolean {
  return (
    a.type === b.type ||
    (isNumericType(a.type) && isNumericType(b.type)) ||
    (a.type !== 'bool' && b.type !== 'bool' && !isNumericType(a.type) && !isNumericType(b.type))
  );
}

/**
 * An artifact that names its own inputs (linear features, rules and scorecard
 * fields) may read only fields the version declares, of a compatible type
 * (numeric with numeric, text with text, bool with bool): the version's
 * schema is the contract its callers were given.
 * @throws InvalidArtifact naming each field that breaks it
 */
export function checkInputsDeclared(uri: string, inputs: readonly Field[], io: IoSchema): void {
  const declared = new Map(io.inputs.map((f) => [f.name, f]));
  const problems: string[] = [];
  for (const field of inputs) {
    const other = declared.get(field.name);
    if (!other) problems.push(`input '${field.name}' is not among the version's declared inputs (${io.inputs.map((f) => f.name).join(', ')})`);
    else if (!compatible(field, other)) problems.push(`input '${field.name}' is ${field.type} in the artifact but ${other.type} in the version's schema`);
  }
  if (problems.length) throw new InvalidArtifact(uri, problems.join('; '));
}
