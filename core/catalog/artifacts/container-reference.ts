import { z } from 'zod';
import { ARTIFACT_FIELD, failIfAny, parseJsonArtifact, zodProblems } from './artifact-problems';

/**
 * The `sagemaker-container` artifact: a reference to an inference image in
 * ECR that SageMaker runs as the model, plus its environment. A version is
 * immutable, so its image must be too: a digest (`@sha256:…`) pins the exact
 * bytes; a tag is accepted (ECR repositories can make tags immutable) but
 * reported as weaker; `latest` is refused, since it moves by design.
 */

// <12-digit account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>)?(@sha256:<64 hex>)?
const ECR_IMAGE =
  /^(?<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:(?<digest>[a-f0-9]{64}))?$/;

/** Limits SageMaker puts on a container's Environment map. */
const MAX_ENVIRONMENT_ENTRIES = 100;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ParsedImage {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits an ECR image URI into its parts, or returns why it is not one Steward accepts. */
export function parseEcrImage(image: string): ParsedImage | { readonly problem: string } {
  const match = ECR_IMAGE.exec(image);
  if (!match?.groups) {
    return {
      problem: 'not an ECR image reference: expected <12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex digits> (or :<tag>)',
    };
  }
  const { account, region, repository, tag, digest } = match.groups;
  if (repository.length < 2 || repository.length > 256) return { problem: 'the repository name must be 2 to 256 characters' };
  if (!tag && !digest) return { problem: 'names no tag or digest; pin the image with @sha256:<digest> (preferred) or an immutable tag' };
  if (tag && tag.toLowerCase() === 'latest' && !digest) {
    return { problem: "tag 'latest' is not immutable: it moves with every push, so the version would change under its users; pin with @sha256:<digest>" };
  }
  return { account, region, repository, ...(tag ? { tag } : {}), ...(digest ? { digest: `sha256:${digest}` } : {}) };
}

const Image = z
  .string()
  .max(1024)
  .superRefine((image, ctx) => {
    const parsed = parseEcrImage(image);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });

export const ContainerReference = z.strictObject({
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<digest>` (preferred) or `…/<repo>:<tag>`. */
  image: Image,
  environment: z
    .record(
      z.string().max(1024).regex(ENV_NAME, 'an environment variable name: letters, digits and underscores, not starting with a digit'),
      z.string().max(1024),
    )
    .refine((env) => Object.keys(env).length <= MAX_ENVIRONMENT_ENTRIES, `at most ${MAX_ENVIRONMENT_ENTRIES} environment variables`)
    .optional(),
});
export type ContainerReference = z.infer<typeof ContainerReference>;

export interface ContainerReferenceSummary extends ParsedImage {
  readonly image: string;
  /** True when a digest fixes the image's bytes; a tag alone relies on the repository's tag immutability. */
  readonly pinnedByDigest: boolean;
  readonly environmentVariables: readonly string[];
  /** Advice that does not block the version (e.g. prefer a digest). */
  readonly warnings: readonly string[];
}

/**
 * Parses the reference document (JSON bytes) and checks it; a ValidationFailed
 * names each problem (`artifact.image`, `artifact.environment.<NAME>`).
 *
 * @example
 * validateContainerReference(bytes).pinnedByDigest; // true for …/scorer@sha256:…
 */
export function validateContainerReference(bytes: Uint8Array): ContainerReferenceSummary {
  const raw = parseJsonArtifact(bytes, 'the container reference');
  const parsed = ContainerReference.safeParse(raw);
  if (!parsed.success) failIfAny(zodProblems(parsed.error, ARTIFACT_FIELD), 'the container reference is not valid');
  const reference = parsed.data as ContainerReference;
  const image = parseEcrImage(reference.image) as ParsedImage;
  const pinnedByDigest = image.digest !== undefined;
  return {
    image: reference.image,
    ...image,
    pinnedByDigest,
    environmentVariables: Object.keys(reference.environment ?? {}).sort(),
    warnings: pinnedByDigest
      ? []
      : [`image is pinned by tag '${image.tag}' only: it stays immutable only if the ECR repository has tag immutability on; prefer @sha256:<digest>`],
  };
}
