import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's node environment for tests that run onnxruntime-node.
 *
 * Each test file gets its own realm, with its own typed-array constructors,
 * while the native binding returns output data made in Node's main realm;
 * onnxruntime-common then rejects it ("A float32 tensor's data must be type
 * of function Float32Array()"), because its `instanceof` check uses the test
 * realm's constructor. Jest already shares Uint8Array this way; this shares
 * the rest. Plain Node (the API, the serving container) has one realm and
 * needs none of this.
 *
 * Every project in jest.config.js uses it, so ONNX-running tests (artifact
 * validation, serving, integration) need nothing special.
 */
export default class OnnxTestEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    Object.assign(this.global, {
      Float32Array,
      Float64Array,
      Int8Array,
      Uint8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      BigInt64Array,
      BigUint64Array,
    });
  }
}
