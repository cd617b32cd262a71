import { ValidationFailed } from '../../errors';

/** Where in a file a problem was found: 1-based line and column (CSV, JSON Lines) or row (Parquet). */
export interface DataLocation {
  readonly line?: number;
  readonly column?: number;
  readonly row?: number;
}

/**
 * The content of a dataset file is not what its format promises. The message
 * names the place (`line 12, column 3: …`) so a person can open the file there.
 */
export class MalformedDataset extends ValidationFailed {
  constructor(
    readonly format: string,
    readonly problem: string,
    readonly location: DataLocation = {},
    options?: ErrorOptions,
  ) {
    const where = describeLocation(location);
    super(
      `malformed ${format.toUpperCase()}${where ? ` at ${where}` : ''}: ${problem}`,
      [{ field: 'file', problem: `${where ? `${where}: ` : ''}${problem}` }],
      options,
    );
  }
}

function describeLocation(location: DataLocation): string {
  const parts: string[] = [];
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.row !== undefined) parts.push(`row ${location.row}`);
  if (location.column !== undefined) parts.push(`column ${location.column}`);
  return parts.join(', ');
}
