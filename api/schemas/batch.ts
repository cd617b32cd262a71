import { z } from '@hono/zod-openapi';
import { BatchJobSchema, BatchProgressSchema } from '../../core/batch/batch-job-records';
import { ScheduleSchema } from '../../core/schedules/schedule-records';
import { named } from './named';

const CatalogId = (name: string) =>
  z
    .string()
    .regex(/^[0-9a-hjkmnp-tv-z]{26}$/, 'not a catalog id')
    .openapi({ param: { name, in: 'path' } });

export const BatchJobParam = z.object({ jobId: CatalogId('jobId') });
export const ScheduleParam = z.object({ scheduleId: CatalogId('scheduleId') });

const LineageOut = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.string() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), relation: z.string() })),
});

export const BatchJobOut = named(BatchJobSchema, 'BatchJob');
export const BatchJobDetailOut = named(BatchJobSchema.extend({ progress: named(BatchProgressSchema, 'BatchProgress'), lineage: LineageOut }), 'BatchJobDetail');
export const ScheduleOut = named(ScheduleSchema.extend({ nextFireAt: z.string().optional() }), 'Schedule');
