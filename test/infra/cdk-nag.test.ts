import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FIXTURES, findingsOf, readValidationReport, removeTestOutdirs, stewardTestApp } from './support/steward-test-app';

afterAll(removeTestOutdirs);

/**
 * cdk-nag 3 is a policy-validation plugin: its findings go to the cloud
 * assembly's validation-report.json (and fail synth when they are errors),
 * not to construct annotations. So the report is what these tests read.
 */
describe('AwsSolutions checks (cdk-nag)', () => {
  const variants = {
    'fixture pipelines': { stateMachinesDir: FIXTURES.stateMachines, pipelineStepsDir: FIXTURES.pipelineSteps },
    'the repository state-machines/': {},
  };

  it.each(Object.entries(variants))('leave no unacknowledged error or warning with %s', (_name, props) => {
    const { app, stack, outdir } = stewardTestApp(props);
    app.synth();
    const findings = findingsOf(readValidationReport(outdir));
    expect(findings.filter((f) => f.rule.startsWith('AwsSolutions-'))).toEqual([]);
    // Nor any other validation finding (CDK's own construct warnings land in the same report).
    expect(findings).toEqual([]);
    // And nothing left on the stack as annotations (cdk-nag 2 reported there; cdk-nag 3 does not).
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('are really running: an unacknowledged bucket fails synth and is reported', () => {
    const { app, stack, outdir } = stewardTestApp(variants['fixture pipelines']);
    new s3.Bucket(stack, 'UncheckedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
    const rules = findingsOf(readValidationReport(outdir))
      .filter((f) => f.paths.some((p) => p.startsWith('Steward/UncheckedBucket')))
      .map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });

  it('stay clean with the firewall turned off through context, which removes the web ACL', () => {
    const { app, stack, outdir } = stewardTestApp({}, { 'steward:apiFirewall': 'false' });
    app.synth();
    expect(findingsOf(readValidationReport(outdir))).toEqual([]);
    expect(stack.node.tryFindChild('ApiFirewall')).toBeUndefined();
  });

  it('stay clean with required MFA and the Essentials feature plan, each acknowledgement following the setting', () => {
    const { app, stack, outdir } = stewardTestApp(variants['fixture pipelines'], { 'steward:mfa': 'required', 'steward:userPoolFeaturePlan': 'essentials' });
    app.synth();
    expect(findingsOf(readValidationReport(outdir))).toEqual([]);
    const pool = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPool'))[0].Properties;
    expect(pool).toMatchObject({ MfaConfiguration: 'ON', UserPoolTier: 'ESSENTIALS' });
    expect(pool).not.toHaveProperty('UserPoolAddOns');
  });

  it('reject malformed steward:* context before building anything', () => {
    expect(() => stewardTestApp({}, { 'steward:logLevel': 'LOUD', 'steward:mfa': 'sometimes' })).toThrow(
      /invalid context: steward:logLevel: .*; steward:mfa: /,
    );
  });
});
