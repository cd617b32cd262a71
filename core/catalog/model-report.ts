import { describePolicyRef } from '../governance/approval-policy';
import type { TenantScope } from '../tenancy/tenant-scope';
import { listApprovals, type ApprovalRecord } from './approval-decision';
import { listEvaluations, type Evaluation } from './evaluations';
import { versionLineage, type LineageGraph } from './lineage';
import { loadModel, type Model } from './models';
import { loadVersion, type ModelVersion } from './versions';
import { listAuditEvents } from '../audit/audit-trail';
import type { AuditEvent } from '../audit/audit-event';

export interface ModelReportData {
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly model: Model;
  readonly version: ModelVersion;
  readonly lineage: LineageGraph;
  readonly evaluations: Evaluation[];
  readonly approvals: ApprovalRecord[];
  readonly history: AuditEvent[];
}

/** Everything an auditor asks about one version, gathered from the tenant's records. */
export async function gatherReport(scope: TenantScope, modelId: string, number: number): Promise<ModelReportData> {
  const [model, version, lineage, evaluations, approvals, history] = await Promise.all([
    loadModel(scope.table, modelId),
    loadVersion(scope.table, modelId, number),
    versionLineage(scope, modelId, number),
    listEvaluations(scope, modelId, number),
    listApprovals(scope, modelId, number),
    listAuditEvents(scope, { targetType: 'version', targetId: `${modelId}-${number}` }, { limit: 100 }),
  ]);
  return {
    generatedAt: scope.now().toISOString(),
    generatedBy: scope.meta.actor,
    model,
    version,
    lineage,
    evaluations,
    approvals,
    history: history.items.reverse(),
  };
}

export function renderMarkdown(r: ModelReportData): string {
  const { model, version } = r;
  const lines: string[] = [
    `# Model report: ${inline(model.name)} v${version.version}`,
    '',
    `Generated ${r.generatedAt} by ${inline(r.generatedBy)}.`,
    '',
    '## Summary',
    '',
    table(
      ['Field', 'Value'],
      [
        ['Model', `${model.name} (${model.modelId})`],
        ['Project', model.projectId],
        ['Type / framework', `${model.type} / ${model.framework}`],
        ['Owner', model.owner],
        ['Tags', model.tags.join(', ') || '—'],
        ['Version', String(version.version)],
        ['Status', version.status + (version.statusReason ? ` (${version.statusReason})` : '')],
        ['Stage', version.stage ?? '—'],
        ['Source', version.source],
        ['Artifact', `${version.artifact.format}, ${version.artifact.size} bytes, sha256 ${version.artifact.sha256}, ${version.artifact.state}`],
        ['Registered', `${version.createdAt} by ${version.createdBy}`],
      ],
    ),
    '',
    '## Description',
    '',
    (version.description ?? model.description) ? fenced((version.description ?? model.description)!) : '_No description._',
    '',
    '## Input and output schema',
    '',
    table(
      ['Direction', 'Field', 'Type', 'Description'],
      [
        ...model.schema.inputs.map((f) => ['input', f.name, f.type, f.description ?? '']),
        ...model.schema.outputs.map((f) => ['output', f.name, f.type, f.description ?? '']),
      ],
    ),
    '',
    '## Lineage',
    '',
    r.lineage.edges.length
      ? table(
          ['From', 'Relation', 'To'],
          r.lineage.edges.map((e) => [label(r.lineage, e.from), e.relation, label(r.lineage, e.to)]),
        )
      : '_No recorded inputs (imported model)._',
    '',
    `Code revision: ${inline(version.lineage.codeRevision ?? '—')}; hyper-parameters: ${Object.keys(version.lineage.hyperparameters).length ? codeSpan(JSON.stringify(version.lineage.hyperparameters)) : '—'}`,
    '',
    '## Evaluations',
    '',
    r.evaluations.length
      ? table(
          ['When', 'By', 'Source', 'Dataset', 'Metrics'],
          r.evaluations.map((e) => [e.createdAt, e.createdBy, e.source, e.dataset ? `${e.dataset.datasetId} v${e.dataset.version}` : '—', metrics(e.metrics)]),
        )
      : '_None recorded._',
    '',
    '## Approvals',
    '',
    r.approvals.length
      ? table(
          ['When', 'Decision', 'By', 'Reason', 'Policy'],
          r.approvals.map((a) => [a.decidedAt, a.decision, a.decidedBy, a.reason, a.policy ? describePolicyRef(a.policy) : '—']),
        )
      : '_None recorded._',
    '',
    '## Deployments',
    '',
    r.lineage.nodes.some((n) => n.kind === 'deployment')
      ? table(
          ['Endpoint', 'Deployment', 'Variant', 'Role', 'Weight', 'Status', 'Since', 'Until'],
          r.lineage.nodes
            .filter((n) => n.kind === 'deployment')
            .map((n) => {
              const a = n.attributes;
              const text = (key: string): string => {
                const value = a[key];
                return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
              };
              return [
                text('endpointName'),
                text('deploymentId'),
                text('variantName'),
                text('role'),
                text('weight'),
                text('status'),
                text('since'),
                text('until'),
              ];
            }),
        )
      : '_Never deployed._',
    '',
    '## History (audit trail)',
    '',
    r.history.length
      ? table(
          ['When', 'Action', 'Actor', 'Request'],
          r.history.map((h) => [h.at, h.action, h.actor, h.requestId]),
        )
      : '_No events._',
    '',
  ];
  return lines.join('\n');
}

