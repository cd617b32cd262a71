import type { InvocableStep } from './define-step';
import { step as applyApprovalPolicy } from './apply-approval-policy';
import { step as captureBatchStatistics } from './capture-batch-statistics';
import { step as compareWithChampion } from './compare-with-champion';
import { step as evaluateModel } from './evaluate-model';
import { step as openScheduledBatchJob } from './open-scheduled-batch-job';
import { step as planBatchPartitions } from './plan-batch-partitions';
import { step as recordBatchFailure } from './record-batch-failure';
import { step as recordPipelineFailure } from './record-pipeline-failure';
import { step as registerModelVersion } from './register-model-version';
import { step as setVersionStatus } from './set-version-status';
import { step as summarizeBatchJob } from './summarize-batch-job';
import { step as trainModel } from './train-model';
import { step as validateTrainingInput } from './validate-training-input';
import { step as planEndpointDeployment } from './plan-endpoint-deployment';
import { step as smokeTestDeployment } from './smoke-test-deployment';
import { step as activateDeployment } from './activate-deployment';
import { step as recordDeploymentFailure } from './record-deployment-failure';
import { step as writeBatchOutputs } from './write-batch-outputs';
import { step as profileDatasetVersion } from './profile-dataset-version';
import { step as recordDatasetProfilingFailure } from './record-dataset-profiling-failure';
import { step as planBatchTransform } from './plan-batch-transform';
import { step as collectBatchTransform } from './collect-batch-transform';
import { step as planVersionEvaluation } from './plan-version-evaluation';
import { step as evaluateVersion } from './evaluate-version';
import { step as recordEvaluationFailure } from './record-evaluation-failure';
import { step as planSegments } from './plan-segments';
import { step as trainSegment } from './train-segment';
import { step as summarizeSegmentRun } from './summarize-segment-run';
import { step as recordSegmentRunFailure } from './record-segment-run-failure';
import { step as planContainerTraining } from './plan-container-training';
import { step as collectTrainedModel } from './collect-trained-model';

/**
 * Every pipeline step by name (= module file name). The local runner binds
 * Task states through it and the lint checks Task resources against it; on
 * AWS each of these modules is its own Lambda. Not a Lambda itself, nor is
 * define-step.ts.
 */
export const PIPELINE_STEPS: Readonly<Record<string, InvocableStep>> = Object.fromEntries(
  [
    ...[
      validateTrainingInput,
      trainModel,
      registerModelVersion,
      evaluateModel,
      compareWithChampion,
      applyApprovalPolicy,
      setVersionStatus,
      recordPipelineFailure,
    ],
    // deploy
    ...[planEndpointDeployment, smokeTestDeployment, activateDeployment, recordDeploymentFailure],
    // batch-score
    ...[openScheduledBatchJob, planBatchPartitions, writeBatchOutputs, summarizeBatchJob, captureBatchStatistics, recordBatchFailure],
    // profile-dataset
    ...[profileDatasetVersion, recordDatasetProfilingFailure],
    // batch-score on SageMaker batch transforms
    ...[planBatchTransform, collectBatchTransform],
    // evaluate
    ...[planVersionEvaluation, evaluateVersion, recordEvaluationFailure],
    // train-segments
    ...[planSegments, trainSegment, summarizeSegmentRun, recordSegmentRunFailure],
    // train-evaluate with a training container
    ...[planContainerTraining, collectTrainedModel],
  ].map((s) => [s.name, s]),
);
