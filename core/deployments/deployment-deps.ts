import type { Platform } from '../platform/platform';
import type { DeploymentDeps } from './request-deployment';

/** The deployment use cases' dependencies, taken from the platform once. */
export function deploymentDeps(platform: Platform): DeploymentDeps {
  return { control: platform.serving.control, invoker: platform.serving.invoker, bucket: platform.settings.STEWARD_BUCKET_NAME, pipelines: platform.pipelines };
}
