/** The artifact (or a file in it) could not be read: missing object, unreachable store. */
export class ArtifactUnavailable extends Error {
  constructor(
    readonly uri: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${uri}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The artifact was read but is not a model the runtime accepts. */
export class InvalidArtifact extends Error {
  constructor(
    readonly uri: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${uri} is not a valid model: ${problem}`, options);
    this.name = new.target.name;
  }
}

/**
 * The artifact's bytes are not the ones the catalog verified: serving loads
 * only the exact, immutable artifact a version was approved with.
 */
export class ArtifactChecksumMismatch extends InvalidArtifact {
  constructor(
    uri: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(uri, `its SHA-256 is ${actual}, not the expected ${expected}: the stored artifact is not the one the version was registered with`);
  }
}
