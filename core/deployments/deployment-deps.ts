import type { Platform } from '../platform/platform';
import type { DeploymentDeps } from './request-deployment';
import { SharedVariantCounts } from './variant-counts';

/** The deployment use cases' dependencies, taken from the platform once (per API app: its own buffer of variant counts). */
export function deploymentDeps(platform: Platform): DeploymentDeps {
  return {
    control: platform.serving.control,
    invoker: platform.serving.invoker,
    bucket: platform.settings.STEWARD_BUCKET_NAME,
    pipelines: platform.pipelines,
    counts: new SharedVariantCounts({ log: platform.log }),
  };
}
