import { z } from 'zod';
import type { MetadataTable } from '../ports/metadata-store';

/**
 * The tenant settings deployments read, in one place: today whether an
 * approver may deploy what they approved. Stored at `SETTINGS` /
 * `deployment-policy`; absent means strict. The governance policy
 * (approval policies) is expected to own this value at merge: replace this
 * accessor's body, not its callers.
 */
const DeploymentPolicySetting = z.object({ approverCannotDeploy: z.boolean().default(true) });

export async function approverCannotDeploy(table: MetadataTable): Promise<boolean> {
  const item = await table.get({ partition: ['SETTINGS'], sort: 'deployment-policy' });
  if (!item) return true;
  const parsed = DeploymentPolicySetting.safeParse(item);
  // A setting that does not parse is read as the strict default, never as permission.
  return parsed.success ? parsed.data.approverCannotDeploy : true;
}
