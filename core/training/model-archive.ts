import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';

/**
 * SageMaker's model archive: the training job's SM_MODEL_DIR as
 * `model.tar.gz`. Locally the training-job stand-in packs it the same way, so
 * the collector reads one format in both places.
 */
export async function packModelArchive(files: Readonly<Record<string, Uint8Array | string>>): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-model-archive-'));
  try {
    await mkdir(join(dir, 'model'));
    await Promise.all(Object.entries(files).map(([name, content]) => writeFile(join(dir, 'model', name), content)));
    await tar.c({ gzip: true, cwd: join(dir, 'model'), file: join(dir, 'model.tar.gz'), portable: true }, Object.keys(files));
    return new Uint8Array(await readFile(join(dir, 'model.tar.gz')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The named files of a model archive (absent ones are left out); entries outside the archive's root are never written (tar strips `..`). */
export async function unpackModelArchive(archive: Uint8Array, names: readonly string[]): Promise<Record<string, Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-model-archive-'));
  try {
    await writeFile(join(dir, 'model.tar.gz'), archive);
    const out = join(dir, 'out');
    await mkdir(out);
    await tar.x({ file: join(dir, 'model.tar.gz'), cwd: out, strict: true });
    const found: Record<string, Uint8Array> = {};
    for (const name of names) {
      const bytes = await readFile(join(out, name)).catch(() => undefined);
      if (bytes) found[name] = new Uint8Array(bytes);
    }
    return found;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
