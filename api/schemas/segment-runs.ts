import { z } from '@hono/zod-openapi';

export const SegmentOutcomeOut = z
  .object({
    index: z.number().int(),
    value: z.string().openapi({ description: 'the segment column’s value' }),
    rows: z.number().int(),
    outcome: z.enum(['trained', 'skipped', 'failed']),
    modelId: z.string().optional(),
    modelName: z.string().optional().openapi({ description: '`<family>.<value>`' }),
    version: z.number().int().optional(),
    status: z.string().optional().openapi({ description: 'the version’s status after the governing policy judged it' }),
    metrics: z.record(z.string(), z.number().nullable()).optional().openapi({ description: 'the segment’s hold-out metrics (its platform evaluation)' }),
    evaluationId: z.string().optional(),
    reason: z.string().optional().openapi({ description: 'why a segment was skipped or failed' }),
    trainingMs: z.number().optional(),
    durationMs: z.number(),
    at: z.string(),
  })
  .openapi('SegmentOutcome');
