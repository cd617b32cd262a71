import { BATCH_PASSTHROUGH_ENVIRONMENT, encodeTransformAnswer } from '../core/batch/batch-transform';
import type { ServedModelSpec } from '../core/ports/endpoint-control';
import type { PartitionScoringOutcome } from '../core/ports/partition-scorer';
import { arnOf, type CreateTransformJobRequest, failed, type LocalTransformDeps, SageMakerIntegrationFailed } from './local-sagemaker-integration';

const MIB = 1024 * 1024;

/**
 * `sagemaker:createTransformJob.sync` on one machine, for batch-score: the
 * job's input object is scored by the local batch engine (the platform's
 * PartitionScorer: a worker pool, else in process) with the model CreateModel
 * recorded, and the answer is written where SageMaker would write it,
 * `<S3OutputPath><file name>.out`, in the format the serving container's
 * batch mode answers with (core/batch/batch-transform.ts), so the collector
 * step that follows runs unchanged. Like SageMaker:
 * - a job name is used once;
 * - a missing model is a request error; a failing job (no input object, a
 *   payload over MaxPayloadInMB, input the container refuses as a whole)
 *   ends `Failed` with a FailureReason, which `.sync` reports as
 *   `States.TaskFailed` with the job's description as cause;
 * - the job, its model and every S3 URI must belong to the tenant the job is
 *   tagged with (what IAM and the tenant's storage prefix enforce on AWS).
 */
export class LocalTransformJobs {
  private readonly names = new Set<string>();

  constructor(private readonly deps?: () => LocalTransformDeps) {}

  async run(
    request: CreateTransformJobRequest,
    model: ServedModelSpec | undefined,
    modelTags: Readonly<Record<string, string>>,
  ): Promise<Record<string, unknown>> {
    const name = request.TransformJobName;
    if (!this.deps) throw new SageMakerIntegrationFailed('States.Runtime', 'sagemaker:createTransformJob.sync has no local batch engine in this runner');
    if (this.names.has(name))
      throw failed(
        'optimized',
        `Job name must be unique within an AWS account and region, and a job with this name already exists (${arnOf('transform-job', name)})`,
      );
    if (!model) throw failed('optimized', `Could not find model "${arnOf('model', request.ModelName)}".`);
    const tenantId = request.Tags.find((t) => t.Key === 'TenantId')?.Value;
    if (!tenantId) throw failed('optimized', 'validation error detected: Tags: a Steward transform job is tagged with its TenantId');
    if (modelTags.TenantId !== undefined && modelTags.TenantId !== tenantId)
      throw failed('optimized', `model ${request.ModelName} is not tenant ${tenantId}'s`);
    this.names.add(name);
    const started = new Date();
    const describe = (status: 'Completed' | 'Failed', failureReason?: string) => ({
      TransformJobName: name,
      TransformJobArn: arnOf('transform-job', name),
      TransformJobStatus: status,
      ...(failureReason ? { FailureReason: failureReason } : {}),
      ModelName: request.ModelName,
      TransformInput: request.TransformInput,
      TransformOutput: request.TransformOutput,
      TransformResources: request.TransformResources,
      CreationTime: started.toISOString(),
      TransformStartTime: started.toISOString(),
      TransformEndTime: new Date().toISOString(),
    });
    const jobFailed = (reason: string) => new SageMakerIntegrationFailed('States.TaskFailed', JSON.stringify(describe('Failed', reason)));

    const deps = this.deps();
    const objects = deps.objects(tenantId);
    const root = `s3://${deps.bucket}/${objects.keyOf('x').slice(0, -1)}`;
    const within = (uri: string, what: string) => {
      if (!uri.startsWith(root)) throw jobFailed(`ClientError: ${what} ${uri} is outside the storage of tenant ${tenantId}`);
      return uri.slice(root.length);
    };
    const source = within(request.TransformInput.DataSource.S3DataSource.S3Uri, 'the input');
    let outputFolder = within(request.TransformOutput.S3OutputPath, 'the output path');
    if (!outputFolder.endsWith('/')) outputFolder += '/';
    const artifactKey = within(model.artifactUri, 'the model artifact');
    if (!model.sha256 || !model.ioSchema)
      throw jobFailed(`ClientError: model ${request.ModelName} names no artifact checksum or input schema (STEWARD_MODEL_SHA256, STEWARD_IO_SCHEMA)`);
    if (request.TransformInput.SplitType !== 'None' || request.TransformInput.CompressionType !== 'None') {
      throw jobFailed('ClientError: the Steward batch mode scores a whole uncompressed CSV per request (SplitType None, CompressionType None)');
    }
    const object = await objects.head(source);
    if (!object) throw jobFailed(`ClientError: No S3 objects found under S3 URL "${request.TransformInput.DataSource.S3DataSource.S3Uri}"`);
    if (object.size > request.MaxPayloadInMB * MIB)
      throw jobFailed(`ClientError: ${source} is ${object.size} bytes, over MaxPayloadInMB (${request.MaxPayloadInMB})`);
    let passthrough: string[];
    try {
      passthrough = JSON.parse(request.Environment[BATCH_PASSTHROUGH_ENVIRONMENT] ?? '[]') as string[];
      if (!Array.isArray(passthrough) || passthrough.some((c) => typeof c !== 'string')) throw new TypeError('not an array of column names');
    } catch (error) {
      throw jobFailed(`ClientError: ${BATCH_PASSTHROUGH_ENVIRONMENT}: ${(error as Error).message}`);
    }

    // The engine writes parts; the answer carries them, as the container's batch mode does. The scratch parts go once the answer is written.
    const scratch = { outputKey: `${outputFolder}.scoring/output.csv`, rejectedKey: `${outputFolder}.scoring/rejected.csv` };
    let outcome: PartitionScoringOutcome;
    try {
      outcome = await deps.scorer.score(objects, {
        // The cache key of a loaded model: the SageMaker model name stands for the catalog version it was created from.
        model: { modelId: request.ModelName, version: 0, runtime: model.runtime, artifactKey, sha256: model.sha256, ioSchema: model.ioSchema },
        source,
        ...scratch,
        passthrough,
      });
    } catch (error) {
      // The container answers a request it cannot score at all with a 4xx; SageMaker fails the job with it.
      throw jobFailed(`ClientError: ${(error as Error).message}`);
    }
    const text = async (key: string) => new TextDecoder().decode(await objects.getBytes(key));
    const answer = encodeTransformAnswer({
      ...outcome,
      output: await text(scratch.outputKey),
      rejected: outcome.rowsRejected > 0 ? await text(scratch.rejectedKey) : '',
    });
    await objects.put(`${outputFolder}${source.slice(source.lastIndexOf('/') + 1)}.out`, answer, 'application/json');
    await Promise.all([objects.remove(scratch.outputKey), outcome.rowsRejected > 0 ? objects.remove(scratch.rejectedKey) : undefined]);
    return describe('Completed');
  }
}
