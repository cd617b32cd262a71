import type { Page } from 'playwright-core';

/**
 * How the journey receives an invitation: today the approval (or invite) answer
 * carries the secret and the console shows the link once, so it is read from the
 * page. When invitations move to the local mail inbox, only this function changes
 * (read the newest mail to `email` and take its link).
 */
export async function receiveInvitation(page: Page, email: string): Promise<string> {
  const link = page.getByTestId('invitation-link');
  await link.waitFor();
  const text = (await link.textContent())?.trim() ?? '';
  if (!text.includes('/accept-invitation#token=')) throw new Error(`no invitation link for ${email} on the page (found "${text}")`);
  return text;
}
