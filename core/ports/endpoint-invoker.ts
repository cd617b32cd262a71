/**
 * The data plane of served endpoints: SageMaker runtime's InvokeEndpoint. One
 * adapter (core/adapters/sagemaker/runtime-endpoint-invoker.ts) speaks it to
 * SageMaker on AWS and to the local scoring gateway, which speaks the same
 * protocol.
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
  constructor(readonly endpointName: string, options?: ErrorOptions) {
    super(`endpoint ${endpointName} does not exist`, options);
    this.name = new.target.name;
  }
}

export class ModelRefusedInput extends Error {
  constructor(message: string, readonly variant?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ModelFailed extends Error {
  constructor(message: string, readonly variant?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
