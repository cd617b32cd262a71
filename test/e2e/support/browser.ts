import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install -y chromium), flags from ARCHITECTURE.md. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`no browser at ${executablePath}: install Debian's chromium (apt-get install -y chromium) or set STEWARD_CHROMIUM`);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
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

/** axe-core itself (the engine @axe-core/playwright wraps), loaded into the page as is. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_OPTIONS: RunOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };

/**
 * Runs axe in the page, loading it only when the document does not have it yet.
 * AxeBuilder injected axe afresh for every scan and finished each run in a new
 * blank page: measured on this machine, 1–3 s a scan against 0.2–0.5 s for
 * axe.run in a page that already holds a warm axe — the journey's SPA keeps
 * one document across most pages, so most scans reuse it.
 */
async function runAxe(page: Page): Promise<AxeResults> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (options) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, options),
    AXE_OPTIONS,
  );
}

/**
 * Saves a full-page screenshot of a main page and scans it with axe (WCAG 2 A/AA);
 * returns the serious and critical violations, so the caller asserts there are none.
 */
export async function checkPage(page: Page, name: string): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  await screenshot(page, name);
  const started = performance.now();
  const result = await runAxe(page);
  axeSummaries.push({
    page: name,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
    passes: result.passes.length,
    scanMs: Math.round(performance.now() - started),
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
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
