import type { InvocableStep } from './define-step';
import { step as applyApprovalPolicy } from './apply-approval-policy';
import { step as compareWithChampion } from './compare-with-champion';
import { step as evaluateModel } from './evaluate-model';
import { step as recordPipelineFailure } from './record-pipeline-failure';
import { step as registerModelVersion } from './register-model-version';
import { step as setVersionStatus } from './set-version-status';
import { step as trainModel } from './train-model';
import { step as validateTrainingInput } from './validate-training-input';

/**
 * Every pipeline step by name (= module file name). The local runner binds
 * Task states through it and the lint checks Task resources against it; on
 * AWS each of these modules is its own Lambda. Not a Lambda itself, nor is
 * define-step.ts.
 */
export const PIPELINE_STEPS: Readonly<Record<string, InvocableStep>> = Object.fromEntries(
  [validateTrainingInput, trainModel, registerModelVersion, evaluateModel, compareWithChampion, applyApprovalPolicy, setVersionStatus, recordPipelineFailure].map(
    (s) => [s.name, s],
  ),
);
