import { z } from 'zod';
import { ValidationFailed } from '../../errors';
import { failIfAny, zodProblems } from './artifact-problems';
import { validateContainerReference, type ContainerReferenceSummary } from './container-reference';
import { IoSchema } from './io-schema';
import { chooseInputBinding, matchOnnxToSchema, openOnnx, type OnnxInputBinding, type OnnxValueInfo } from './onnx-inspection';
import { validateRulesDocument } from './rules-document';
import { validateScorecardDocument } from './scorecard-document';

/**
 * The one check an uploaded artifact passes before its version becomes
 * usable: dispatches on the format and returns a summary worth storing with
 * the version, or throws ValidationFailed listing every problem found.
 */

export const ARTIFACT_FORMATS = ['onnx', 'rules', 'scorecard', 'sagemaker-container'] as const;
export const ArtifactFormat = z.enum(ARTIFACT_FORMATS);
export type ArtifactFormat = z.infer<typeof ArtifactFormat>;

/** How many values of each smoke-run output the summary keeps. */
const SMOKE_VALUES_KEPT = 10;

export interface OnnxArtifactSummary {
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly binding: OnnxInputBinding;
  readonly smokeRun: {
    readonly millis: number;
    readonly outputs: Readonly<
      Record<string, { readonly elementType: string; readonly dims: readonly number[]; readonly values: readonly (number | string | boolean)[] }>
    >;
  };
}

export interface RulesArtifactSummary {
  readonly hitPolicy: 'first' | 'collect' | 'priority';
  readonly rules: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly hasDefault: boolean;
}

export interface ScorecardArtifactSummary {
  readonly characteristics: number;
  readonly inputs: readonly string[];
  readonly basePoints: number;
  readonly scaling: { readonly pdo: number; readonly baseScore: number; readonly baseOdds: number };
  /** Lowest and highest score the card can give. */
  readonly scoreRange: readonly [number, number];
}

export type ValidatedArtifact =
  | { readonly format: 'onnx'; readonly summary: OnnxArtifactSummary }
  | { readonly format: 'rules'; readonly summary: RulesArtifactSummary }
  | { readonly format: 'scorecard'; readonly summary: ScorecardArtifactSummary }
  | { readonly format: 'sagemaker-container'; readonly summary: ContainerReferenceSummary };

export interface ArtifactToValidate {
  /** An ArtifactFormat when valid; any other string is refused by name. */
  readonly format: string;
  /** The uploaded bytes; for `sagemaker-container`, the JSON reference document. */
  readonly bytes: Uint8Array;
  /** The version's declared inputs and outputs; parsed here, as it may come straight from storage. */
  readonly ioSchema: unknown;
}

async function validateOnnx(bytes: Uint8Array, io: IoSchema): Promise<OnnxArtifactSummary> {
  const model = await openOnnx(bytes);
  try {
    failIfAny(matchOnnxToSchema(model.signature, io), 'the ONNX model does not match the declared schema');
    const run = await model.smokeRun();
    const outputs = Object.fromEntries(
      Object.entries(run.outputs).map(([name, o]) => [name, { elementType: o.elementType, dims: o.dims, values: o.values.slice(0, SMOKE_VALUES_KEPT) }]),
    );
    return {
      inputs: model.signature.inputs,
      outputs: model.signature.outputs,
      binding: chooseInputBinding(model.signature, io),
      smokeRun: { millis: run.millis, outputs },
    };
  } finally {
    await model.release();
  }
}

/**
 * Validates one uploaded artifact against the version's declared schema.
 *
 * - `onnx`: loads with onnxruntime, matches the signature to `ioSchema`, runs one row of zeros.
 * - `rules`: parses and cross-checks the steward-rules/v1 document.
 * - `scorecard`: parses and cross-checks the steward-scorecard/v1 document.
 * - `sagemaker-container`: checks the image reference (ECR, pinned, not `latest`) and environment.
 *
 * @example
 * const { format, summary } = await validateArtifact({ format: 'onnx', bytes, ioSchema });
 */
export async function validateArtifact(artifact: ArtifactToValidate): Promise<ValidatedArtifact> {
  const format = ArtifactFormat.safeParse(artifact.format);
  if (!format.success) {
    throw new ValidationFailed(`unknown artifact format '${String(artifact.format)}'`, [
      { field: 'format', problem: `expected one of ${ARTIFACT_FORMATS.join(', ')}` },
    ]);
  }
  const io = IoSchema.safeParse(artifact.ioSchema);
  if (!io.success) failIfAny(zodProblems(io.error, 'ioSchema'), 'the declared ioSchema is not valid');
  const ioSchema = io.data as IoSchema;

  switch (format.data) {
    case 'onnx':
      return { format: 'onnx', summary: await validateOnnx(artifact.bytes, ioSchema) };
    case 'rules': {
      const doc = validateRulesDocument(artifact.bytes, ioSchema);
      return {
        format: 'rules',
        summary: {
          hitPolicy: doc.hitPolicy,
          rules: doc.rules.length,
          inputs: doc.inputs.map((f) => f.name),
          outputs: doc.outputs.map((f) => f.name),
          hasDefault: doc.default !== undefined,
        },
      };
    }
    case 'scorecard': {
      const card = validateScorecardDocument(artifact.bytes, ioSchema);
      const extremes = card.characteristics.map((c) => {
        const points = [...c.bins.map((b) => b.points), ...(c.missing ? [c.missing.points] : []), ...(c.other ? [c.other.points] : [])];
        return [Math.min(...points), Math.max(...points)] as const;
      });
      return {
        format: 'scorecard',
        summary: {
          characteristics: card.characteristics.length,
          inputs: card.inputs.map((f) => f.name),
          basePoints: card.basePoints,
          scaling: card.scaling,
          scoreRange: [extremes.reduce((s, [low]) => s + low, card.basePoints), extremes.reduce((s, [, high]) => s + high, card.basePoints)],
        },
      };
    }
    case 'sagemaker-container':
      return { format: 'sagemaker-container', summary: validateContainerReference(artifact.bytes) };
  }
}
