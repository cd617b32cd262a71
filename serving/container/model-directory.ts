import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { IoSchema } from '../../core/catalog/artifacts/io-schema';
import { InvalidArtifact } from '../artifacts/artifact-errors';
import { MODEL_RUNTIME_KINDS, runtimeFor, type ModelRuntimeKind } from '../runtimes/runtime-catalog';

/** The file next to the model in a model directory that says how to serve it. */
export const MODEL_DESCRIPTOR_FILE = 'steward-model.json';

/**
 * `steward-model.json`: what serving needs to know about the model beside its
 * bytes, written by the deploy pipeline into the model.tar.gz and by the
 * export bundle into `model/`. Every key is optional: without the file (or a
 * key) the runtime is told by which main file is present, the fields come
 * from the artifact itself, and no hash is checked.
 *
 * @example
 * { "runtime": "onnx", "ioSchema": { "inputs": [...], "outputs": [...] }, "sha256": "9f86d0…" }
 */
export const ModelDescriptor = z.strictObject({
  runtime: z.enum(MODEL_RUNTIME_KINDS).optional(),
  ioSchema: IoSchema.optional(),
  /** SHA-256 (hex) of the runtime's main file, checked before loading. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type ModelDescriptor = z.infer<typeof ModelDescriptor>;

/** Reads `steward-model.json` from a model directory; an empty descriptor when there is none. */
export async function readModelDescriptor(dir: string): Promise<ModelDescriptor> {
  let text: string;
  try {
    text = await readFile(join(dir, MODEL_DESCRIPTOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidArtifact(join(dir, MODEL_DESCRIPTOR_FILE), `not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ModelDescriptor.safeParse(raw);
  if (!parsed.success) throw new InvalidArtifact(join(dir, MODEL_DESCRIPTOR_FILE), z.prettifyError(parsed.error));
  return parsed.data;
}

/** Which runtime a model directory is for: the one runtime whose main file it holds. */
export async function detectRuntime(dir: string): Promise<ModelRuntimeKind> {
  const present: ModelRuntimeKind[] = [];
  for (const kind of MODEL_RUNTIME_KINDS) {
    if (
      await access(join(dir, runtimeFor(kind).modelFile)).then(
        () => true,
        () => false,
      )
    )
      present.push(kind);
  }
  if (present.length !== 1) {
    const files = MODEL_RUNTIME_KINDS.map((k) => `${runtimeFor(k).modelFile} (${k})`).join(', ');
    throw new Error(
      `cannot tell the model runtime from ${dir}: expected exactly one of ${files}${present.length ? `, found ${present.length}` : ''}; set STEWARD_MODEL_RUNTIME or "runtime" in ${MODEL_DESCRIPTOR_FILE}`,
    );
  }
  return present[0];
}
