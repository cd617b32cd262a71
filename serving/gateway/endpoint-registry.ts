import { z } from 'zod';
import { IoSchema } from '../../core/catalog/artifacts/io-schema';
import { parseS3Uri } from '../artifacts/model-artifacts';
import { MODEL_RUNTIME_KINDS } from '../runtimes/runtime-catalog';

/** SageMaker's pattern for endpoint and variant names. */
const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const sagemakerName = z.string().regex(SAGEMAKER_NAME, 'must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit');

/** What a variant serves: which runtime, reading which artifact (SageMaker's Model: image + ModelDataUrl). */
export const modelReferenceSchema = z.object({
  runtime: z.enum(MODEL_RUNTIME_KINDS),
  artifactUri: z.string().refine((uri) => parseS3Uri(uri) !== undefined, 'must be s3://bucket/key'),
  /** The catalog's SHA-256 of the artifact object: the model is loaded only if the stored bytes have it. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256')
    .optional(),
  /** The version's declared inputs and outputs; requests are validated against them. */
  ioSchema: IoSchema.optional(),
});

export const productionVariantSchema = z.object({
  variantName: sagemakerName,
  /** Relative share of traffic among production variants (SageMaker's InitialVariantWeight). @default 1 */
  weight: z.number().min(0).default(1),
  model: modelReferenceSchema,
});

/** Receives a copy of live traffic; its answers are logged, never returned (SageMaker shadow variants). */
export const shadowVariantSchema = z.object({
  variantName: sagemakerName,
  /** Share of requests mirrored to the shadow, in percent. @default 100 */
  samplingPercentage: z.number().min(0).max(100).default(100),
  model: modelReferenceSchema,
});

/**
 * An endpoint as the local gateway serves it: the local stand-in for
 * SageMaker's CreateModel + CreateEndpointConfig + CreateEndpoint.
 */
export const endpointConfigSchema = z
  .object({
    productionVariants: z.array(productionVariantSchema).min(1).max(10),
    shadowVariants: z.array(shadowVariantSchema).max(10).default([]),
    /** Where shadow answers are captured (SageMaker's DataCaptureConfig DestinationS3Uri); absent: only logged. */
    captureUri: z
      .string()
      .refine((uri) => parseS3Uri(uri) !== undefined, 'must be s3://bucket/prefix')
      .optional(),
    /** Resource tags (the tenant, the model version), as on a SageMaker endpoint. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  })
  .superRefine((config, ctx) => {
    const names = [...config.productionVariants, ...config.shadowVariants].map((v) => v.variantName);
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
    if (duplicates.length)
      ctx.addIssue({ code: 'custom', path: ['productionVariants'], message: `variant names must be unique; repeated: ${[...new Set(duplicates)].join(', ')}` });
    if (config.productionVariants.every((v) => v.weight === 0)) {
      ctx.addIssue({ code: 'custom', path: ['productionVariants'], message: 'at least one production variant needs a weight above 0' });
    }
  });

export const endpointNameSchema = sagemakerName;

export type ModelReference = z.infer<typeof modelReferenceSchema>;
export type ProductionVariant = z.infer<typeof productionVariantSchema>;
export type ShadowVariant = z.infer<typeof shadowVariantSchema>;
export type EndpointConfig = z.infer<typeof endpointConfigSchema>;
/** What a caller sends to register an endpoint (defaults not yet applied). */
export type EndpointConfigInput = z.input<typeof endpointConfigSchema>;

export interface EndpointRecord extends EndpointConfig {
  readonly endpointName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Where the gateway finds the endpoints it serves. In memory for now; a
 * persistent adapter (the deploy pipeline's records in DynamoDB) can replace
 * it without the gateway changing.
 */
export interface EndpointRegistry {
  get(endpointName: string): Promise<EndpointRecord | undefined>;
  list(): Promise<EndpointRecord[]>;
  /** Creates or replaces; `created` tells which. */
  put(endpointName: string, config: EndpointConfig, now: Date): Promise<{ record: EndpointRecord; created: boolean }>;
  /** True if the endpoint existed. */
  delete(endpointName: string): Promise<boolean>;
}

export class InMemoryEndpointRegistry implements EndpointRegistry {
  private readonly endpoints = new Map<string, EndpointRecord>();

  async get(endpointName: string): Promise<EndpointRecord | undefined> {
    return this.endpoints.get(endpointName);
  }

  async list(): Promise<EndpointRecord[]> {
    return [...this.endpoints.values()];
  }

  async put(endpointName: string, config: EndpointConfig, now: Date): Promise<{ record: EndpointRecord; created: boolean }> {
    const existing = this.endpoints.get(endpointName);
    const at = now.toISOString();
    const record: EndpointRecord = { ...config, endpointName, createdAt: existing?.createdAt ?? at, updatedAt: at };
    this.endpoints.set(endpointName, record);
    return { record, created: !existing };
  }

  async delete(endpointName: string): Promise<boolean> {
    return this.endpoints.delete(endpointName);
  }
}
