import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install -y chromium), flags from ARCHITECTURE.md. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no browser at ${executablePath}: install Debian's chromium (apt-get install -y chromium) or set STEWARD_CHROMIUM`);
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Screenshots and axe reports go here (gitignored); STEWARD_E2E_ARTIFACTS moves them. */
export const ARTIFACTS = resolve(process.env.STEWARD_E2E_ARTIFACTS ?? join(__dirname, '..', '.artifacts'));

export interface AxeSummary {
  readonly page: string;
  readonly violations: { id: string; impact: string | null | undefined; nodes: number }[];
  readonly passes: number;
  readonly scanMs: number;
}

export const axeSummaries: AxeSummary[] = [];

/**
 * Saves a full-page screenshot of a main page and scans it with axe (WCAG 2 A/AA);
 * returns the serious and critical violations, so the caller asserts there are none.
 */
export async function checkPage(page: Page, name: string): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  await screenshot(page, name);
  const started = performance.now();
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  axeSummaries.push({
    page: name,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
    passes: result.passes.length,
    scanMs: Math.round(performance.now() - started),
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(join(ARTIFACTS, 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
}

/** Collects what the browser reports as errors: uncaught exceptions and console.error. */
export function watchConsole(page: Page, sink: string[]): void {
  page.on('pageerror', (error) => sink.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') sink.push(`console: ${message.text()} (${page.url()})`);
  });
}
