import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaInspector } from '../../../core/adapters/inspection/lambda-inspector';
import { DependencyFailed, ValidationFailed } from '../../../core/errors';
import { MalformedDataset } from '../../../core/catalog/datasets/dataset-problems';

/**
 * The API's side of the inspector function: what it sends (the job and its
 * wall clock, nothing else) and how each way the function can end becomes the
 * answer the API gives locally for the same file.
 */
const FUNCTION = 'steward-inspector-fn';
const SHA = 'a'.repeat(64);
// A presigned GET as S3 issues it from a tenant session: key id and session token in the query, the secret
// only as the signature it made, so the URL allows this one GET and cannot sign anything else.
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const URL_ = `https://bucket.s3.eu-west-1.amazonaws.com/tenants/t1/staging/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20261206%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE&X-Amz-Signature=${'b'.repeat(64)}`;
const ARTIFACT = { url: URL_, size: 120_000_000, format: 'onnx', expectedSha256: SHA, ioSchema: { inputs: [{ name: 'x', type: 'float' }] } };

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('LambdaInspector', () => {
  const lambda = mockClient(LambdaClient);
  const inspector = new LambdaInspector(new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAAPI', secretAccessKey: SECRET } }), FUNCTION);
  beforeEach(() => lambda.reset());
  afterAll(() => lambda.restore());

  it('invokes exactly the inspector function, synchronously, with the job and its wall clock and no credentials', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ outcome: 'inspected', result: { sha256: SHA, summary: { inputs: 1 } } }) as never });
    await expect(inspector.inspectArtifact(ARTIFACT)).resolves.toEqual({ sha256: SHA, summary: { inputs: 1 } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(Object.keys(input).sort()).toEqual(['FunctionName', 'InvocationType', 'Payload']);
    expect(input.FunctionName).toBe(FUNCTION);
    expect(input.InvocationType).toBe('RequestResponse');
    const sent = new TextDecoder().decode(input.Payload as Uint8Array);
    // 15 s plus a second per 50 MB (core/inspection/inspection-limits.ts).
    expect(JSON.parse(sent)).toEqual({ job: { kind: 'artifact', ...ARTIFACT }, timeoutMs: 18_000 });
    expect(sent).not.toContain(SECRET);
    expect(sent).not.toContain('AKIAAPI');
    expect(sent).not.toMatch(/secretAccessKey|"sessionToken"|"credentials"/i);
  });

  it('sends dataset jobs with the dataset wall clock', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ outcome: 'inspected', result: { sha256: SHA, bytes: 5, profile: {} } }) as never });
    await inspector.inspectDataset({ url: URL_, size: 25_000_000, format: 'csv' });
    const sent = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array));
    expect(sent).toEqual({ job: { kind: 'dataset', url: URL_, size: 25_000_000, format: 'csv' }, timeoutMs: 63_000 });
  });

  it('turns a named refusal into the ValidationFailed the API answers 400 for', async () => {
    const problem = 'the inspection did not finish within 18 s (limit: inspection time) and was stopped';
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ outcome: 'refused', refusal: { message: `refused: ${problem}`, fields: [{ field: 'artifact', problem }] } }) as never,
    });
    const error = await inspector.inspectArtifact(ARTIFACT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).fields).toEqual([{ field: 'artifact', problem }]);
  });

  it('keeps a malformed-dataset refusal a MalformedDataset', async () => {
    const refusal = { message: 'x', fields: [], malformed: { format: 'csv', problem: 'ragged row', location: { line: 3 } } };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ outcome: 'refused', refusal }) as never });
    await expect(inspector.inspectDataset({ url: URL_, size: 10, format: 'csv' })).rejects.toBeInstanceOf(MalformedDataset);
  });

  it.each([
    ['Sandbox.Timedout', 'Task timed out after 180.00 seconds', 'artifact', 'limit: inspection time'],
    ['Runtime.OutOfMemory', 'Runtime exited with error: signal: killed', 'artifact', 'limit: inspection memory'],
    ['Runtime.ExitError', 'Runtime exited with error: signal: aborted (core dumped)', 'artifact', 'stopped the inspection function'],
  ])('names the limit when the function ended with %s', async (errorType, errorMessage, field, named) => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType, errorMessage }) as never });
    const error = await inspector.inspectArtifact(ARTIFACT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).fields[0].field).toBe(field);
    expect((error as ValidationFailed).fields[0].problem).toContain(named);
  });

  it('names the dataset file when a dataset job times out', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' }) as never });
    const error = (await inspector.inspectDataset({ url: URL_, size: 10, format: 'csv' }).catch((e: unknown) => e)) as ValidationFailed;
    expect(error.fields).toEqual([{ field: 'file', problem: expect.stringContaining('limit: inspection time') }]);
  });

  it.each([
    [
      'the function cannot start',
      { StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: 'Runtime.ImportModuleError', errorMessage: 'Cannot find module' }) },
    ],
    ['the function fails inspecting', { StatusCode: 200, Payload: encode({ outcome: 'failed', failure: 'NotFound: object not found' }) }],
    ['the answer has another shape', { StatusCode: 200, Payload: encode({ ok: true }) }],
    ['the result has another shape', { StatusCode: 200, Payload: encode({ outcome: 'inspected', result: { sha256: 'nope' } }) }],
  ])('is a dependency failure, not a refusal, when %s', async (_case, output) => {
    lambda.on(InvokeCommand).resolves(output as never);
    await expect(inspector.inspectArtifact(ARTIFACT)).rejects.toBeInstanceOf(DependencyFailed);
  });

  it('is a dependency failure when Lambda refuses the call (reserved concurrency exhausted)', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: {} }));
    await expect(inspector.inspectArtifact(ARTIFACT)).rejects.toBeInstanceOf(DependencyFailed);
  });
});
