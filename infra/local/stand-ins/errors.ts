/** A start-up problem the user can fix; printed as one line with the fix, never a stack trace. */
export class StartupProblem extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'StartupProblem';
  }
}
