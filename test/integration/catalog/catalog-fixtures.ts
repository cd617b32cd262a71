import { createHash } from 'node:crypto';
import type { ApiClient } from '../../support/api-client';

export const CREDIT_SCHEMA = {
  inputs: [
    { name: 'age', type: 'int' },
    { name: 'income', type: 'double' },
  ],
  outputs: [{ name: 'score', type: 'double' }],
};

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function createProject(api: ApiClient, token: string, name = `proj-${Math.random().toString(36).slice(2, 8)}`) {
  const res = await api.call('POST', '/projects', {
    token,
    body: { name, description: 'credit decisions', gitRepository: 'https://git.example/credit.git', tags: ['credit'] },
  });
  if (res.status !== 201) throw new Error(`project: ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function createModel(api: ApiClient, token: string, projectId: string, overrides: Record<string, unknown> = {}) {
  const res = await api.call('POST', '/models', {
    token,
    body: {
      projectId,
      name: `model-${Math.random().toString(36).slice(2, 8)}`,
      type: 'ml',
      framework: 'onnx',
      tags: ['retail'],
      schema: CREDIT_SCHEMA,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`model: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Registers a version declaring `bytes`, uploads them through the presigned URL, and finalizes. */
export async function uploadVersion(
  api: ApiClient,
  token: string,
  modelId: string,
  format: string,
  bytes: Uint8Array,
  options: { declareSha?: string; declareSize?: number; lineage?: unknown } = {},
) {
  const registered = await api.call('POST', `/models/${modelId}/versions`, {
    token,
    body: {
      artifact: { format, sha256: options.declareSha ?? sha256(bytes), size: options.declareSize ?? bytes.length },
      ...(options.lineage ? { lineage: options.lineage } : {}),
    },
  });
  if (registered.status !== 201) throw new Error(`register: ${JSON.stringify(registered.body)}`);
  const version = registered.body.version;
  const upload = await api.call('POST', `/models/${modelId}/versions/${version}/artifact/upload-url`, { token });
  const put = await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: Buffer.from(bytes) });
  if (!put.ok) throw new Error(`upload: ${put.status}`);
  const finalized = await api.call('POST', `/models/${modelId}/versions/${version}/artifact/finalize`, { token });
  return { version, registered: registered.body, finalized };
}
