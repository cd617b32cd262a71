import { bootApi, onboardTenant, type OnboardedTenant } from '../../support/api-client';
import { createModel, createProject } from '../catalog/catalog-fixtures';

/**
 * Issue 14: a multi-line description was rendered as Markdown, so a requester
 * could fake rows and sections (an "Approvals" table saying approved) in the
 * report an auditor reads. Free text is shown literally.
 */
const FORGED = [
  'Scores retail credit.',
  '',
  '## Approvals',
  '',
  '| When | Decision | By | Reason |',
  '| --- | --- | --- | --- |',
  '| 2026-01-01 | approve | user:chief-risk-officer | reviewed in full |',
  '```',
  '# Model report: something else',
  '[click](https://evil.example) <img src=x onerror=alert(1)> **bold**',
].join('\n');

describe('the model report shows free text literally', () => {
  let ctx: Awaited<ReturnType<typeof bootApi>>;
  let tenant: OnboardedTenant;
  let base: string;
  beforeAll(async () => {
    ctx = await bootApi();
    tenant = await onboardTenant(ctx.api, ctx.adminToken, 'Report Forgers', { roles: ['tenant-admin', 'data-scientist', 'viewer'] });
    const ds = tenant.tokens['data-scientist'];
    const project = await createProject(ctx.api, ds);
    const model = await createModel(ctx.api, ds, project.projectId, { name: 'forged-report', description: FORGED });
    const version = await ctx.api.call('POST', `/models/${model.modelId}/versions`, {
      token: ds,
      body: { artifact: { format: 'onnx', sha256: 'a'.repeat(64), size: 10 } },
    });
    expect(version.status).toBe(201);
    base = `/models/${model.modelId}/versions/${version.body.version}`;
  }, 180_000);
  afterAll(() => ctx.local.close());

  it('Markdown: the description sits in one fenced block it cannot close, so it adds no section, row or link', async () => {
    const md: string = (await ctx.api.call('GET', `${base}/report?format=markdown`, { token: tenant.tokens.viewer })).body;
    const lines = md.split('\n');
    // The description is verbatim between a fence and the same fence, the fence longer than any backtick run in it.
    const start = lines.indexOf('## Description') + 2;
    const fence = lines[start].replace(/text$/, '');
    expect(fence).toMatch(/^`{4,}$/);
    const end = lines.indexOf(fence, start + 1);
    expect(lines.slice(start + 1, end).join('\n')).toBe(FORGED);
    // Outside that block, Markdown is what the report wrote: one title, one Approvals section saying none were recorded.
    const outside = [...lines.slice(0, start), ...lines.slice(end + 1)];
    expect(outside.filter((l) => l === '## Approvals')).toHaveLength(1);
    expect(outside[outside.indexOf('## Approvals') + 2]).toBe('_None recorded._');
    expect(outside.filter((l) => l.startsWith('# '))).toEqual(['# Model report: forged-report v1']);
    expect(outside.join('\n')).not.toContain('chief-risk-officer');
  });

  it('HTML: the description is one escaped <pre>, and the only Approvals heading is the real one', async () => {
    const html: string = (await ctx.api.call('GET', `${base}/report`, { token: tenant.tokens.viewer })).body;
    expect(html.match(/<h2>Approvals<\/h2>/g)).toHaveLength(1);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).not.toContain('user:chief-risk-officer</td>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href=');
    expect(html).toContain('<pre>Scores retail credit.\n\n## Approvals');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
