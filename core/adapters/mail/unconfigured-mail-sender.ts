import { DependencyFailed } from '../../errors';
import type { Log } from '../../ports/log';
import type { MailSender, OutgoingMail } from '../../ports/mail-sender';

/**
 * Where no SMTP relay is configured (AWS without STEWARD_SMTP_URL): Cognito
 * still mails invitations, and notices are dropped with a warning that names
 * no recipient. A secret must never be dropped silently, so mail that carries one is
 * refused instead.
 */
export class UnconfiguredMailSender implements MailSender {
  constructor(private readonly log: Log) {}

  async send(mail: OutgoingMail): Promise<void> {
    if (mail.carriesSecret) throw new DependencyFailed('no mail server is configured (STEWARD_SMTP_URL)');
    this.log.warn('notice not mailed: no mail server is configured (STEWARD_SMTP_URL)', { subject: mail.subject });
  }
}
