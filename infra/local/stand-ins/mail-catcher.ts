import { mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { ulid } from 'ulid';
import { z } from 'zod';

/** One caught message, as the inbox page and its JSON API show it. */
export const CaughtMailSchema = z.object({
  id: z.string(),
  receivedAt: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
});
export type CaughtMail = z.infer<typeof CaughtMailSchema>;

export interface RunningMailCatcher {
  /** `smtp://127.0.0.1:<port>`, for nodemailer. */
  readonly smtpUrl: string;
  /** The web inbox (HTML at `/`, JSON at `/api/messages`). */
  readonly inboxUrl: string;
  stop(): Promise<void>;
}

// A catcher, not a mail store: the newest messages are enough to redeem an invitation.
const KEPT_MESSAGES = 500;
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The local stand-in for a mail service: an SMTP server (smtp-server) that
 * accepts every message and delivers none, and a web inbox where the person
 * at the keyboard reads what Steward sent (invitations, notices). Both listen
 * on 127.0.0.1 only. With `dataDir` messages are kept as JSON files, so an
 * invitation survives a restart.
 */
export async function startMailCatcher(options: { smtpPort: number; inboxPort: number; dataDir?: string }): Promise<RunningMailCatcher> {
  const messages: CaughtMail[] = [];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    for (const name of readdirSync(options.dataDir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const parsed = CaughtMailSchema.safeParse(JSON.parse(readFileSync(join(options.dataDir, name), 'utf8')));
      if (parsed.success) messages.push(parsed.data);
    }
  }
  const keep = (mail: CaughtMail) => {
    messages.push(mail);
    if (options.dataDir) writeFileSync(join(options.dataDir, `${mail.id}.json`), JSON.stringify(mail), { mode: 0o600 });
    while (messages.length > KEPT_MESSAGES) {
      const dropped = messages.shift()!;
      if (options.dataDir) rmSync(join(options.dataDir, `${dropped.id}.json`), { force: true });
    }
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    banner: 'Steward local mail catcher',
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          keep({
            id: ulid().toLowerCase(),
            receivedAt: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, '127.0.0.1', () => resolve());
  });

  let inbox: ServerType;
  try {
    inbox = await new Promise<ServerType>((resolve, reject) => {
      const server = serve({ fetch: inboxApp(messages).fetch, port: options.inboxPort, hostname: '127.0.0.1' }, () => resolve(server));
      server.once('error', reject);
    });
  } catch (error) {
    await new Promise<void>((r) => smtp.close(() => r()));
    throw error;
  }

  return {
    smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`,
    inboxUrl: `http://127.0.0.1:${options.inboxPort}`,
    async stop() {
      await Promise.all([
        new Promise<void>((r) => smtp.close(() => r())),
        new Promise<void>((r) => {
          inbox.close(() => r());
          (inbox as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
      ]);
    },
  };
}

/** The inbox: a page for people, `/api/messages[?to=]` and `/api/messages/:id` for tests and scripts. */
function inboxApp(messages: CaughtMail[]): Hono {
  const app = new Hono();
  const newestFirst = (to?: string) => messages.filter((m) => !to || m.to.includes(to.toLowerCase())).reverse();

  app.get('/api/messages', (c) => c.json({ items: newestFirst(c.req.query('to')) }));
  app.get('/api/messages/:id', (c) => {
    const mail = messages.find((m) => m.id === c.req.param('id'));
    return mail ? c.json(mail) : c.json({ error: 'no such message' }, 404);
  });
  app.delete('/api/messages', (c) => {
    messages.splice(0, messages.length);
    return c.body(null, 204);
  });
  app.get('/', (c) => {
    const to = c.req.query('to');
    const list = newestFirst(to);
    // hono's html template escapes every interpolated value: a subject cannot inject markup.
    const page = html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta http-equiv="refresh" content="10" />
          <title>Steward local inbox</title>
          <style>
            body {
              font:
                15px/1.45 system-ui,
                sans-serif;
              margin: 0;
              color: #1d2330;
              background: #f4f5f7;
            }
            header {
              background: #1d2330;
              color: #fff;
              padding: 0.8rem 1.5rem;
            }
            header h1 {
              font-size: 1.1rem;
              margin: 0;
            }
            header p {
              margin: 0.2rem 0 0;
              color: #c8cdd8;
              font-size: 0.85rem;
            }
            main {
              max-width: 60rem;
              margin: 1.5rem auto;
              padding: 0 1rem;
            }
            form {
              margin-bottom: 1rem;
            }
            input {
              font: inherit;
              padding: 0.3rem 0.5rem;
              min-width: 18rem;
            }
            article {
              background: #fff;
              border: 1px solid #d8dce3;
              border-radius: 6px;
              margin-bottom: 1rem;
            }
            article header {
              background: #fff;
              color: inherit;
              border-bottom: 1px solid #e6e8ec;
              padding: 0.6rem 1rem;
            }
            article h2 {
              font-size: 1rem;
              margin: 0;
            }
            dl {
              display: grid;
              grid-template-columns: auto 1fr;
              gap: 0.1rem 0.8rem;
              margin: 0.3rem 0 0;
              font-size: 0.85rem;
              color: #4a5160;
            }
            dt {
              font-weight: 600;
            }
            dd {
              margin: 0;
            }
            pre {
              margin: 0;
              padding: 0.8rem 1rem;
              white-space: pre-wrap;
              word-break: break-all;
              font:
                13px/1.5 ui-monospace,
                monospace;
            }
            .empty {
              color: #4a5160;
            }
          </style>
        </head>
        <body>
          <header>
            <h1>Steward local inbox</h1>
            <p>Mail Steward sent in local mode; nothing here left this machine. JSON: <a href="/api/messages" style="color:#fff">/api/messages</a></p>
          </header>
          <main>
            <form method="get" action="/">
              <label for="to">Recipient</label>
              <input id="to" name="to" type="email" value="${to ?? ''}" placeholder="someone@example.com" />
              <button type="submit">Filter</button>
            </form>
            ${list.length === 0 ? html`<p class="empty">No mail${to ? html` for ${to}` : ''} yet.</p>` : ''}
            ${list.map(
              (m) =>
                html`<article>
                  <header>
                    <h2>${m.subject || '(no subject)'}</h2>
                    <dl>
                      <dt>To</dt>
                      <dd>${m.to.join(', ')}</dd>
                      <dt>From</dt>
                      <dd>${m.from}</dd>
                      <dt>Received</dt>
                      <dd><time datetime="${m.receivedAt}">${m.receivedAt}</time></dd>
                    </dl>
                  </header>
                  <pre>${m.text}</pre>
                </article>`,
            )}
          </main>
        </body>
      </html>`;
    return c.html(page, 200, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'no-store' });
  });
  return app;
}
