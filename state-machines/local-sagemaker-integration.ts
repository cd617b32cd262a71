import { z } from 'zod';
import { IoSchema } from '../core/catalog/artifacts/io-schema';
import {
  type EndpointConfigSpec,
  type EndpointControl,
  EndpointRejected,
  type ProductionVariantSpec,
  type ServedModelSpec,
  type ServingRuntime,
  type ShadowVariantSpec,
} from '../core/ports/endpoint-control';
import type { TenantObjectStore } from '../core/ports/object-store';
import type { PartitionScorer } from '../core/ports/partition-scorer';
import type { SageMakerIntegration } from './resource-convention';
import { LocalTransformJobs } from './local-transform-jobs';
import { CreateTrainingJobRequest, type LocalTrainingDeps, LocalTrainingJobs } from './local-training-jobs';

/** What the local batch transforms run on: the tenant's objects (the S3 emulator), the batch engine, and the bucket S3 URIs name. */
export interface LocalTransformDeps {
  objects(tenantId: string): TenantObjectStore;
  readonly scorer: PartitionScorer;
  readonly bucket: string;
}

/**
 * Step Functions' SageMaker service integrations on one machine: the Task
 * states of deploy.asl.json whose Resource is `arn:aws:states:::sagemaker:…`
 * or `arn:aws:states:::aws-sdk:sagemaker:…` are answered here, by the local
 * runner, against the EndpointControl port (the scoring gateway, which loads
 * the versions into the serving process). Requests and answers have
 * SageMaker's shapes, and so do its habits the definition relies on:
 * - CreateModel and CreateEndpointConfig only record (SageMaker validates the
 *   model when an endpoint starts it), and refuse a name that exists;
 * - CreateEndpoint/UpdateEndpoint accept the request and the endpoint fails
 *   afterwards: a model the gateway refuses leaves a created endpoint
 *   `Failed`, an updated one `InService` on its previous configuration, both
 *   with the FailureReason that DescribeEndpoint reports;
 * - a missing model, configuration or endpoint is an error naming it.
 * Models and configurations are kept in memory: the deploy plan carries the
 * full requests of the deployment and of the one it would restore, so a
 * restarted process re-creates what a rollback needs.
 *
 * batch-score.asl.json's `createTransformJob.sync` runs the partition through
 * the local batch engine (local-transform-jobs.ts) and resolves, as `.sync`
 * does, with the finished job's description; a failed job rejects with
 * `States.TaskFailed` and the description as cause.
 */
export class LocalSageMakerIntegration {
  private readonly models = new Map<string, ServedModelSpec>();
  private readonly configs = new Map<string, EndpointConfigSpec>();
  /** Endpoint name → why its last create or update failed, and with which config (cleared by the next one that succeeds). */
  private readonly failures = new Map<string, { reason: string; configName: string }>();

  /** Model name → its tags (the TenantId a transform job must share). */
  private readonly modelTags = new Map<string, Record<string, string>>();
  private readonly transformJobs: LocalTransformJobs;
  private readonly trainingJobs: LocalTrainingJobs;

  constructor(
    private readonly control: () => EndpointControl,
    transforms?: () => LocalTransformDeps,
    training?: () => LocalTrainingDeps,
  ) {
    this.transformJobs = new LocalTransformJobs(transforms);
    this.trainingJobs = new LocalTrainingJobs(training);
  }

  /** The actions answered locally, by integration kind. */
  static readonly ACTIONS = {
    optimized: ['createModel', 'createEndpointConfig', 'createEndpoint', 'updateEndpoint'],
    sdk: ['describeEndpoint', 'deleteEndpoint'],
  } as const;
  /** Jobs run to completion (`.sync`). */
  static readonly SYNC_ACTIONS = ['createTransformJob', 'createTrainingJob'] as const;

  static supports(integration: SageMakerIntegration): boolean {
    if (integration.pattern === 'sync')
      return integration.kind === 'optimized' && (LocalSageMakerIntegration.SYNC_ACTIONS as readonly string[]).includes(integration.action);
    return (
      integration.pattern === 'request-response' && (LocalSageMakerIntegration.ACTIONS[integration.kind] as readonly string[]).includes(integration.action)
    );
  }

