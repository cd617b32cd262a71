import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { ValidationFailed } from '../../core/errors';
import type { Platform } from '../../core/platform/platform';
import { pipelineContextSchema, type StepContext } from '../../core/pipelines/step-context';
import { awsPlatform } from '../shared/aws-platform';

/**
 * A pipeline step: one Task state's work, written once. On AWS its module's
 * `handler` is the Lambda the state machine invokes directly (`Resource:
 * ${<Step>FunctionArn}`: the state's input in, the result out); locally the
 * runner calls the same `invoke` in process. Either way the input is
 * validated here and the tenant comes from `context`, never from the step.
 */
export interface PipelineStep<S extends z.ZodType, O> {
  /** kebab-case; equals the module file name and, in PascalCase, the `${…FunctionArn}` placeholder. */
  readonly name: string;
  readonly input: S;
  run(platform: Platform, input: z.output<S>, ctx: StepContext): Promise<O>;
  /** Validates a raw Task input (`{ context, …input }`) and runs the step. */
  invoke(platform: Platform, event: unknown, extras?: { signal?: AbortSignal }): Promise<O>;
}

/** What the runner and the registry need of any step, whatever its types. */
export interface InvocableStep {
  readonly name: string;
  invoke(platform: Platform, event: unknown, extras?: { signal?: AbortSignal }): Promise<unknown>;
}

export function defineStep<S extends z.ZodType, O>(definition: {
  name: string;
  input: S;
  run(platform: Platform, input: z.output<S>, ctx: StepContext): Promise<O>;
}): PipelineStep<S, O> {
  const step: PipelineStep<S, O> = {
    name: definition.name,
    input: definition.input,
    run: (platform, input, ctx) => definition.run(platform, input, ctx),
    async invoke(platform, event, extras = {}) {
      const { context, input } = parseEvent(definition.name, definition.input, event);
      const ctx: StepContext = { ...context, ...(extras.signal ? { signal: extras.signal } : {}) };
      const started = performance.now();
      let result: O;
      try {
        result = await definition.run(platform, input, ctx);
      } finally {
        // Steps acting on the catalog write audit events; have them linked into the tenant's chain (locally; on AWS the stream does it).
        platform.auditSealing?.nudge(ctx.tenantId);
      }
      platform.log.debug('pipeline step finished', {
        step: definition.name,
        tenantId: ctx.tenantId,
        executionId: ctx.executionId,
        durationMs: Math.round(performance.now() - started),
      });
      // State data is JSON: drop undefined members and class instances here, the same way Lambda's serialisation would.
      return JSON.parse(JSON.stringify(result ?? null)) as O;
    },
  };
  return step;
}

function parseEvent<S extends z.ZodType>(stepName: string, schema: S, event: unknown): { context: z.infer<typeof pipelineContextSchema>; input: z.output<S> } {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new ValidationFailed(`step '${stepName}' expects a JSON object as input`, [{ field: '$', problem: 'not an object' }]);
  }
  const { context, ...rest } = event as Record<string, unknown>;
  const parsedContext = pipelineContextSchema.safeParse(context);
  const parsedInput = schema.safeParse(rest);
  const fields = [
    ...(parsedContext.success ? [] : parsedContext.error.issues.map((i) => ({ field: ['context', ...i.path].join('.'), problem: i.message }))),
    ...(parsedInput.success ? [] : parsedInput.error.issues.map((i) => ({ field: i.path.join('.') || '$', problem: i.message }))),
  ];
  if (!parsedContext.success || !parsedInput.success) {
    const summary = fields
      .slice(0, 5)
      .map((f) => `${f.field}: ${f.problem}`)
      .join('; ');
    throw new ValidationFailed(`invalid input for step '${stepName}': ${summary}`, fields);
  }
  return { context: parsedContext.data, input: parsedInput.data };
}

let lambdaPlatform: Platform | undefined;

/**
 * The Lambda entry of a step. The Platform (clients, settings) is built on the
 * first invocation, not at import, so importing a step module (tests, the
 * local runner) never reads Lambda settings, and a warm container reuses it.
 */
export function lambdaHandler<S extends z.ZodType, O>(step: PipelineStep<S, O>): (event: unknown) => Promise<O> {
  return async (event) => {
    lambdaPlatform ??= awsPlatform();
    return step.invoke(lambdaPlatform, event);
  };
}
