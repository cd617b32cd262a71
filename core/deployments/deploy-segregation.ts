import { Forbidden } from '../errors';

/**
 * Segregation of duties at deployment: whoever approved a version may not
 * also put it into production, when the tenant's policy says so (strict by
 * default). Pure, so the governance policy can decide `approverCannotDeploy`
 * and this stays the one place that applies it.
 *
 * @example
 * assertDeployerIsNotApprover({ approvers: ['user:u1'], deployer: 'user:u1', approverCannotDeploy: true }); // throws Forbidden
 */
export function assertDeployerIsNotApprover(input: { approvers: readonly string[]; deployer: string; approverCannotDeploy?: boolean; what: string }): void {
  const strict = input.approverCannotDeploy ?? true;
  if (strict && input.approvers.includes(input.deployer)) {
    throw new Forbidden(`you approved ${input.what}; this tenant's policy does not let the approver of a version deploy it`);
  }
}