  /** Runs one Task state's request; resolves with SageMaker's answer, rejects with a SageMakerIntegrationFailed. */
  async call(integration: SageMakerIntegration, input: unknown): Promise<Record<string, unknown>> {
    if (!LocalSageMakerIntegration.supports(integration)) {
      throw new SageMakerIntegrationFailed(
        'States.Runtime',
        `the SageMaker integration ${integration.kind === 'sdk' ? 'aws-sdk:' : ''}sagemaker:${integration.action} (${integration.pattern}) has no local implementation`,
      );
    }
    const kind = integration.kind;
    if (integration.pattern === 'sync' && integration.action === 'createTrainingJob') {
      return this.trainingJobs.run(parse(kind, CreateTrainingJobRequest, input));
    }
    if (integration.pattern === 'sync') {
      const request = parse(kind, CreateTransformJobRequest, input);
      return this.transformJobs.run(request, this.models.get(request.ModelName), this.modelTags.get(request.ModelName) ?? {});
    }
    switch (integration.action) {
      case 'createModel':
        return this.createModel(parse(kind, CreateModelRequest, input));
      case 'createEndpointConfig':
        return this.createEndpointConfig(parse(kind, CreateEndpointConfigRequest, input));
      case 'createEndpoint':
        return this.createEndpoint(parse(kind, CreateEndpointRequest, input));
      case 'updateEndpoint':
        return this.updateEndpoint(parse(kind, UpdateEndpointRequest, input));
      case 'describeEndpoint':
        return this.describeEndpoint(parse(kind, EndpointNameRequest, input));
      default:
        return this.deleteEndpoint(parse(kind, EndpointNameRequest, input));
    }
  }

  private createModel(request: z.infer<typeof CreateModelRequest>): Record<string, unknown> {
    if (this.models.has(request.ModelName)) throw failed('optimized', `Cannot create already existing model "${arnOf('model', request.ModelName)}".`);
    const env = request.PrimaryContainer.Environment;
    const runtime = env.STEWARD_RUNTIME;
    let ioSchema: IoSchema | undefined;
    if (env.STEWARD_IO_SCHEMA !== undefined) {
      const parsed = IoSchema.safeParse(safeJson(env.STEWARD_IO_SCHEMA));
      if (!parsed.success) throw failed('optimized', `model ${request.ModelName}: STEWARD_IO_SCHEMA is not a valid input/output schema`);
      ioSchema = parsed.data;
    }
    this.models.set(request.ModelName, {
      modelName: request.ModelName,
      runtime,
      artifactUri: request.PrimaryContainer.ModelDataUrl,
      ...(ioSchema ? { ioSchema } : {}),
      ...(env.STEWARD_MODEL_SHA256 ? { sha256: env.STEWARD_MODEL_SHA256 } : {}),
    });
    this.modelTags.set(request.ModelName, Object.fromEntries(request.Tags.map((t) => [t.Key, t.Value])));
    return { ModelArn: arnOf('model', request.ModelName) };
  }

  private createEndpointConfig(request: z.infer<typeof CreateEndpointConfigRequest>): Record<string, unknown> {
    const name = request.EndpointConfigName;
    if (this.configs.has(name)) throw failed('optimized', `Cannot create already existing endpoint configuration "${arnOf('endpoint-config', name)}".`);
    const model = (modelName: string) => {
      const found = this.models.get(modelName);
      if (!found) throw failed('optimized', `Could not find model "${arnOf('model', modelName)}".`);
      return found;
    };
    const capture = request.DataCaptureConfig;
    const productionVariants: ProductionVariantSpec[] = request.ProductionVariants.map((v) => ({
      variantName: v.VariantName,
      weight: v.InitialVariantWeight,
      model: model(v.ModelName),
    }));
    // SageMaker mirrors every request to a shadow; the share captured is the config's sampling percentage, which is what the gateway samples by.
    const shadowVariants: ShadowVariantSpec[] = (request.ShadowProductionVariants ?? []).map((v) => ({
      variantName: v.VariantName,
      samplingPercentage: capture?.InitialSamplingPercentage ?? 100,
      model: model(v.ModelName),
    }));
    this.configs.set(name, {
      configName: name,
      productionVariants,
      shadowVariants,
      ...(capture?.EnableCapture ? { captureUri: capture.DestinationS3Uri } : {}),
      tags: Object.fromEntries(request.Tags.map((t) => [t.Key, t.Value])),
    });
    return { EndpointConfigArn: arnOf('endpoint-config', name) };
  }

