import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, axeSummaries, checkPage, launchChromium, screenshot, watchConsole } from './support/browser';
import { PLATFORM_ADMIN, startConsolePlatform } from './support/console-platform';
import { receiveInvitation } from './support/invitation';

jest.setTimeout(120_000);

const DATASET = join(__dirname, '..', '..', '..', 'shared', 'datasets', 'breast-cancer.csv');
/** A batch input written at start: the first 30 rows of the dataset, two with a value the model cannot read. */
const BATCH_INPUT = join(ARTIFACTS, 'screening-batch.csv');
const PASSWORD = 'correct horse battery staple';
const TENANT = { name: 'Acme Risk', admin: 'admin@acme.example' };
const PEOPLE = { scientist: 'ds@acme.example', approver: 'approver@acme.example', deployer: 'deployer@acme.example' };

/**
 * The console's main journey, in headless Chromium against the real local platform:
 * sign-up → platform approval → invitation → users and a CI token → dataset upload →
 * training from a template → evaluation charts → approval (and why the data scientist
 * cannot) → audit filtered, exported, chain verified. Every main page is screenshot and
 * scanned with axe; the browser must report no errors.
 */
describe('the web console, end to end', () => {
  let platform: Awaited<ReturnType<typeof startConsolePlatform>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const browserErrors: string[] = [];
  const invitations: Record<string, string> = {};
  let versionUrl = '';

  const url = (path: string) => new URL(path, platform.consoleUrl).toString();

  /**
   * Scans once the page has settled: on conditions, not on a quiet network (polling
   * pages never go quiet for long, and waiting for 500 ms of silence on every page
   * added up): nothing says "Loading…" and the fonts are laid out.
   */
  async function expectAccessible(name: string): Promise<void> {
    await page.locator('.loading').first().waitFor({ state: 'detached' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    expect(await checkPage(page, name)).toEqual([]);
  }

  /** Opens a console address as an in-app link does (history push), without reloading the app. */
  async function openInConsole(path: string): Promise<void> {
    await page.evaluate((to) => {
      window.history.pushState({}, '', to);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, path);
  }

  async function signIn(email: string, password: string): Promise<void> {
    // After signing out the console already shows the sign-in page: no reload needed.
    if (!(await page.getByRole('heading', { name: 'Sign in to Steward' }).isVisible())) await page.goto(url('/sign-in'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Steward' }).waitFor();
  }

  async function redeem(link: string, email: string): Promise<void> {
    await page.goto(link);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await page.getByText(`Your account ${email} is active`).waitFor();
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [header, ...rows] = readFileSync(DATASET, 'utf8').trim().split('\n');
    const batch = rows.slice(0, 30).map((line, i) => (i === 4 || i === 11 ? line.replace(/^[^,]+/, 'not-a-number') : line));
    writeFileSync(BATCH_INPUT, `${[header, ...batch].join('\n')}\n`);
    platform = await startConsolePlatform();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(platform.consoleUrl!).origin });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    watchConsole(page, browserErrors);
  }, 120_000);

  afterAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'axe-summary.json'), `${JSON.stringify(axeSummaries, null, 2)}\n`);
    await browser?.close();
    await platform?.dispose();
  }, 60_000);

  it('takes a business unit from sign-up to approval by the platform administrator', async () => {
    await page.goto(url('/sign-up'));
    await expectAccessible('01-sign-up');
    await page.getByLabel('Business unit name').fill(TENANT.name);
    await page.getByLabel('Administrator email').fill(TENANT.admin);
    await page.getByRole('button', { name: 'Request tenant' }).click();
    await page.getByRole('heading', { name: 'Request received' }).waitFor();

    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await expectAccessible('02-sign-in');
    await signIn(PLATFORM_ADMIN.email, PLATFORM_ADMIN.password);
    await page.getByRole('cell', { name: new RegExp(`^${TENANT.name}`) }).waitFor();
    await expectAccessible('03-platform-tenants');
    await page.getByRole('button', { name: `Approve ${TENANT.name}` }).click();
    invitations.admin = await receiveInvitation(page, TENANT.admin, platform.inboxUrl);
    await signOut();
  });

  it('lets the tenant administrator redeem the invitation, invite colleagues and create a CI token', async () => {
    await redeem(invitations.admin, TENANT.admin);
    await screenshot(page, '04-sign-in-after-invitation');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'No models yet' }).waitFor();
    await expectAccessible('05-models-empty');
    // Tablet width: the navigation folds above the content.
    await page.setViewportSize({ width: 820, height: 1100 });
    await screenshot(page, '05b-models-empty-tablet');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('link', { name: 'Users' }).click();
    for (const [who, role] of [
      ['scientist', 'data-scientist'],
      ['approver', 'approver'],
      ['deployer', 'deployer'],
    ] as const) {
      await page.getByLabel('Email').fill(PEOPLE[who]);
      for (const box of ['tenant-admin', 'data-scientist', 'approver', 'deployer', 'viewer']) {
        await page.getByRole('checkbox', { name: new RegExp(`^${box}`) }).setChecked(box === role);
      }
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      invitations[who] = await receiveInvitation(page, PEOPLE[who], platform.inboxUrl);
      await page.getByRole('button', { name: 'Done' }).click();
    }
    await page.getByText(PEOPLE.approver).first().waitFor();
    await expectAccessible('06-users');

    await page.getByRole('link', { name: 'CI tokens' }).click();
    await page.getByLabel('Name').fill('nightly retrain');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('token-secret').textContent()) ?? '';
    expect(secret).toMatch(/^stw_/);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expectAccessible('07-ci-token-created');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByTestId('token-secret').count()).resolves.toBe(0);
    await signOut();
  });

  it('keeps what the data scientist typed when the session expires, and sends it once they sign in again', async () => {
    await redeem(invitations.scientist, PEOPLE.scientist);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByLabel('New project name').fill('credit-risk');
    await page.getByLabel('Description').fill('Cell-nucleus screening, typed before the session expired');
    // The API refuses the first attempt as an expired token would.
    await page.route(
      '**/projects',
      (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 401,
              contentType: 'application/problem+json',
              body: JSON.stringify({ type: 'urn:steward:problem:unauthenticated', title: 'Authentication required', status: 401, requestId: 'e2e' }),
            })
          : route.fallback(),
      { times: 1 },
    );
    await page.getByRole('button', { name: 'Create project' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session expired' });
    await dialog.waitFor();
    await expectAccessible('08-session-expired');
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in and continue' }).click();
    await page.getByRole('link', { name: /credit-risk/ }).waitFor();
    await expectAccessible('09-projects');
  });

  it('uploads a dataset with a progress bar and shows its schema and profile', async () => {
    await page.getByRole('link', { name: 'Datasets' }).click();
    await page.getByRole('heading', { name: 'No datasets yet' }).waitFor();
    await page.getByRole('link', { name: 'Upload a dataset' }).first().click();
    await page.getByLabel('Dataset name').fill('breast-cancer');
    await page.getByLabel('File').setInputFiles(DATASET);
    await page.getByLabel('Target column (optional)').fill('benign');
    await expectAccessible('10-dataset-upload');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'breast-cancer v1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('figure', { name: 'Histogram of mean_radius' }).waitFor();
    await expect(page.getByText('569', { exact: true }).count()).resolves.toBeGreaterThan(0);
    await expectAccessible('11-dataset-version');

    // The rows a batch job will score later (two of them unreadable for the model).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await page.getByRole('link', { name: 'Upload a dataset' }).first().click();
    await page.getByLabel('Dataset name').fill('screening-batch');
    await page.getByLabel('File').setInputFiles(BATCH_INPUT);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'screening-batch v1' }).waitFor({ timeout: 30_000 });
  });

  it('registers a model from the dataset columns and trains it from the template, following the run state by state', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'Register a model' }).first().click();
    await page.getByLabel('Project').selectOption({ label: 'credit-risk' });
    await page.getByLabel('Model name').fill('breast-cancer-screen');
    await page.getByLabel('Inputs from dataset').selectOption({ label: 'breast-cancer (v1)' });
    await page.getByLabel('Target column (the model predicts it)').selectOption('benign');
    await expectAccessible('12-model-new');
    await page.getByRole('button', { name: 'Register model' }).click();
    await page.getByRole('heading', { name: 'breast-cancer-screen' }).waitFor();
    await expectAccessible('13-model');

    await page.getByRole('link', { name: 'Train a new version' }).click();
    await page.getByRole('heading', { name: 'Start train-evaluate' }).waitFor();
    await expect(page.getByLabel('Model id').inputValue()).resolves.toMatch(/^[0-9a-z]{26}$/);
    await page.getByLabel('Dataset id', { exact: true }).selectOption({ label: 'breast-cancer (latest v1)' });
    await page.getByLabel('Version', { exact: true }).fill('1');
    await page.getByLabel('Target', { exact: true }).fill('benign');
    await page.getByLabel('Metric').selectOption('auc');
    await page.getByLabel('Minimum').fill('0.8');
    await expectAccessible('14-pipeline-start');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: /train-evaluate run/ }).waitFor();
    await page.getByRole('heading', { name: /train-evaluate run\s+SUCCEEDED/ }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.step').count()).resolves.toBeGreaterThan(4);
    await expectAccessible('15-execution');
  });

  it('shows the evaluation charts, lineage, and why the data scientist cannot approve', async () => {
    await page.getByRole('link', { name: 'Versions' }).click();
    await page.getByRole('link', { name: /breast-cancer-screen v1/ }).click();
    await page.getByRole('heading', { name: /breast-cancer-screen v1/ }).waitFor();
    versionUrl = page.url();
    await page.getByText(/ROC — AUC 0\.\d{3}/).waitFor();
    await page.getByRole('table').filter({ hasText: 'Predicted positive' }).waitFor();
    await page.getByRole('figure', { name: /^Lineage/ }).waitFor();
    // Datasets in the lineage graph by name and version, not by id.
    await page.getByRole('link', { name: 'breast-cancer v1 (open)' }).waitFor();
    const blockers = page.getByRole('note');
    await blockers.getByText('You cannot decide on this version.').waitFor();
    await blockers.getByText(/Only approvers decide on versions/).waitFor();
    await blockers.getByText(/You started the run that trained this version/).waitFor();
    await expectAccessible('16-version-data-scientist');
    // Lineage both ways: version → dataset → back to the version.
    await page.getByRole('link', { name: 'breast-cancer v1 (open)' }).click();
    await page.getByRole('heading', { name: 'breast-cancer v1' }).waitFor();
    await page.getByRole('link', { name: 'breast-cancer-screen v1' }).click();
    await page.getByRole('heading', { name: /breast-cancer-screen v1/ }).waitFor();
    await signOut();
  });

  it('lets the approver find the version in the inbox and approve it with a reason', async () => {
    await redeem(invitations.approver, PEOPLE.approver);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('link', { name: /breast-cancer-screen v1/ }).waitFor();
    await expectAccessible('17-approvals-inbox');
    await page.getByRole('link', { name: /breast-cancer-screen v1/ }).click();
    await page.getByLabel('Reason').fill('AUC well above the bar on the hold-out set; lineage complete');
    await screenshot(page, '18-version-approver');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/You approved this version/).waitFor();
    await page.getByRole('heading', { name: /breast-cancer-screen v1\s+approved/ }).waitFor();
    expect(page.url()).toBe(versionUrl);
    await signOut();
  });

  it('lets the deployer deploy the approved version with a 90/10 split, test-score it and roll back', async () => {
    await redeem(invitations.deployer, PEOPLE.deployer);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByRole('heading', { name: 'No endpoint yet' }).waitFor();
    await expectAccessible('20-deployments-empty');

    // First deployment: all traffic to v1, so the split below has something to roll back to.
    await page.getByRole('link', { name: 'New deployment' }).first().click();
    await page.getByLabel('Endpoint name').fill('screening');
    await page.getByLabel('Variant 1 version').selectOption({ label: 'breast-cancer-screen v1 (approved)' });
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('heading', { name: 'Live deployment' }).waitFor({ timeout: 60_000 });

    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByRole('link', { name: 'New deployment' }).first().click();
    await page.getByLabel('Endpoint name').fill('screening');
    await page.getByRole('button', { name: 'Add a variant' }).click();
    // The same version twice (this journey trains one): the API names the variants v1 and v1-2.
    const v1 = (await page.getByLabel('Variant 1 version').locator('option', { hasText: 'breast-cancer-screen v1 (' }).getAttribute('value')) ?? '';
    await page.getByLabel('Variant 1 version').selectOption(v1);
    await page.getByLabel('Variant 2 version').selectOption(v1);
    await expect(page.getByLabel('Variant 1 weight').inputValue()).resolves.toBe('90');
    await expect(page.getByLabel('Variant 2 weight').inputValue()).resolves.toBe('10');
    await page.getByText('10 % of traffic').waitFor();
    await expectAccessible('21-deployment-new-90-10');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const live = page.getByRole('table', { name: 'Variants and their share of traffic' });
    await live.getByRole('cell', { name: '90 %' }).waitFor({ timeout: 60_000 });
    await live.getByRole('cell', { name: '10 %' }).waitFor();

    const scoring = page.getByRole('region', { name: 'Test scoring' });
    const inputs = scoring.locator('input[type=number]');
    for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill('1');
    await scoring.getByRole('button', { name: 'Score this row' }).click();
    await scoring.getByText(/Answered by variant .+, version 1/).waitFor({ timeout: 30_000 });
    await page.getByRole('table').filter({ hasText: 'p99 latency' }).waitFor({ timeout: 30_000 });
    await expectAccessible('22-endpoint-live-scored');

    await page.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: /Roll back screening/ });
    await dialog.getByLabel('Reason (kept in the audit log)').fill('10 % variant under review');
    await screenshot(page, '23-rollback-confirmation');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('cell', { name: 'rolled-back' }).first().waitFor({ timeout: 60_000 });
    await live.getByRole('cell', { name: '100 %' }).waitFor({ timeout: 60_000 });
    await expectAccessible('24-endpoint-rolled-back');

    const [, modelId] = /\/models\/([0-9a-z]{26})\//.exec(versionUrl) ?? [];
    await openInConsole(`/compare?model=${modelId}`);
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    await expectAccessible('25-compare');
  });

  it('lets the deployer set every canary setting, refuses a bad one in place, and shows the canary’s step, next promotion and verdict', async () => {
    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByRole('link', { name: 'New deployment' }).first().click();
    await page.getByLabel('Endpoint name').fill('screening');
    await page.getByRole('radio', { name: /A canary beside what is live/ }).check();
    const v1 = (await page.getByLabel('Canary version').locator('option', { hasText: 'breast-cancer-screen v1 (' }).getAttribute('value')) ?? '';
    await page.getByLabel('Canary version').selectOption(v1);
    await page.getByLabel('Canary variant name (optional)').fill('candidate');
    await page.getByLabel('Canary steps (% of traffic)').fill('50, 20');
    await page.getByLabel('Bake period (minutes)').fill('10');
    await page.getByLabel('Error-rate threshold (%)').fill('2');
    await page.getByLabel('Latency threshold (p99, ms)').fill('800');
    await page.getByLabel('Requests before judging').fill('5');
    await page.getByRole('button', { name: 'Deploy' }).click();
    // Checked in place before anything is sent.
    await page.getByText('Each step must give the canary more traffic than the one before.').waitFor();
    await expect(page.getByLabel('Canary steps (% of traffic)').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Canary steps (% of traffic)').fill('20, 100');
    await expectAccessible('27-deployment-new-canary');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const canary = page.getByRole('region', { name: 'Canary candidate' });
    await canary.waitFor({ timeout: 60_000 });
    await canary.getByText('1 of 2: 20 % of traffic').waitFor();
    await canary.getByText('20 % → 100 %').waitFor();
    await canary.getByText(/error rate ≤ 2\.0 %, p99 ≤ 800 ms, judged after 5 requests/).waitFor();
    await canary.getByText(/^not before .+ \(a 10 min bake\), once 5 requests stay within bounds$/).waitFor();
    await expect(page.getByTestId('canary-verdict').textContent()).resolves.toMatch(/^Gathering evidence: \d+ of 5 requests/);
    await expectAccessible('28-endpoint-canary');
  });

  it('lets the deployer run a batch job, follow it partition by partition, download the rejected rows, and manage a schedule', async () => {
    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByRole('link', { name: 'Batch jobs & schedules' }).click();
    const jobForm = page.getByRole('form', { name: 'Start a batch job' });
    const version = (await jobForm.getByLabel('Approved version').locator('option', { hasText: 'breast-cancer-screen v1 (' }).getAttribute('value')) ?? '';
    await jobForm.getByLabel('Approved version').selectOption(version);
    await jobForm.getByLabel('Dataset', { exact: true }).selectOption({ label: 'screening-batch' });
    await jobForm.getByRole('button', { name: 'Start job' }).click();
    await jobForm.getByRole('link', { name: 'Follow its progress' }).click();
    await page.getByRole('heading', { name: /^Batch job / }).waitFor();
    // The page follows the job by itself until it ends.
    await page.getByText('1 of 1 partitions (100 %)').waitFor({ timeout: 60_000 });
    await page.getByRole('table', { name: 'Each partition as it is scored' }).getByRole('cell', { name: '30 / 28 / 2' }).waitFor();
    await page.getByRole('button', { name: 'Rejected rows report (2)' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'screening-batch v1 (open)' }).waitFor();
    await expectAccessible('29-batch-job');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Rejected rows report (2)' }).click()]);
    const saved = join(ARTIFACTS, 'rejected-rows.csv');
    await download.saveAs(saved);
    const report = readFileSync(saved, 'utf8').trim().split('\n');
    expect(report[0]).toBe('source,row,field,problem');
    expect(report.slice(1).map((line) => line.split(',').slice(1, 3).join(','))).toEqual(['5,mean_radius', '12,mean_radius']);

    await page.getByRole('link', { name: 'Batch jobs', exact: true }).click();
    const scheduleForm = page.getByRole('form', { name: 'Schedule batch scoring' });
    await scheduleForm.getByLabel('Name').fill('nightly-screening');
    await scheduleForm.getByLabel('When').fill('cron(0 2 * * ? *)');
    await scheduleForm.getByLabel('Time zone').fill('Europe/Paris');
    await scheduleForm.getByLabel('Approved version').selectOption(version);
    await scheduleForm.getByLabel('Dataset', { exact: true }).selectOption({ label: 'screening-batch' });
    await scheduleForm.getByRole('button', { name: 'Create schedule' }).click();
    const schedules = page.getByRole('table', { name: 'Schedules and their next run' });
    await schedules.getByRole('cell', { name: 'cron(0 2 * * ? *) (Europe/Paris)' }).waitFor();

    // An expression the scheduler cannot read: the API's field error in place, nothing changed.
    await schedules.getByRole('button', { name: 'Edit nightly-screening' }).click();
    const edit = page.getByRole('form', { name: 'Edit schedule nightly-screening' });
    await edit.getByLabel('When').fill('every night');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.getByRole('alert').getByText('body.expression').waitFor();
    await expectAccessible('30-schedule-edit-refused');
    await edit.getByLabel('When').fill('rate(6 hours)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await schedules.getByRole('cell', { name: 'rate(6 hours) (Europe/Paris)' }).waitFor();

    await schedules.getByRole('button', { name: 'Disable nightly-screening' }).click();
    await schedules.getByRole('cell', { name: 'never (disabled)' }).waitFor();
    await expectAccessible('31-schedules');
    await schedules.getByRole('button', { name: 'Enable nightly-screening' }).click();
    await schedules.getByRole('button', { name: 'Disable nightly-screening' }).waitFor();
    await schedules.getByRole('button', { name: 'Delete nightly-screening' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete schedule nightly-screening?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No schedule yet.').waitFor();
    await signOut();
  });

  it('lets the administrator filter and export the audit log and see the chain verified', async () => {
    await signIn(TENANT.admin, PASSWORD);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page
      .getByTestId('chain-status')
      .getByText(/Chain verified/)
      .waitFor();
    // The API takes a target's type and id together: the form says so before sending anything.
    await page.getByLabel('Target type').fill('version');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText(/Give the target id too/).waitFor();
    const [, modelId, version] = /\/models\/([0-9a-z]{26})\/versions\/(\d+)$/.exec(versionUrl) ?? [];
    await page.getByLabel('Target id').fill(`${modelId}-${version}`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('version.approved').first().waitFor();
    await expectAccessible('19-audit');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const saved = join(ARTIFACTS, 'audit-export.csv');
    await download.saveAs(saved);
    const csv = readFileSync(saved, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^eventId,seq,at,action/);
    expect(csv).toMatch(/version/);
    await page.getByRole('link', { name: 'Approval policy' }).click();
    const policy = page.getByRole('form', { name: /Tenant policy/ });
    await policy.waitFor();
    await expectAccessible('26-approval-policy');

    // A malformed gate and an unknown metric: the API's field errors next to the gates, the stored policy unchanged.
    const title = await policy.getByRole('heading').first().textContent();
    const gates = policy.getByLabel('Gates, one expression per line');
    const stored = await gates.inputValue();
    await gates.fill('auc >=\naucc >= 0.8');
    await policy.getByRole('button', { name: 'Save policy' }).click();
    const gateErrors = page.locator('#tenant-gates-error');
    await gateErrors.getByText(/gate 1: /).waitFor();
    await gateErrors.getByText(/gate 2: unknown metric 'aucc'/).waitFor();
    await expect(gates.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(gates.getAttribute('aria-describedby')).resolves.toContain('tenant-gates-error');
    await policy.getByText('The policy was not saved: correct the fields marked above.').waitFor();
    await expectAccessible('32-approval-policy-refused');
    // Read back from the API (a fresh load of the page): what was stored before.
    await page.reload();
    await page
      .getByRole('form', { name: /Tenant policy/ })
      .getByRole('heading', { name: title ?? '' })
      .waitFor();
    await expect(page.getByLabel('Gates, one expression per line').first().inputValue()).resolves.toBe(stored);
  });

  it('reported no error in the browser along the way', () => {
    // The deliberate refusals (the session expiry's 401, the bad policy's and bad schedule's 400) are the
    // browser's own network log lines, not app errors.
    const deliberate = [/status of 401/, /status of 400 \(Bad Request\) \(http[^)]*\/(admin\/policies|batch-jobs)\)$/];
    expect(browserErrors.filter((e) => !deliberate.some((d) => d.test(e)))).toEqual([]);
  });
});
