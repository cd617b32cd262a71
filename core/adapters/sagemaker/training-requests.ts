import type { CreateTrainingJobRequest, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import type { ContainerTrainingPlan } from '../../training/container-training-plan';
import { tagsOf } from './sagemaker-requests';

/**
 * train-evaluate's CreateTrainingJob request for a shipped training container,
 * built by PlanContainerTraining for Step Functions'
 * `sagemaker:createTrainingJob.sync` integration (locally answered by
 * state-machines/local-training-jobs.ts with the same contract).
 */
export interface TrainingJobOptions {
  /** The template's training image (a setting on AWS; a placeholder name locally). */
  readonly image: string;
  /** The role SageMaker assumes to read the channel and write the model. */
  readonly roleArn: string;
  /** @default 'ml.m5.large' */
  readonly instanceType?: TrainingInstanceType;
  /** @default 3600 */
  readonly maxRuntimeSeconds?: number;
}

export type TrainingJobRequest = CreateTrainingJobRequest & { TrainingJobName: string; HyperParameters: Record<string, string> };

export function createTrainingJobRequest(plan: ContainerTrainingPlan, options: TrainingJobOptions): TrainingJobRequest {
  return {
    TrainingJobName: plan.jobName,
    AlgorithmSpecification: { TrainingImage: options.image, TrainingInputMode: 'File' },
    RoleArn: options.roleArn,
    InputDataConfig: [
      {
        ChannelName: 'train',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: plan.trainChannelUri, S3DataDistributionType: 'FullyReplicated' } },
      },
    ],
    OutputDataConfig: { S3OutputPath: plan.outputUri },
    ResourceConfig: { InstanceType: options.instanceType ?? 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    HyperParameters: { ...plan.hyperparameters },
    StoppingCondition: { MaxRuntimeInSeconds: options.maxRuntimeSeconds ?? 3600 },
    Tags: tagsOf(plan.tags),
  };
}
