import { z } from 'zod';
import { ValidationFailed } from '../../../core/errors';
import type { Platform } from '../../../core/platform/platform';

jest.mock('../../../functions/shared/aws-platform', () => ({ awsPlatform: jest.fn() }));

import { awsPlatform } from '../../../functions/shared/aws-platform';
import { defineStep, lambdaHandler } from '../../../functions/pipeline-steps/define-step';

const log = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const fakePlatform = { log, now: () => new Date(0) } as unknown as Platform;
const context = { tenantId: 't0123456789abcde', actor: 'user:1', executionId: 'arn:aws:states:us-east-1:1:execution:sm:run-1' };

const echo = defineStep({
  name: 'echo',
  input: z.object({ value: z.number() }),
  run: async (_platform, input, ctx) => ({ doubled: input.value * 2, tenantId: ctx.tenantId, dropped: undefined }),
});

describe('defineStep', () => {
  it('validates the input, hands the context to the step and returns plain JSON', async () => {
    await expect(echo.invoke(fakePlatform, { context, value: 21 })).resolves.toEqual({ doubled: 42, tenantId: context.tenantId });
  });

  it('refuses bad input and a missing or forged-looking context as ValidationFailed, naming the fields', async () => {
    const failure = await echo.invoke(fakePlatform, { context: { ...context, tenantId: 'T#other' }, value: 'x' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ValidationFailed);
    expect((failure as ValidationFailed).name).toBe('ValidationFailed'); // what Retry/Catch match on
    expect((failure as ValidationFailed).fields.map((f) => f.field)).toEqual(['context.tenantId', 'value']);
    await expect(echo.invoke(fakePlatform, { value: 1 })).rejects.toThrow("invalid input for step 'echo': context:");
    await expect(echo.invoke(fakePlatform, [1])).rejects.toThrow("step 'echo' expects a JSON object as input");
  });
});

describe('lambdaHandler', () => {
  it('builds the AWS platform on the first invocation only, never at import', async () => {
    const build = awsPlatform as jest.MockedFunction<typeof awsPlatform>;
    build.mockReturnValue(fakePlatform);
    const handler = lambdaHandler(echo);
    expect(build).not.toHaveBeenCalled();
    await expect(handler({ context, value: 1 })).resolves.toMatchObject({ doubled: 2 });
    await expect(handler({ context, value: 2 })).resolves.toMatchObject({ doubled: 4 });
    expect(build).toHaveBeenCalledTimes(1);
  });
});
