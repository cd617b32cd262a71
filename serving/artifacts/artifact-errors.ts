/** The artifact (or a file in it) could not be read: missing object, unreachable store. */
export class ArtifactUnavailable extends Error {
  constructor(readonly uri: string, message: string, options?: ErrorOptions) {
    super(`${uri}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The artifact was read but is not a model the runtime accepts. */
export class InvalidArtifact extends Error {
  constructor(readonly uri: string, readonly problem: string, options?: ErrorOptions) {
    super(`${uri} is not a valid model: ${problem}`, options);
    this.name = new.target.name;
  }
}
