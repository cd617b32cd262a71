import type { OutgoingMail } from '../ports/mail-sender';

/**
 * What Steward mails about identities. Only an invitation carries a secret,
 * and it goes to the invitee alone: no API answer carries it.
 */
export function invitationMail(to: string, where: string, secret: string, expiresAt: string): OutgoingMail {
  return {
    to,
    subject: `You are invited to ${where} on Steward`,
    carriesSecret: true,
    text: [
      `You were invited to ${where} on Steward.`,
      '',
      'To activate your account, choose a password and redeem this one-time invitation',
      `(in the console, or with POST /auth/accept-invitation). It expires at ${expiresAt}.`,
      '',
      `Invitation: ${secret}`,
      '',
      'If you did not expect this, ignore this mail: nothing happens until the invitation is redeemed.',
    ].join('\n'),
  };
}

export function accountExistsMail(to: string, what: string): OutgoingMail {
  return {
    to,
    subject: 'Your Steward address was used again',
    text: [
      `Someone asked for ${what} with this address, which already has a Steward account.`,
      'An address belongs to one account, so nothing was created for it.',
      '',
      'If that was you, sign in with your existing account, or ask for the request to be made with another address.',
      'If it was not you, there is nothing to do.',
    ].join('\n'),
  };
}

export function signUpReceivedMail(to: string, tenantName: string): OutgoingMail {
  return {
    to,
    subject: `Your request for the Steward tenant "${tenantName}"`,
    text: [
      `We received a request for a Steward tenant named "${tenantName}", with this address as its administrator.`,
      'A platform administrator reviews each request; once it is approved, you get an invitation by mail.',
      '',
      'If you did not ask for this, ignore this mail.',
    ].join('\n'),
  };
}
