import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTestOutdirs, stewardTestApp } from './support/steward-test-app';
import { Template } from 'aws-cdk-lib/assertions';

afterAll(removeTestOutdirs);

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

/** train-evaluate's training containers: createTrainingJob.sync on tenant-prefixed, TenantId-tagged jobs, and nothing wider. */
describe('train-evaluate state machine: training containers', () => {
  let resources: Record<string, Resource>;
  let statements: Statement[];
  let machine: Resource;

  beforeAll(() => {
    const { stack } = stewardTestApp();
    resources = Template.fromStack(stack).toJSON().Resources as typeof resources;
    const [, found] = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'steward-train-evaluate',
    )!;
    machine = found;
    const roleRef = JSON.stringify(machine.Properties.RoleArn);
    const roleId = /"([A-Za-z0-9]+)"/.exec(roleRef.slice(roleRef.indexOf('Fn::GetAtt')))![1];
    statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  });

  const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

  it('runs PlanContainerTraining and CollectTrainedModel as Lambdas around the createTrainingJob.sync integration', () => {
    const subs = Object.keys(machine.Properties.DefinitionSubstitutions as object);
    expect(subs).toEqual(expect.arrayContaining(['PlanContainerTrainingFunctionArn', 'CollectTrainedModelFunctionArn', 'TrainModelFunctionArn']));
    expect(String(machine.Properties.DefinitionString)).toContain('arn:aws:states:::sagemaker:createTrainingJob.sync');
  });

  it('creates training jobs only with a TenantId tag, on tenant-prefixed names, follows them, and passes the SageMaker role to SageMaker only', () => {
    const create = bySid('TrainingJobCreateTenantTagged')!;
    expect(create).toMatchObject({
      Effect: 'Allow',
      Action: ['sagemaker:AddTags', 'sagemaker:CreateTrainingJob'],
      Condition: { Null: { 'aws:RequestTag/TenantId': 'false' } },
    });
    expect(JSON.stringify(create.Resource)).toContain(':training-job/t*');
    expect(bySid('TrainingJobFollow')).toMatchObject({ Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags', 'sagemaker:StopTrainingJob'] });
    expect(JSON.stringify(bySid('TrainingJobFollow')!.Resource)).toContain(':training-job/t*');
    expect(JSON.stringify(bySid('TrainingJobCompletionEvents')!.Resource)).toContain('rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule');
    expect(bySid('TrainingJobPassExecutionRole')).toMatchObject({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    // No SageMaker action on any other resource than tenant-prefixed training jobs.
    for (const s of statements.filter((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]).some((a) => a.startsWith('sagemaker:')))) {
      expect(JSON.stringify(s.Resource)).toContain(':training-job/t*');
    }
  });

  it("lets SageMaker write a training job's output below the tenants' run folders", () => {
    const [roleId] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('ModelServingExecutionRole'))!;
    const puts = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:PutObject')));
    expect(
      puts
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r))
        .some((r) => r.includes('/tenants/*/models/*/runs/*')),
    ).toBe(true);
  });
});

/** The python-sklearn template's image (built at deploy), its URI in the steps' settings, and the steps' read of training jobs' CloudWatch logs. */
describe('container training on AWS: template image and training logs', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let outdir: string;
  let stepsRoleId: string;
  let executionRoleId: string;

  beforeAll(() => {
    const app = stewardTestApp();
    outdir = app.outdir;
    app.app.synth();
    template = Template.fromStack(app.stack);
    resources = template.toJSON().Resources as typeof resources;
    stepsRoleId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && id.startsWith('PipelinesStepsRole'))!;
    executionRoleId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && id.startsWith('ModelServingExecutionRole'))!;
  });

  const statementsOf = (roleId: string) =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const actionsOf = (s: Statement) => [s.Action].flat();

  it('stages templates/python-sklearn as a Docker image asset (synth needs no Docker: the build runs at deploy), for linux/amd64', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'Steward.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { displayName?: string; source: { directory: string; platform?: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    const image = images.find((i) => i.displayName === 'training template python-sklearn')!;
    expect(image).toBeDefined();
    expect(image.source.platform).toBe('linux/amd64');
    const staged = path.join(outdir, image.source.directory);
    expect(fs.readdirSync(staged).sort()).toEqual(['Dockerfile', 'train.py']);
    expect(fs.readFileSync(path.join(staged, 'Dockerfile'), 'utf8')).toContain('ENTRYPOINT ["python3", "/opt/program/train.py"]');
  });

  it("hands the image's URI to the pipeline steps as STEWARD_TRAINING_IMAGE_PYTHON_SKLEARN, so planning finds it with no manual setting", () => {
    const steps = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties.Role ?? '').includes(stepsRoleId));
    expect(steps.length).toBeGreaterThan(0);
    for (const fn of steps) {
      const image = JSON.stringify((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STEWARD_TRAINING_IMAGE_PYTHON_SKLEARN);
      expect(image).toMatch(/dkr\.ecr\..*container-assets.*:[0-9a-f]{64}/);
    }
  });

  it("lets SageMaker's execution role pull the image from the assets repository", () => {
    const pull = statementsOf(executionRoleId).find((s) => actionsOf(s).includes('ecr:BatchGetImage'))!;
    expect(actionsOf(pull)).toEqual(expect.arrayContaining(['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']));
    expect(JSON.stringify(pull.Resource)).toContain('container-assets');
    expect(statementsOf(executionRoleId).some((s) => actionsOf(s).includes('ecr:GetAuthorizationToken') && s.Resource === '*')).toBe(true);
  });

  it("lets the steps' role read the streams of /aws/sagemaker/TrainingJobs (tenant-prefixed jobs' events only), and no other log group", () => {
    // (The role also writes its own functions' log groups: only reads are looked at here.)
    const logs = statementsOf(stepsRoleId).filter((s) => actionsOf(s).some((a) => /^logs:(Get|Describe|Filter|StartQuery)/.test(a)));
    const describe = logs.find((s) => actionsOf(s).includes('logs:DescribeLogStreams'))!;
    const events = logs.find((s) => actionsOf(s).includes('logs:GetLogEvents'))!;
    expect(actionsOf(describe)).toEqual(['logs:DescribeLogStreams']);
    expect(actionsOf(events)).toEqual(['logs:GetLogEvents']);
    const flat = (r: unknown) => JSON.stringify(r).replace(/"|,|\{"Ref":|\}|\[|\]|Fn::Join/g, '');
    expect(flat(describe.Resource)).toContain(':log-group:/aws/sagemaker/TrainingJobs:*');
    expect(flat(events.Resource)).toContain(':log-group:/aws/sagemaker/TrainingJobs:log-stream:t*');
    for (const s of logs) expect(JSON.stringify(s.Resource)).toContain('/aws/sagemaker/TrainingJobs');
    // Only the steps read them: the API and the state machine get no CloudWatch Logs read.
    const others = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && !(r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === stepsRoleId))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(others.filter((s) => actionsOf(s).some((a) => a === 'logs:GetLogEvents' || a === 'logs:DescribeLogStreams'))).toEqual([]);
  });
});