  private async createEndpoint(request: z.infer<typeof CreateEndpointRequest>): Promise<Record<string, unknown>> {
    const config = this.config(request.EndpointConfigName);
    if (await this.control().describeEndpoint(request.EndpointName))
      throw failed('optimized', `Cannot create already existing endpoint "${arnOf('endpoint', request.EndpointName)}".`);
    await this.apply(request.EndpointName, config);
    return { EndpointArn: arnOf('endpoint', request.EndpointName) };
  }

  private async updateEndpoint(request: z.infer<typeof UpdateEndpointRequest>): Promise<Record<string, unknown>> {
    const config = this.config(request.EndpointConfigName);
    if (!(await this.control().describeEndpoint(request.EndpointName)))
      throw failed('optimized', `Could not find endpoint "${arnOf('endpoint', request.EndpointName)}".`);
    await this.apply(request.EndpointName, config);
    return { EndpointArn: arnOf('endpoint', request.EndpointName) };
  }

  private async describeEndpoint(request: z.infer<typeof EndpointNameRequest>): Promise<Record<string, unknown>> {
    const name = request.EndpointName;
    const described = await this.control().describeEndpoint(name);
    const failure = this.failures.get(name);
    if (!described) {
      if (failure)
        return {
          EndpointName: name,
          EndpointArn: arnOf('endpoint', name),
          EndpointConfigName: failure.configName,
          EndpointStatus: 'Failed',
          FailureReason: failure.reason,
        };
      throw failed('sdk', `Could not find endpoint "${arnOf('endpoint', name)}".`);
    }
    return {
      EndpointName: name,
      EndpointArn: arnOf('endpoint', name),
      EndpointStatus: described.status,
      ...(described.configName ? { EndpointConfigName: described.configName } : {}),
      ...((failure?.reason ?? described.failureReason) !== undefined ? { FailureReason: failure?.reason ?? described.failureReason } : {}),
    };
  }

  private async deleteEndpoint(request: z.infer<typeof EndpointNameRequest>): Promise<Record<string, unknown>> {
    const existed = await this.control().deleteEndpoint(request.EndpointName);
    const hadFailed = this.failures.delete(request.EndpointName);
    if (!existed && !hadFailed) throw failed('sdk', `Could not find endpoint "${arnOf('endpoint', request.EndpointName)}".`);
    return {};
  }

  private config(name: string): EndpointConfigSpec {
    const config = this.configs.get(name);
    if (!config) throw failed('optimized', `Could not find endpoint configuration "${arnOf('endpoint-config', name)}".`);
    return config;
  }

  /** The gateway loads every model before it answers; a refusal becomes the endpoint's FailureReason, as SageMaker reports it. */
  private async apply(endpointName: string, config: EndpointConfigSpec): Promise<void> {
    try {
      await this.control().createOrUpdateEndpoint(endpointName, config);
      this.failures.delete(endpointName);
    } catch (error) {
      if (!(error instanceof EndpointRejected)) throw error;
      this.failures.set(endpointName, { reason: error.message, configName: config.configName });
    }
  }
}

/**
 * An integration's error as Step Functions reports it: `Error` is the name
 * (`SageMaker.AmazonSageMakerException` for the optimized integrations,
 * `SageMaker.<Exception>` for AWS SDK ones), `Cause` the service's message.
 */
