import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { jobIsActive, jobPollInterval, type PartitionResult, partitionRows, scheduleChanges } from '../../../web/src/lib/batch-job-view';
import { CURSOR_LIST_OVERSCAN, shouldFetchNextPage, virtualWindowOptions } from '../../../web/src/lib/cursor-paging';
import { CANARY_DEFAULTS, canaryVerdict, parseCanary } from '../../../web/src/lib/deployment-forms';
import { jobLineageGraph, labelLineage, lineageIds, lineageLabel } from '../../../web/src/lib/lineage-labels';
import { layoutLineage } from '../../../web/src/lib/lineage-layout';

const part = (index: number, rowsRejected = 0): PartitionResult => ({
  index,
  source: `in/part-${index}.csv`,
  output: `outputs/part-0000${index}.csv`,
  ...(rowsRejected ? { rejected: `rejected/part-0000${index}.csv` } : {}),
  rowsIn: 10,
  rowsOut: 10 - rowsRejected,
  rowsRejected,
  finishedAt: '2026-12-06T02:00:00.000Z',
});

describe('a batch job’s progress per partition', () => {
  it('lists every planned partition, scored ones with their counts and the rest waiting, whatever order they landed in', () => {
    const rows = partitionRows(4, [part(2, 1), part(0)]);
    expect(rows.map((r) => [r.index, r.state])).toEqual([
      [0, 'scored'],
      [1, 'waiting'],
      [2, 'scored'],
      [3, 'waiting'],
    ]);
    expect(rows[2]).toMatchObject({ result: { rowsRejected: 1, rejected: 'rejected/part-00002.csv' } });
  });

  it('shows what landed before the job knows its partition count, and nothing before anything did', () => {
    expect(partitionRows(undefined, [])).toEqual([]);
    expect(partitionRows(undefined, [part(1)]).map((r) => r.state)).toEqual(['waiting', 'scored']);
  });

  it('polls while the job is queued or running and stops once it ended', () => {
    expect([jobPollInterval(undefined), jobPollInterval('queued'), jobPollInterval('running')]).toEqual([2000, 2000, 2000]);
    expect([jobPollInterval('succeeded'), jobPollInterval('failed')]).toEqual([false, false]);
    expect(jobIsActive('failed')).toBe(false);
  });
});

describe('a schedule edit', () => {
  const before = {
    expression: 'rate(1 hour)',
    timeZone: 'UTC',
    enabled: true,
    revision: 3,
    job: { model: { modelId: 'm1', version: 1 }, input: { kind: 'dataset', datasetId: 'd1', version: 1 }, outputPrefix: 'batch-jobs/', passthrough: [] },
  };
  const same = { expression: 'rate(1 hour)', timeZone: 'UTC', description: '', target: 'm1|1' };

  it('sends only what changed, with the revision it was read at', () => {
    expect(scheduleChanges(before, { ...same, expression: ' cron(0 6 * * ? *) ', timeZone: 'Europe/Paris' })).toEqual({
      expression: 'cron(0 6 * * ? *)',
      timeZone: 'Europe/Paris',
      expectedRevision: 3,
    });
  });

  it('moves the target to another version keeping the rest of the job', () => {
    expect(scheduleChanges(before, { ...same, target: 'm1|2' })).toEqual({ job: { ...before.job, model: { modelId: 'm1', version: 2 } }, expectedRevision: 3 });
  });

  it('sends nothing when nothing changed (the API would refuse an empty change)', () => {
    expect(scheduleChanges(before, same)).toBeUndefined();
    expect(scheduleChanges(before, { ...same, target: '' })).toBeUndefined();
  });
});

