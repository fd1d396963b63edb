import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { captureFace } from './capture.ts';
import type { CapturedFaceSample } from './evaluate.ts';

const IMAGE = /\.(jpe?g|png)$/i;

/** Identity folders and their image files, sorted (LFW layout: `<Name>/<Name>_0001.jpg`). */
export async function listFaceFolder(
  folder: string,
): Promise<{ identity: string; files: string[] }[]> {
  const out: { identity: string; files: string[] }[] = [];
  for (const identity of (await readdir(folder)).sort()) {
    const dir = join(folder, identity);
    if (!(await stat(dir)).isDirectory()) continue;
    const files = (await readdir(dir)).filter((f) => IMAGE.test(f)).sort();
    if (files.length > 0) out.push({ identity, files: files.map((f) => join(dir, f)) });
  }
  return out;
}

/**
 * Captures every image of a face folder, one at a time (the engine is single-threaded).
 * Only the templates are kept; a failed capture is recorded as a failure to acquire.
 */
export async function captureFaceFolder(
  folder: string,
  onProgress?: (done: number, total: number) => void,
): Promise<CapturedFaceSample[]> {
  const ids = await listFaceFolder(folder);
  const total = ids.reduce((a, x) => a + x.files.length, 0);
  const samples: CapturedFaceSample[] = [];
  for (const { identity, files } of ids) {
    for (let k = 0; k < files.length; k++) {
      const bytes = await readFile(files[k]!);
      const started = performance.now();
      const c = await captureFace(bytes);
      const ms = performance.now() - started;
      samples.push({ identity, index: k + 1, template: c.ok ? c.value.template : undefined, ms });
      onProgress?.(samples.length, total);
    }
  }
  return samples;
}
