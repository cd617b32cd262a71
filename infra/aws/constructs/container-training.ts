import * as path from 'node:path';
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { TRAINING_JOBS_LOG_GROUP } from '../../../core/adapters/cloudwatch/cloudwatch-training-logs';
import { CONTAINER_TEMPLATES, type ContainerTemplateName } from '../../../core/training/container-templates';
import { iam5ResourceFinding } from '../nag-findings';
import { PROJECT_ROOT } from '../project-paths';

/** SageMaker resource names of every tenant start with the tenant id, and tenant ids with `t` (core/storage/keys.ts). */
const TENANT_NAMES = 't*';

export interface ContainerTrainingProps {
  /** The role SageMaker runs training jobs as (ModelServing's execution role): it pulls the template images. */
  readonly executionRole: iam.IRole;
  /**
   * Directory holding one `<template>/Dockerfile` per shipped container
   * template (core/training/container-templates.ts).
   *
   * @default - `templates/` at the project root
   */
  readonly templatesDir?: string;
}

/**
 * train-evaluate's training containers on AWS, beyond the state machine's
 * own grants (ModelServing.grantTrainingMachine):
 * - each shipped template's image, a DockerImageAsset of `templates/<name>/`
 *   (synth only stages the folder; Docker builds and pushes it at deploy),
 *   pullable by SageMaker's execution role, its URI handed to the steps as the
 *   template's setting (`environment()`), so planning finds it with no manual step;
 * - reading finished jobs' logs from CloudWatch (`grantLogRead`), which the
 *   collecting and failure-recording steps copy into the run's folder.
 */
export class ContainerTraining extends Construct {
  /** Template name → its image. */
  readonly images: ReadonlyMap<ContainerTemplateName, ecrAssets.DockerImageAsset>;

  constructor(scope: Construct, id: string, props: ContainerTrainingProps) {
    super(scope, id);
    const templatesDir = props.templatesDir ?? path.join(PROJECT_ROOT, 'templates');
    const images = new Map<ContainerTemplateName, ecrAssets.DockerImageAsset>();
    for (const name of Object.keys(CONTAINER_TEMPLATES) as ContainerTemplateName[]) {
      const image = new ecrAssets.DockerImageAsset(this, `${pascalCase(name)}Image`, {
        directory: path.join(templatesDir, name),
        // SageMaker's training instances (ml.m5 and the like) are x86-64, whatever machine deploys.
        platform: ecrAssets.Platform.LINUX_AMD64,
        exclude: ['__pycache__', '*.pyc'],
        displayName: `training template ${name}`,
      });
      image.repository.grantPull(props.executionRole);
      images.set(name, image);
    }
    this.images = images;
    Validations.of(props.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, which pulling any image needs, accepts no resource-level permission; the pull actions themselves name the assets repository.',
    });
  }

  /** The steps' settings naming each template's image (`STEWARD_TRAINING_IMAGE_…`). */
  environment(): Record<string, string> {
    return Object.fromEntries([...this.images].map(([name, image]) => [CONTAINER_TEMPLATES[name].imageSetting, image.imageUri]));
  }

  /**
   * Lets `grantee` (the pipeline steps' role) read training jobs' logs: the
   * streams of `/aws/sagemaker/TrainingJobs` (DescribeLogStreams on the group)
   * and the events of tenant-prefixed jobs' streams (`<tenantId>-train-…/algo-…`,
   * GetLogEvents); no other log group.
   */
  grantLogRead(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    const group = (suffix: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${TRAINING_JOBS_LOG_GROUP}${suffix}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    // DescribeLogStreams is authorized on the group, written with or without the trailing `:*` depending on the caller; both name this group only.
    const groupArns = [group(''), group(':*')];
    const streams = group(`:log-stream:${TENANT_NAMES}`);
    iam.Grant.addToPrincipal({ grantee, actions: ['logs:DescribeLogStreams'], resourceArns: groupArns });
    iam.Grant.addToPrincipal({ grantee, actions: ['logs:GetLogEvents'], resourceArns: [streams] });
    Validations.of(grantee).acknowledge({
      id: iam5ResourceFinding(this, groupArns[1]),
      reason: 'The trailing :* is how CloudWatch Logs writes the ARN of one log group (the SageMaker training jobs group), not a wildcard over groups.',
    });
    Validations.of(grantee).acknowledge({
      id: iam5ResourceFinding(this, streams),
      reason:
        'Training jobs are named <tenantId>-train-<run hash> and SageMaker names their streams <job>/algo-<n>-<epoch>; the wildcard covers tenant-prefixed streams of the training jobs group only.',
    });
  }
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