describe('lineage labelled by name and version', () => {
  const names = { datasets: { d1: 'breast-cancer' }, models: { m1: 'screening' } };

  it('names datasets and versions, and keeps the API’s label for what it cannot name yet', () => {
    expect(lineageLabel({ id: 'dataset:d1/3', label: 'dataset d1 v3' }, names)).toBe('breast-cancer v3');
    expect(lineageLabel({ id: 'version:m1/2' }, names)).toBe('screening v2');
    expect(lineageLabel({ id: 'dataset:d9/1', label: 'dataset d9 v1' }, names)).toBe('dataset d9 v1');
    expect(lineageLabel({ id: 'objects:scores/01j/' })).toBe('folder scores/01j/');
    expect(lineageLabel({ id: 'execution:x', label: 'pipeline run x' }, names)).toBe('pipeline run x');
  });

  it('finds the ids to look up once each, and relabels a whole graph', () => {
    const graph = {
      root: 'version:m1/2',
      nodes: [
        { id: 'version:m1/2', kind: 'version', label: 'screening v2', attributes: {} },
        { id: 'dataset:d1/1', kind: 'dataset', label: 'dataset d1 v1', attributes: {} },
        { id: 'dataset:d1/2', kind: 'dataset', label: 'dataset d1 v2', attributes: {} },
      ],
      edges: [],
    };
    expect(lineageIds(graph.nodes)).toEqual({ datasets: ['d1'], models: ['m1'] });
    expect(labelLineage(graph, names).nodes.map((n) => n.label)).toEqual(['screening v2', 'breast-cancer v1', 'breast-cancer v2']);
  });

  it('draws a batch job left to right: input, version, job, then its outputs', () => {
    const graph = jobLineageGraph(
      'j1',
      {
        nodes: [
          { id: 'dataset:d1/1', kind: 'dataset' },
          { id: 'version:m1/2', kind: 'version' },
          { id: 'batch-job:j1', kind: 'batch-job' },
          { id: 'objects:batch-jobs/j1/', kind: 'objects' },
        ],
        edges: [
          { from: 'dataset:d1/1', to: 'batch-job:j1', relation: 'scored-by' },
          { from: 'version:m1/2', to: 'batch-job:j1', relation: 'scored' },
          { from: 'batch-job:j1', to: 'objects:batch-jobs/j1/', relation: 'wrote' },
        ],
      },
      names,
    );
    const column = (id: string) => layoutLineage(graph).nodes.find((n) => n.id === id)!.column;
    expect(['dataset:d1/1', 'version:m1/2', 'batch-job:j1', 'objects:batch-jobs/j1/'].map(column)).toEqual([0, 1, 2, 3]);
    expect(graph.nodes.map((n) => n.label)).toEqual(['breast-cancer v1', 'screening v2', 'batch job j1', 'folder batch-jobs/j1/']);
  });
});

describe('the canary settings of the deployment form', () => {
  it('sends every setting the API takes, in its units, from the defaults', () => {
    expect(parseCanary(CANARY_DEFAULTS)).toEqual({
      errors: {},
      settings: { steps: [10, 50, 100], bakeSeconds: 300, maxErrorRate: 0.05, maxLatencyMs: 1000, minRequests: 50 },
    });
    expect(
      parseCanary({
        ...CANARY_DEFAULTS,
        variantName: 'canary-a',
        steps: '5 25 100',
        bakeMinutes: '0.5',
        maxErrorPercent: '1.5',
        maxLatencyMs: '250',
        minRequests: '200',
      }).settings,
    ).toEqual({
      variantName: 'canary-a',
      steps: [5, 25, 100],
      bakeSeconds: 30,
      maxErrorRate: 0.015,
      maxLatencyMs: 250,
      minRequests: 200,
    });
  });

  it('names each bad setting as the API would, before anything is sent', () => {
    const { settings, errors } = parseCanary({
      variantName: '-x',
      steps: '50, 10',
      bakeMinutes: '2000',
      maxErrorPercent: '150',
      maxLatencyMs: '0',
      minRequests: '2.5',
    });
    expect(settings).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual([
      'canary.bakeSeconds',
      'canary.maxErrorRate',
      'canary.maxLatencyMs',
      'canary.minRequests',
      'canary.steps',
      'canary.variantName',
    ]);
    expect(errors['canary.steps']).toMatch(/more traffic than the one before/);
    expect(parseCanary({ ...CANARY_DEFAULTS, steps: '' }).errors['canary.steps']).toMatch(/1 to 10 percentages/);
  });
});

