import { z } from 'zod';
import { CatalogIdSchema } from '../../core/catalog/identifiers';
import { openScheduledJob, schedulerScope } from '../../core/schedules/scheduled-batch-job';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `OpenScheduledJob`: on AWS, EventBridge Scheduler starts batch-score with
 * `{ scheduled: { scheduleId, slot: <aws.scheduler.scheduled-time> } }`; this
 * claims the slot and records the job, exactly as the local scheduler does,
 * so a repeated delivery of one slot ends as `duplicate` and runs nothing.
 */
export const step = defineStep({
  name: 'open-scheduled-batch-job',
  input: z.object({ scheduled: z.object({ scheduleId: CatalogIdSchema, slot: z.string().min(1).max(64) }) }),
  run: async (platform, input, ctx) => {
    const scope = await schedulerScope(platform, ctx.tenantId, input.scheduled.scheduleId, input.scheduled.slot);
    const opened = await openScheduledJob(scope, input.scheduled.scheduleId, input.scheduled.slot);
    // On AWS a queued job of a repeated delivery belongs to the execution still running it: never restarted here.
    if (opened.outcome === 'opened') return { outcome: opened.outcome, jobId: opened.job.jobId };
    return opened.outcome === 'duplicate' ? { outcome: 'duplicate' as const } : opened;
  },
});

export const handler = lambdaHandler(step);
