import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { StewardStack, type StewardStackProps } from './stacks/steward-stack';

export interface StewardAppProps extends AppProps {
  /**
   * Props of the Steward stack; they win over `steward:*` context values.
   *
   * @default - from context only
   */
  readonly stack?: StewardStackProps;
}

/** The construct id of the main stack; also its CloudFormation stack name. */
export const STEWARD_STACK_ID = 'Steward';

// `cdk -c key=value` passes strings; cdk.json may hold real booleans and arrays.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const origins = z.union([
  z.array(z.string().min(1)),
  z.string().transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  ),
]);

/** Stack settings a deployer may set with `-c steward:<key>=<value>` or in cdk.json. */
export const stewardContextSchema = z.object({
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/)
    .optional(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).optional(),
  mfa: z.enum(['optional', 'required']).optional(),
  userPoolFeaturePlan: z.enum(['essentials', 'plus']).optional(),
  corsAllowedOrigins: origins.optional(),
  apiFirewall: flag.optional(),
  bundleFunctions: flag.optional(),
});

/**
 * The CDK app with the Steward stack and the AWS Solutions cdk-nag checks,
 * built the same way by `cdk synth` (bin/steward.ts) and by the tests.
 *
 * @example
 * const { app, stack } = createStewardApp({ stack: { bundleFunctions: false } });
 * const assembly = app.synth();
 */
export function createStewardApp(props: StewardAppProps = {}): { app: App; stack: StewardStack } {
  const { stack: stackProps, ...appProps } = props;
  const app = new App(appProps);
  const stack = new StewardStack(app, STEWARD_STACK_ID, {
    description: 'Steward: multi-tenant ModelOps platform',
    ...readStewardContext(app),
    ...stackProps,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

function readStewardContext(app: App): StewardStackProps {
  const raw = Object.fromEntries(Object.keys(stewardContextSchema.shape).map((key) => [key, app.node.tryGetContext(`steward:${key}`)]));
  const parsed = stewardContextSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `steward:${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid context: ${lines.join('; ')}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
}