/** The same report as a standalone HTML page (escaped; no scripts, printable). */
export function renderHtml(r: ModelReportData): string {
  const md = renderMarkdown(r);
  const body: string[] = [];
  const rows = md.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i];
    const fence = /^(`{3,})text$/.exec(line)?.[1];
    if (fence) {
      const literal: string[] = [];
      for (i++; i < rows.length && rows[i] !== fence; i++) literal.push(rows[i]);
      body.push(`<pre>${esc(literal.join('\n'))}</pre>`);
    } else if (line.startsWith('# ')) body.push(`<h1>${esc(line.slice(2))}</h1>`);
    else if (line.startsWith('## ')) body.push(`<h2>${esc(line.slice(3))}</h2>`);
    else if (line.startsWith('|')) {
      const tableRows: string[][] = [];
      while (i < rows.length && rows[i].startsWith('|')) {
        tableRows.push(splitRow(rows[i]));
        i++;
      }
      i--;
      const [head, , ...rest] = tableRows;
      body.push(
        `<table><thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rest.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
    } else if (line.trim()) body.push(`<p>${esc(unescapeInline(line.replace(/^_(.*)_$/, '$1').replace(/(?<!\\)`/g, '')))}</p>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(`Model report: ${r.model.name} v${r.version.version}`)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem}</style></head><body>${body.join('\n')}</body></html>`;
}

function table(head: string[], rows: string[][]): string {
  const cell = (c: string) => inline(c).replace(/\r?\n/g, ' ');
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function splitRow(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => unescapeInline(c.trim()));
}

// What Markdown reads inside a line: emphasis, code, links and images, raw HTML, strikethrough, table cells.
const INLINE_SYNTAX = /[\\`*_[\]()<>~|!#]/g;

/**
 * Free text (names, reasons, actors) as literal Markdown inline text: every
 * character Markdown would interpret is backslash-escaped, and line breaks
 * become spaces, so a value can neither format itself nor start a new row or
 * section of the report.
 */
function inline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(INLINE_SYNTAX, '\\$&');
}

function unescapeInline(text: string): string {
  return text.replace(/\\([\\`*_[\]()<>~|!#])/g, '$1');
}

/**
 * Multi-line free text (descriptions) as a fenced code block: shown exactly
 * as written. The fence is longer than any backtick run in the text, so the
 * text cannot close it.
 */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text.replace(/\r\n?/g, '\n'), fence].join('\n');
}

function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks} ${text} ${ticks}`;
}

function metrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

function label(graph: LineageGraph, id: string): string {
  return graph.nodes.find((n) => n.id === id)?.label ?? id;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
