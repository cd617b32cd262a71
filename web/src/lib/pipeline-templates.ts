import type { JsonSchema } from './schema-form';

export interface PipelineTemplate {
  readonly name: string;
  readonly path: string;
  readonly summary: string;
  readonly body: JsonSchema;
}

/** Every `POST /pipelines/<name>/executions` the API documents, with its request body schema. */
export function pipelineTemplates(doc: { paths: Record<string, Record<string, unknown>> }): PipelineTemplate[] {
  const out: PipelineTemplate[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const match = /^\/pipelines\/([A-Za-z0-9_-]+)\/executions$/.exec(path);
    const post = item.post as { summary?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } } | undefined;
    const body = post?.requestBody?.content?.['application/json']?.schema;
    if (match && post && body) out.push({ name: match[1], path, summary: post.summary ?? '', body });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
