import {
  type CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { type TrainingLogSource, truncationNotice } from '../../ports/training-log-source';

/** Where SageMaker sends every training job's stdout and stderr. */
export const TRAINING_JOBS_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

export interface CloudWatchTrainingLogsOptions {
  /** @default '/aws/sagemaker/TrainingJobs' */
  readonly logGroupName?: string;
  /**
   * GetLogEvents pages read per stream at most (each up to 1 MB or 10,000
   * events), so a stream that keeps answering never holds the step past its
   * timeout. @default 200
   */
  readonly maxPagesPerStream?: number;
}

interface StreamEvent {
  readonly timestamp: number;
  readonly stream: number;
  readonly order: number;
  readonly line: string;
}

/**
 * A SageMaker training job's log from CloudWatch Logs. SageMaker writes one
 * stream per instance, `<job name>/algo-<n>-<epoch>`, so the streams are
 * found with DescribeLogStreams on the prefix `<job name>/` (the slash keeps
 * job `t1-train-a` from matching `t1-train-ab`), and each is read backwards
 * from its newest event with GetLogEvents (`startFromHead: false`,
 * `nextBackwardToken`) until the stream's start (the same token comes back)
 * or `maxBytes` are in hand: the tail is what a person debugging a run needs,
 * and a huge log costs no more than the part kept. Events of all streams are
 * merged by time, one line each; a missing log group or stream is no log.
 *
 * @example
 * const logs = new CloudWatchTrainingLogs(new CloudWatchLogsClient({ region }));
 * const text = await logs.readJobLog('t1abc-train-9f2e…', { maxBytes: 5 * 1024 * 1024 });
 */
export class CloudWatchTrainingLogs implements TrainingLogSource {
  private readonly logGroupName: string;
  private readonly maxPages: number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    options: CloudWatchTrainingLogsOptions = {},
  ) {
    this.logGroupName = options.logGroupName ?? TRAINING_JOBS_LOG_GROUP;
    this.maxPages = options.maxPagesPerStream ?? 200;
  }

  async readJobLog(jobName: string, options: { maxBytes: number }): Promise<string | undefined> {
    const streams = await this.streamsOf(jobName);
    if (streams === undefined || streams.length === 0) return undefined;
    const events: StreamEvent[] = [];
    let partial = false;
    for (const [index, stream] of streams.entries()) {
      const read = await this.tailOf(stream, options.maxBytes);
      if (read === undefined) continue;
      partial ||= !read.complete;
      read.events.forEach((e, order) => events.push({ timestamp: e.timestamp ?? 0, stream: index, order, line: lineOf(e.message ?? '') }));
    }
    if (events.length === 0) return undefined;
    events.sort((a, b) => a.timestamp - b.timestamp || a.stream - b.stream || a.order - b.order);

    // Newest first until the budget is spent; what does not fit is left out, and said so.
    const kept: string[] = [];
    let bytes = 0;
    let dropped = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      const size = Buffer.byteLength(events[i].line);
      if (dropped > 0 || bytes + size > options.maxBytes) {
        dropped += size;
        continue;
      }
      kept.push(events[i].line);
      bytes += size;
    }
    const text = kept.reverse().join('');
    if (partial) return truncationNotice(undefined, options.maxBytes) + text;
    return dropped > 0 ? truncationNotice(dropped, options.maxBytes) + text : text;
  }

  /** The job's stream names, every page of them; undefined when the log group does not exist (no job ever logged in this account and region). */
  private async streamsOf(jobName: string): Promise<string[] | undefined> {
    const names: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new DescribeLogStreamsCommand({ logGroupName: this.logGroupName, logStreamNamePrefix: `${jobName}/`, ...(nextToken ? { nextToken } : {}) }),
        );
        for (const stream of page.logStreams ?? []) if (stream.logStreamName) names.push(stream.logStreamName);
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    return names.sort();
  }

  /**
   * A stream's newest events, oldest first, until about `maxBytes` are read.
   * `complete`: the stream's start was reached (nothing older was left out).
   */
  private async tailOf(logStreamName: string, maxBytes: number): Promise<{ events: OutputLogEvent[]; complete: boolean } | undefined> {
    const pages: OutputLogEvent[][] = [];
    let bytes = 0;
    let nextToken: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      let out;
      try {
        out = await this.client.send(
          new GetLogEventsCommand({ logGroupName: this.logGroupName, logStreamName, startFromHead: false, ...(nextToken ? { nextToken } : {}) }),
        );
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return pages.length ? { events: pages.reverse().flat(), complete: false } : undefined;
        throw error;
      }
      const events = out.events ?? [];
      pages.push(events);
      bytes += events.reduce((sum, e) => sum + Buffer.byteLength(lineOf(e.message ?? '')), 0);
      // CloudWatch answers the token it was given once there is nothing older; an empty page alone does not mean the start.
      const atStart = !out.nextBackwardToken || out.nextBackwardToken === nextToken;
      if (atStart) return { events: pages.reverse().flat(), complete: true };
      if (bytes > maxBytes) return { events: pages.reverse().flat(), complete: false };
      nextToken = out.nextBackwardToken;
    }
    return { events: pages.reverse().flat(), complete: false };
  }
}

/** An event as a line of the log (SageMaker sends one line per event, without its newline). */
function lineOf(message: string): string {
  return message.endsWith('\n') ? message : `${message}\n`;
}
