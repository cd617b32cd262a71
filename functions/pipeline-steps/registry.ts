import type { InvocableStep } from './define-step';
import { step as applyApprovalPolicy } from './apply-approval-policy';
import { step as compareWithChampion } from './compare-with-champion';
import { step as evaluateModel } from './evaluate-model';
import { step as recordPipelineFailure } from './record-pipeline-failure';
import { step as registerModelVersion } from './register-model-version';
import { step as setVersionStatus } from './set-version-status';
import { step as trainModel } from './train-model';
import { step as validateTrainingInput } from './validate-training-input';
import { step as createServingModels } from './create-serving-models';
import { step as createOrUpdateEndpoint } from './create-or-update-endpoint';
import { step as describeServingEndpoint } from './describe-serving-endpoint';
import { step as smokeTestDeployment } from './smoke-test-deployment';
import { step as activateDeployment } from './activate-deployment';
import { step as recordDeploymentFailure } from './record-deployment-failure';

/**
 * Every pipeline step by name (= module file name). The local runner binds
 * Task states through it and the lint checks Task resources against it; on
 * AWS each of these modules is its own Lambda. Not a Lambda itself, nor is
 * define-step.ts.
 */
export const PIPELINE_STEPS: Readonly<Record<string, InvocableStep>> = Object.fromEntries(
  [validateTrainingInput, trainModel, registerModelVersion, evaluateModel, compareWithChampion, applyApprovalPolicy, setVersionStatus, recordPipelineFailure,
    createServingModels, createOrUpdateEndpoint, describeServingEndpoint, smokeTestDeployment, activateDeployment, recordDeploymentFailure].map(
    (s) => [s.name, s],
  ),
);
