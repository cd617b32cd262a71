import { z } from 'zod';
import { segmentPlanSchema, segmentSummaryKey } from '../../core/pipelines/segment-request';
import { allSegmentOutcomes, summarizeSegments } from '../../core/pipelines/segment-run-records';
import { stepScope } from '../../core/pipelines/step-context';
import { defineStep, lambdaHandler } from './define-step';

/**
 * `SummarizeSegments` (train-segments): every segment's recorded outcome read
 * back; the per-segment table to `segment-runs/<run>/summary.json`, the
 * counts and the headline metric's spread as the run's output (`$.summary`).
 */
export const step = defineStep({
  name: 'summarize-segment-run',
  input: z.object({ plan: segmentPlanSchema }),
  run: async (platform, input, ctx) => {
    const { scope } = await stepScope(platform, ctx);
    const { run } = input.plan;
    const outcomes = await allSegmentOutcomes(scope.table, run.runId);
    const key = segmentSummaryKey(run.runId);
    const { summary, document } = summarizeSegments(run, outcomes, key);
    await scope.objects.put(key, JSON.stringify(document), 'application/json');
    return summary;
  },
});

export const handler = lambdaHandler(step);
