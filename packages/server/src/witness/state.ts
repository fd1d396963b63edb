import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilError, constantTimeEqual } from '@vigil/core';
import {
  decodeBase64,
  encodeBase64,
  parseCheckpoint,
  parseNote,
  type WitnessedHead,
} from '@vigil/ledger';

/**
 * A witness's memory: for each log origin, the latest checkpoint it cosigned. Losing or
 * rolling back this file would let the witness cosign a fork, so it is written
 * atomically (a temporary file, flushed, then renamed over the old one) and read back
 * strictly. The file is JSON, `{ "<origin>": { "size", "rootHash" (base64), "note" } }`,
 * mode 0600.
 */
export type WitnessState = ReadonlyMap<string, WitnessedHead>;

interface StoredHead {
  size: number;
  rootHash: string;
  note: string;
}

function badState(file: string, why: string): VigilError {
  return new VigilError(
    'witness-bad-state',
    `The witness state file ${file} is not usable: ${why}`,
    {
      hint:
        'Restore the file from backup. Do not delete it: a witness that forgets what it ' +
        'cosigned could be tricked into cosigning a fork.',
    },
  );
}

/** Reads the state file; a missing file is an empty state (a new witness). */
export function loadWitnessState(file: string): Map<string, WitnessedHead> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badState(file, 'it is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badState(file, 'it must be a JSON object of origins');
  }
  const state = new Map<string, WitnessedHead>();
  for (const [origin, raw] of Object.entries(value as Record<string, unknown>)) {
    const head = raw as Partial<Record<keyof StoredHead, unknown>> | null;
    if (typeof head !== 'object' || head === null) {
      throw badState(file, `the entry for "${origin}" is not an object`);
    }
    const { size, rootHash, note } = head;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw badState(file, `the size for "${origin}" is not a tree size`);
    }
    const root = typeof rootHash === 'string' ? decodeBase64(rootHash) : undefined;
    if (root?.length !== 32) {
      throw badState(file, `the root hash for "${origin}" is not the base64 of 32 bytes`);
    }
    if (typeof note !== 'string') throw badState(file, `the note for "${origin}" is missing`);
    // The note must be the checkpoint the size and root were taken from.
    const parsedNote = parseNote(note);
    const cp = parsedNote.ok ? parseCheckpoint(parsedNote.value.text) : undefined;
    if (
      cp?.ok !== true ||
      cp.value.origin !== origin ||
      cp.value.size !== size ||
      !constantTimeEqual(cp.value.rootHash, root)
    ) {
      throw badState(
        file,
        `the note for "${origin}" is not a checkpoint at size ${size} with that root`,
      );
    }
    state.set(origin, { size, rootHash: root, note });
  }
  return state;
}

/**
 * Writes the state atomically and durably: after it returns, a crash leaves either the
 * old file or the new one, never a mix, and the new one is on disk. Synchronous on
 * purpose: the witness service persists in the same tick as it checks and updates.
 */
export function saveWitnessState(file: string, state: WitnessState): void {
  const out: Record<string, StoredHead> = {};
  for (const origin of [...state.keys()].sort()) {
    const head = state.get(origin)!;
    out[origin] = { size: head.size, rootHash: encodeBase64(head.rootHash), note: head.note };
  }
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    try {
      writeFileSync(fd, `${JSON.stringify(out, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  // Make the rename itself durable. Not every platform can open a directory; the data
  // is already safe in the file, so a failure here is not one of the save.
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Ignored: see above.
  }
}