describe('the canary verdict on the endpoint page', () => {
  const canary = {
    variantName: 'canary-v2',
    steps: [10, 50, 100],
    stepIndex: 1,
    stepStartedAt: '2026-12-06T02:00:00.000Z',
    bakeSeconds: 600,
    maxErrorRate: 0.05,
    maxLatencyMs: 500,
    minRequests: 50,
  };

  it('waits for enough requests before judging', () => {
    expect(canaryVerdict(canary, undefined)).toMatchObject({ verdict: 'gathering', text: expect.stringContaining('0 of 50 requests') });
    expect(canaryVerdict(canary, { requests: 49, errorRate: 0.5, p99Ms: 9000 }).verdict).toBe('gathering');
  });

  it('says it fails on errors or latency, as the platform judges (and rolls back)', () => {
    expect(canaryVerdict(canary, { requests: 100, errorRate: 0.08, p99Ms: 10 })).toMatchObject({
      verdict: 'failing',
      text: expect.stringContaining('error rate 8.0 %'),
    });
    expect(canaryVerdict(canary, { requests: 100, errorRate: 0.01, p99Ms: 700 })).toMatchObject({
      verdict: 'failing',
      text: expect.stringContaining('p99 latency 700 ms'),
    });
  });

  it('says when a healthy canary is promoted next: the step start plus its bake period', () => {
    expect(canaryVerdict(canary, { requests: 100, errorRate: 0.01, p99Ms: 120 })).toMatchObject({ verdict: 'healthy', nextAt: '2026-12-06T02:10:00.000Z' });
  });
});

describe('the versions list at 100,000 rows', () => {
  const ROW = 56;
  const PAGE = 100;
  const TOTAL = 100_000;
  /** What CursorList renders at a scroll offset, with the virtualizer it configures. */
  const rendered = (loaded: number, scrollTop: number) =>
    new Virtualizer<Element, Element>({
      ...virtualWindowOptions(loaded, ROW),
      getScrollElement: () => null,
      initialRect: { width: 800, height: 560 },
      initialOffset: scrollTop,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
    }).getVirtualItems();

  it('renders only the rows in view plus the overscan, wherever the reader is', () => {
    for (const top of [0, ROW * 50_000, ROW * (TOTAL - 10)]) {
      const rows = rendered(TOTAL, top);
      expect(rows.length).toBeLessThanOrEqual(560 / ROW + 2 * CURSOR_LIST_OVERSCAN + 1);
      expect(rows[0].index).toBeGreaterThanOrEqual(Math.floor(top / ROW) - CURSOR_LIST_OVERSCAN);
    }
  });

  it('asks for the next cursor page only as the reader nears the end of what is loaded, one page at a time', () => {
    let loaded = PAGE;
    let requests = 1;
    // The reader scrolls row by row to row 450: pages are fetched just ahead of them, never all 1,000.
    for (let top = 0; top <= ROW * 450; top += ROW) {
      const last = rendered(loaded, top).at(-1)!.index;
      if (shouldFetchNextPage({ hasNextPage: loaded < TOTAL, isFetchingNextPage: false, lastRenderedIndex: last, loaded })) {
        loaded += PAGE;
        requests++;
      }
    }
    expect(requests).toBe(5);
    expect(loaded).toBe(500);
    expect(shouldFetchNextPage({ hasNextPage: true, isFetchingNextPage: true, lastRenderedIndex: 499, loaded: 500 })).toBe(false);
    expect(shouldFetchNextPage({ hasNextPage: false, isFetchingNextPage: false, lastRenderedIndex: 99_999, loaded: TOTAL })).toBe(false);
  });
});
