import { Conflict } from '../errors';
import type { Log } from '../ports/log';
import type { MailSender, OutgoingMail } from '../ports/mail-sender';
import type { ScopedWrite } from '../ports/metadata-store';
import type { DirectoryUser } from '../ports/user-directory';
import type { IdentityDeps } from './identity-deps';
import { invitationMail } from './identity-mail';
import { Logins } from './logins';

export type InvitationOutcome = { readonly kind: 'invited'; readonly platformWrites: ScopedWrite[] } | { readonly kind: 'address-taken' };

/**
 * Creates the sign-in identity of an invited user and delivers the invitation
 * to the invitee by mail (locally; Cognito mails its own on AWS). The mail goes
 * out before the caller commits: a failed commit leaves a dead invitation in a
 * mailbox, never an invited user whose secret was lost.
 *
 * An address that already has an account anywhere on the platform is not an
 * error the caller sees (that would tell a tenant which addresses exist
 * elsewhere): the outcome is `address-taken`, and the caller mails a notice.
 */
export async function provisionInvitee(deps: IdentityDeps, user: DirectoryUser, where: string, now: Date): Promise<InvitationOutcome> {
  if (await new Logins(deps.controlPlane.platform()).get(user.email)) return { kind: 'address-taken' };
  let provisioned;
  try {
    provisioned = await deps.directory.provision(user, now);
  } catch (error) {
    if (error instanceof Conflict) return { kind: 'address-taken' };
    throw error;
  }
  const { invitation, platformWrites } = provisioned;
  if (invitation.delivery === 'token') await deps.mail.send(invitationMail(user.email, where, invitation.token, invitation.expiresAt));
  return { kind: 'invited', platformWrites };
}

/** Mails a notice after the fact: its loss is logged, never the caller's failure (it carries no secret). */
export async function sendNotice(mail: MailSender, message: OutgoingMail, log: Log): Promise<void> {
  await mail
    .send(message)
    .catch((error: unknown) =>
      log.warn('a notice mail could not be sent', { subject: message.subject, error: error instanceof Error ? error.message : String(error) }),
    );
}
