import type { EndpointRecord, ProductionVariant, ShadowVariant } from './endpoint-registry';

/** The caller named a TargetVariant the endpoint does not have. */
export class UnknownTargetVariant extends Error {
  constructor(
    readonly endpointName: string,
    readonly targetVariant: string,
  ) {
    super(`variant ${targetVariant} not found for endpoint ${endpointName}`);
    this.name = new.target.name;
  }
}

/**
 * Chooses the production variant for one request, as SageMaker does: the
 * TargetVariant if given, else a weighted random draw (a variant's chance is
 * its weight over the sum of weights; weight 0 is reachable only by target).
 *
 * @param random a number in [0, 1); injectable so tests can pin the draw
 */
export function chooseVariant(endpoint: EndpointRecord, targetVariant: string | undefined, random: () => number = Math.random): ProductionVariant {
  const variants = endpoint.productionVariants;
  if (targetVariant !== undefined) {
    const target = variants.find((v) => v.variantName === targetVariant);
    if (!target) throw new UnknownTargetVariant(endpoint.endpointName, targetVariant);
    return target;
  }
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let point = random() * total;
  for (const variant of variants) {
    if (variant.weight <= 0) continue;
    if (point < variant.weight) return variant;
    point -= variant.weight;
  }
  // Rounding can leave the point a hair past the end: the last weighted variant owns it.
  return [...variants].reverse().find((v) => v.weight > 0)!;
}

/** The shadow variants that receive a copy of this request. */
export function chooseShadows(endpoint: EndpointRecord, random: () => number = Math.random): ShadowVariant[] {
  return endpoint.shadowVariants.filter((s) => s.samplingPercentage > 0 && random() * 100 < s.samplingPercentage);
}
