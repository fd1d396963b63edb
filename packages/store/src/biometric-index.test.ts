import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIOMETRIC_INDEX_CHUNK_BYTES } from './biometric-index.ts';
import type { Store } from './index.ts';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  sqliteMemoryTarget,
  type StoreTarget,
} from './testing.ts';

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const targets: [string, () => Promise<StoreTarget>][] = [
  ['SQLite file', sqliteFileTarget],
  ['SQLite :memory:', sqliteMemoryTarget],
  ...(postgres.kind === 'available'
    ? [['PostgreSQL', () => postgresTarget(postgres.url)] as [string, () => Promise<StoreTarget>]]
    : []),
];

describe.each(targets)('saved fingerprint indexes on %s', (_name, makeTarget) => {
  let target: StoreTarget;
  let store: Store;
  beforeEach(async () => {
    target = await makeTarget();
    store = await target.open();
  });
  afterEach(async () => {
    await target.cleanup();
  });

  // Two and a half chunks, so the chunking and reassembly are both exercised.
  const bytes = new Uint8Array(Math.floor(BIOMETRIC_INDEX_CHUNK_BYTES * 2.5));
  for (let i = 0; i < bytes.length; i += 4093) bytes[i] = (i * 31) & 255;
  const savedAt = new Date('2026-11-03T06:00:00.000Z');

  it('gives back the bytes saved, across chunks', async () => {
    const info = await store.saveBiometricIndex({ name: 'roll', bytes, templateCount: 7, savedAt });
    expect(info.byteLength).toBe(bytes.length);
    const loaded = await store.loadBiometricIndex('roll');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok || loaded.value === undefined) return;
    // Compared as Buffers: a deep equality over 20 MB of array indices exhausts the heap.
    expect(Buffer.from(loaded.value.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(loaded.value.templateCount).toBe(7);
    expect(loaded.value.savedAt).toEqual(savedAt);
    expect((await store.getBiometricIndexInfo('roll'))?.sha256).toBe(info.sha256);
  });

  it('replaces an index saved again under its name, and deletes it', async () => {
    await store.saveBiometricIndex({ name: 'roll', bytes, templateCount: 7, savedAt });
    const small = Uint8Array.from([1, 2, 3]);
    await store.saveBiometricIndex({ name: 'roll', bytes: small, templateCount: 1, savedAt });
    const loaded = await store.loadBiometricIndex('roll');
    expect(loaded.ok && loaded.value?.bytes).toEqual(small);
    expect(await store.deleteBiometricIndex('roll')).toBe(true);
    expect(await store.loadBiometricIndex('roll')).toEqual({ ok: true, value: undefined });
    expect(await store.deleteBiometricIndex('roll')).toBe(false);
  });

  it('reports a damaged chunk instead of returning wrong bytes', async () => {
    await store.saveBiometricIndex({ name: 'roll', bytes, templateCount: 7, savedAt });
    await store.db.deleteFrom('biometric_index_chunks').where('seq', '=', 1).execute();
    const loaded = await store.loadBiometricIndex('roll');
    expect(!loaded.ok && loaded.error.message).toMatch(/damaged/);
  });

  it('refuses an empty index with a sentence', async () => {
    await expect(
      store.saveBiometricIndex({
        name: 'roll',
        bytes: new Uint8Array(0),
        templateCount: 0,
        savedAt,
      }),
    ).rejects.toThrow(/empty/);
  });
});
