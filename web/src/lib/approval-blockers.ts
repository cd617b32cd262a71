/**
 * Why the signed-in person cannot decide on a version, before they try: the same
 * rules the API enforces (api: approvals:decide permission; core/catalog/approval-decision.ts:
 * segregation of duties). Empty when they can.
 */
export function approvalBlockers(input: {
  readonly roles: readonly string[];
  /** `user:<id>` or `token:<id>`: how the API names the caller. */
  readonly actor: string;
  readonly status: string;
  readonly createdBy: string;
  readonly startedBy?: string;
  readonly modelOwner: string;
}): string[] {
  const reasons: string[] = [];
  if (input.status !== 'pending-approval') reasons.push(`This version is ${input.status}; only versions pending approval can be approved or rejected.`);
  if (!input.roles.includes('approver'))
    reasons.push(
      `Only approvers decide on versions, and your roles are ${input.roles.join(', ') || 'none'}. Ask a tenant administrator for the approver role.`,
    );
  if (input.actor === input.createdBy) reasons.push('You registered this version, so someone else must decide (segregation of duties).');
  if (input.startedBy && input.actor === input.startedBy)
    reasons.push('You started the run that trained this version, so someone else must decide (segregation of duties).');
  if (input.actor === input.modelOwner) reasons.push('You own this model, so someone else must decide (segregation of duties).');
  return reasons;
}
