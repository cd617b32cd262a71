import { createTransport, type Transporter } from 'nodemailer';
import { DependencyFailed } from '../../errors';
import type { MailSender, OutgoingMail } from '../../ports/mail-sender';

/**
 * Sends through SMTP with nodemailer: the local mail catcher in local mode,
 * any relay (e.g. Amazon SES's SMTP interface) elsewhere. `url` is an
 * `smtp://host:port` address, with credentials in it when the relay wants them.
 */
export class SmtpMailSender implements MailSender {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from = 'Steward <steward@localhost>',
  ) {
    // The local catcher offers no TLS (it never leaves loopback); a remote relay is reached with smtps:// or STARTTLS.
    const target = new URL(url);
    const loopback = target.hostname === '127.0.0.1' || target.hostname === 'localhost';
    this.transport = createTransport({
      host: target.hostname,
      port: Number(target.port) || (target.protocol === 'smtps:' ? 465 : 587),
      secure: target.protocol === 'smtps:',
      ignoreTLS: loopback,
      requireTLS: !loopback && target.protocol !== 'smtps:',
      auth: target.username ? { user: decodeURIComponent(target.username), pass: decodeURIComponent(target.password) } : undefined,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (error) {
      throw new DependencyFailed('the mail server did not accept the message', { cause: error });
    }
  }

  close(): void {
    this.transport.close();
  }
}