export class SageMakerIntegrationFailed extends Error {
  constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

export function failed(kind: SageMakerIntegration['kind'], message: string): SageMakerIntegrationFailed {
  return new SageMakerIntegrationFailed(kind === 'optimized' ? 'SageMaker.AmazonSageMakerException' : 'SageMaker.SageMakerException', message);
}

function parse<S extends z.ZodType>(kind: SageMakerIntegration['kind'], schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
    .join('; ');
  // SageMaker's own answer to a malformed request.
  throw failed(kind, `validation error detected: ${problems}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ARNs in the local account, as SageMaker forms them (names lower-cased). */
export function arnOf(resource: 'model' | 'endpoint-config' | 'endpoint' | 'transform-job', name: string): string {
  return `arn:aws:sagemaker:us-east-1:000000000000:${resource}/${name.toLowerCase()}`;
}

const NAME = z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'a SageMaker name: 1–63 letters, digits and hyphens');
const RUNTIMES = ['onnx', 'rules', 'scorecard', 'linear'] as const satisfies readonly ServingRuntime[];
const Tags = z.array(z.object({ Key: z.string().min(1), Value: z.string() })).default([]);

const CreateModelRequest = z.object({
  ModelName: NAME,
  ExecutionRoleArn: z.string().min(20),
  PrimaryContainer: z.object({
    Image: z.string().min(1),
    ModelDataUrl: z.string().regex(/^s3:\/\//, 'an s3:// URI'),
    Environment: z
      .object({
        STEWARD_RUNTIME: z.enum(RUNTIMES),
        STEWARD_IO_SCHEMA: z.string().optional(),
        STEWARD_MODEL_SHA256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .optional(),
      })
      .passthrough(),
  }),
  Tags,
});

const Variant = z.object({
  VariantName: NAME,
  ModelName: NAME,
  InitialVariantWeight: z.number().min(0),
  InstanceType: z.string().optional(),
  InitialInstanceCount: z.number().int().min(1).optional(),
});

const CreateEndpointConfigRequest = z.object({
  EndpointConfigName: NAME,
  ProductionVariants: z.array(Variant).min(1).max(10),
  ShadowProductionVariants: z.array(Variant).min(1).max(10).optional(),
  DataCaptureConfig: z
    .object({
      EnableCapture: z.boolean().default(true),
      InitialSamplingPercentage: z.number().min(0).max(100),
      DestinationS3Uri: z.string().regex(/^s3:\/\//, 'an s3:// URI'),
    })
    .passthrough()
    .optional(),
  Tags,
});

const CreateEndpointRequest = z.object({ EndpointName: NAME, EndpointConfigName: NAME, Tags });
const UpdateEndpointRequest = z.object({ EndpointName: NAME, EndpointConfigName: NAME });
const EndpointNameRequest = z.object({ EndpointName: NAME });

const S3_URI = z.string().regex(/^s3:\/\/[^/]+\//, 'an s3:// URI');

/** CreateTransformJob as batch-score sends it: one S3 object (or prefix) in, whole (SplitType None), one folder out. */
export const CreateTransformJobRequest = z.object({
  TransformJobName: NAME,
  ModelName: NAME,
  MaxPayloadInMB: z.number().int().min(0).max(100).default(6),
  MaxConcurrentTransforms: z.number().int().min(0).optional(),
  BatchStrategy: z.enum(['SingleRecord', 'MultiRecord']).optional(),
  Environment: z.record(z.string(), z.string().max(10240)).default({}),
  TransformInput: z.object({
    DataSource: z.object({ S3DataSource: z.object({ S3DataType: z.enum(['S3Prefix', 'ManifestFile', 'AugmentedManifestFile']), S3Uri: S3_URI }) }),
    ContentType: z.string().optional(),
    SplitType: z.enum(['None', 'Line', 'RecordIO', 'TFRecord']).default('None'),
    CompressionType: z.enum(['None', 'Gzip']).default('None'),
  }),
  TransformOutput: z.object({ S3OutputPath: S3_URI, Accept: z.string().optional(), AssembleWith: z.enum(['None', 'Line']).optional() }),
  TransformResources: z.object({ InstanceType: z.string().min(1), InstanceCount: z.number().int().min(1) }),
  Tags,
});
export type CreateTransformJobRequest = z.infer<typeof CreateTransformJobRequest>;
