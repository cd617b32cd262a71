import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchTrainingLogs } from '../../../core/adapters/cloudwatch/cloudwatch-training-logs';

const GROUP = '/aws/sagemaker/TrainingJobs';
const JOB = 'tabcdefghjkmnpqr-train-9f2e01';
const STREAM = `${JOB}/algo-1-1765000000`;
const event = (timestamp: number, message: string) => ({ timestamp, message, ingestionTime: timestamp + 1 });

/**
 * The CloudWatch side of a SageMaker training job's log: the exact commands
 * (the stream prefix with its slash, pagination by nextToken both ways, the
 * backward read from the newest event) and the text kept (order, truncation).
 */
describe('CloudWatch training logs', () => {
  const cw = mockClient(CloudWatchLogsClient);
  const logs = new CloudWatchTrainingLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }));
  afterEach(() => cw.reset());

  it("finds the job's streams by the prefix `<job>/`, following nextToken, and reads each backwards from its newest event until the same token comes back", async () => {
    cw.on(DescribeLogStreamsCommand)
      .resolvesOnce({ logStreams: [{ logStreamName: STREAM }], nextToken: 'streams-2' })
      .resolvesOnce({ logStreams: [] });
    // Newest page first (startFromHead: false); each page's events are oldest first.
    cw.on(GetLogEventsCommand, { logStreamName: STREAM })
      .resolvesOnce({ events: [event(30, 'done: {"train_auc": 0.99}'), event(31, 'bye')], nextBackwardToken: 'b/2', nextForwardToken: 'f/1' })
      .resolvesOnce({
        events: [event(10, "training on 426 rows, 30 features, target 'benign'"), event(20, 'fitting')],
        nextBackwardToken: 'b/3',
        nextForwardToken: 'f/2',
      })
      .resolvesOnce({ events: [], nextBackwardToken: 'b/3', nextForwardToken: 'f/3' });

    const text = await logs.readJobLog(JOB, { maxBytes: 1 << 20 });

    expect(text).toBe('training on 426 rows, 30 features, target \'benign\'\nfitting\ndone: {"train_auc": 0.99}\nbye\n');
    expect(cw).toReceiveCommandTimes(DescribeLogStreamsCommand, 2);
    expect(cw).toReceiveNthCommandWith(1, DescribeLogStreamsCommand, { logGroupName: GROUP, logStreamNamePrefix: `${JOB}/` });
    expect(cw).toReceiveNthCommandWith(2, DescribeLogStreamsCommand, { logGroupName: GROUP, logStreamNamePrefix: `${JOB}/`, nextToken: 'streams-2' });
    expect(cw).toReceiveCommandTimes(GetLogEventsCommand, 3);
    expect(cw).toReceiveNthCommandWith(3, GetLogEventsCommand, { logGroupName: GROUP, logStreamName: STREAM, startFromHead: false });
    expect(cw).toReceiveNthCommandWith(4, GetLogEventsCommand, { logGroupName: GROUP, logStreamName: STREAM, startFromHead: false, nextToken: 'b/2' });
    expect(cw).toReceiveNthCommandWith(5, GetLogEventsCommand, { logGroupName: GROUP, logStreamName: STREAM, startFromHead: false, nextToken: 'b/3' });
    // The first read carries no token at all (an empty one is a different request).
    expect(cw.commandCalls(GetLogEventsCommand)[0].args[0].input).not.toHaveProperty('nextToken');
  });

  it('keeps the newest lines within maxBytes and stops reading older pages once it has them, saying the older part was left out', async () => {
    cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: STREAM }] });
    cw.on(GetLogEventsCommand)
      .resolvesOnce({ events: [event(3, 'c'.repeat(9)), event(4, 'd'.repeat(9))], nextBackwardToken: 'b/2' })
      .resolvesOnce({ events: [event(1, 'a'.repeat(9)), event(2, 'b'.repeat(9))], nextBackwardToken: 'b/3' })
      .resolves({ events: [event(0, 'never read')], nextBackwardToken: 'b/4' });

    const text = await logs.readJobLog(JOB, { maxBytes: 25 });

    expect(text).toBe(`[steward: the older part of the log was left out to keep it under 25 bytes]\n${'c'.repeat(9)}\n${'d'.repeat(9)}\n`);
    expect(cw).toReceiveCommandTimes(GetLogEventsCommand, 2);
  });

  it('says exactly how many bytes were dropped when every stream was read whole', async () => {
    cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: `${JOB}/algo-1-1` }, { logStreamName: `${JOB}/algo-2-1` }] });
    cw.on(GetLogEventsCommand, { logStreamName: `${JOB}/algo-1-1` }).resolves({ events: [event(1, 'old line')], nextBackwardToken: 'b/1' });
    cw.on(GetLogEventsCommand, { logStreamName: `${JOB}/algo-2-1` }).resolves({ events: [event(2, 'new line')], nextBackwardToken: 'b/1' });
    cw.on(GetLogEventsCommand, { nextToken: 'b/1' }).resolves({ events: [], nextBackwardToken: 'b/1' });

    expect(await logs.readJobLog(JOB, { maxBytes: 12 })).toBe('[steward: the first 9 bytes of the log were dropped to keep it under 12 bytes]\nnew line\n');
  });

  it('merges the streams of a job that ran on several instances by time', async () => {
    cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: `${JOB}/algo-2-1765000000` }, { logStreamName: `${JOB}/algo-1-1765000000` }] });
    cw.on(GetLogEventsCommand, { logStreamName: `${JOB}/algo-1-1765000000` }).resolves({
      events: [event(1, 'algo-1 first'), event(3, 'algo-1 last')],
      nextBackwardToken: 'b',
    });
    cw.on(GetLogEventsCommand, { logStreamName: `${JOB}/algo-2-1765000000` }).resolves({ events: [event(2, 'algo-2 middle')], nextBackwardToken: 'b' });
    cw.on(GetLogEventsCommand, { nextToken: 'b' }).resolves({ events: [], nextBackwardToken: 'b' });

    expect(await logs.readJobLog(JOB, { maxBytes: 1 << 20 })).toBe('algo-1 first\nalgo-2 middle\nalgo-1 last\n');
  });

  it('is no log when the job left no stream, or the log group does not exist yet', async () => {
    cw.on(DescribeLogStreamsCommand)
      .resolvesOnce({ logStreams: [] })
      .rejectsOnce(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    expect(await logs.readJobLog(JOB, { maxBytes: 1024 })).toBeUndefined();
    expect(await logs.readJobLog(JOB, { maxBytes: 1024 })).toBeUndefined();
    expect(cw).toReceiveCommandTimes(GetLogEventsCommand, 0);
  });

  it('gives up on a stream that keeps answering after maxPagesPerStream pages, saying the log is partial', async () => {
    const capped = new CloudWatchTrainingLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }), { maxPagesPerStream: 3 });
    cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: STREAM }] });
    let n = 0;
    cw.on(GetLogEventsCommand).callsFake(() => ({ events: [], nextBackwardToken: `b/${++n}` }));
    cw.on(GetLogEventsCommand, { nextToken: 'b/2' }).resolves({ events: [event(1, 'line')], nextBackwardToken: 'b/3' });
    const text = await capped.readJobLog(JOB, { maxBytes: 1024 });
    expect(cw).toReceiveCommandTimes(GetLogEventsCommand, 3);
    expect(text).toMatch(/^\[steward: the older part of the log was left out/);
  });
});
