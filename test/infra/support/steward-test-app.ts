import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PolicyValidationReportJson } from 'aws-cdk-lib/cloud-assembly-schema';
import { PROJECT_PATHS } from '../../../infra/aws/project-paths';
import type { StewardStackProps } from '../../../infra/aws/stacks/steward-stack';
import { createStewardApp } from '../../../infra/aws/steward-app';

export { FIXTURES } from './fixtures';

/** The context `cdk synth` runs with (feature flags), so tests build the same template. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_PATHS.root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/**
 * The Steward app as `cdk synth` builds it, writing its assembly to a fresh
 * temporary directory instead of cdk.out. Functions are not bundled unless asked.
 */
export function stewardTestApp(stack: StewardStackProps = {}, context: Record<string, unknown> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-infra-'));
  outdirs.push(outdir);
  const built = createStewardApp({ outdir, context: { ...cdkJsonContext(), ...context }, stack: { bundleFunctions: false, ...stack } });
  return { ...built, outdir };
}

const outdirs: string[] = [];

/** Deletes the assemblies this test file synthesized; pass to afterAll. */
export function removeTestOutdirs(): void {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The policy validation report (cdk-nag v3 writes its findings here, not to annotations). */
export function readValidationReport(outdir: string): PolicyValidationReportJson {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as PolicyValidationReportJson;
}

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
}

export function findingsOf(report: PolicyValidationReportJson): Finding[] {
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity,
      paths: violation.violatingConstructs.map((c) => c.constructPath),
    })),
  );
}
