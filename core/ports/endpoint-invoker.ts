/**
 * The data plane of served endpoints: SageMaker runtime's InvokeEndpoint. On
 * AWS the SDK adapter (core/adapters/sagemaker/runtime-endpoint-invoker.ts)
 * speaks it to SageMaker; locally, by default, the hosted gateway's adapter
 * (hosted-gateway-invoker.ts) hands it to the scoring gateway in the same
 * process without the SDK, and the SDK adapter stays selectable
 * (STEWARD_SCORING_TRANSPORT), the gateway speaking the same protocol.
 */
export interface InvocationRequest {
  readonly endpointName: string;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly accept?: string;
  /** Route to one production variant (smoke tests of each variant). */
  readonly targetVariant?: string;
  readonly inferenceId?: string;
}

export interface InvocationAnswer {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** The production variant that answered. */
  readonly variant: string;
  /**
   * The `predictions` of a JSON body as values, when the adapter has them
   * without parsing (the hosted gateway's, from the runtime): what
   * `JSON.parse` of the body would give, up to JSON's rounding (a
   * non-finite number is `null` in the body, `-0` is `0`), so they are
   * written back as the same JSON.
   */
  readonly predictions?: readonly Readonly<Record<string, unknown>>[];
}

export interface EndpointInvoker {
  /**
   * @throws EndpointMissing when the endpoint does not exist
   * @throws ModelRefusedInput when the model answered 4xx (the message names the row and field)
   * @throws ModelFailed when the model or the endpoint failed
   */
  invoke(request: InvocationRequest): Promise<InvocationAnswer>;
}

export class EndpointMissing extends Error {
  constructor(
    readonly endpointName: string,
    options?: ErrorOptions,
  ) {
    super(`endpoint ${endpointName} does not exist`, options);
    this.name = new.target.name;
  }
}

export class ModelRefusedInput extends Error {
  constructor(
    message: string,
    readonly variant?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ModelFailed extends Error {
  constructor(
    message: string,
    readonly variant?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
