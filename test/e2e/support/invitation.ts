import type { Page } from 'playwright-core';

/**
 * How the journey receives an invitation: as the invitee does, from the mail
 * Steward sent (the local platform's mail catcher, read through its JSON API).
 * The console only says that a mail went out; no page ever shows the secret.
 * Returns the console link the invitee follows.
 */
export async function receiveInvitation(page: Page, email: string, inboxUrl: string): Promise<string> {
  await page.getByText(/invitation was mailed to/).waitFor();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { items } = (await (await fetch(`${inboxUrl}/api/messages?to=${encodeURIComponent(email)}`)).json()) as { items: Array<{ text: string }> };
    const secret = items.map((m) => /^Invitation: (\S+)$/m.exec(m.text)?.[1]).find(Boolean);
    if (secret) return `${new URL(page.url()).origin}/accept-invitation#token=${encodeURIComponent(secret)}`;
    if (Date.now() > deadline) throw new Error(`no invitation was mailed to ${email}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
