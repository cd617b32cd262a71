/** One plain-text message to one person (invitations, sign-up notices). */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Holds a secret (an invitation): must be delivered, never dropped for want of a server. */
  readonly carriesSecret?: boolean;
}

/**
 * Where Steward hands mail that only its recipient may read: locally the
 * embedded SMTP catcher (infra/local/stand-ins/mail-catcher.ts) through
 * nodemailer, on AWS an SMTP relay if one is configured. On AWS, Cognito
 * mails invitations itself (CognitoUserDirectory), so nothing secret passes
 * through here there.
 */
export interface MailSender {
  /** Resolves once the mail server has accepted the message; rejects otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}
