import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FingerprintTemplate } from '@vigil/biometrics';
import { openStore } from '@vigil/store';
import { checkIn, matchThreshold } from './checkin.ts';
import {
  impression,
  memoryDirectory,
  stationAt,
  syntheticFinger,
  testDeps,
  testVoter,
} from './checkin-testing.ts';
import { bestScore, MatchPool } from './match-pool.ts';

/** A finger with a coarse orientation field, so the score's flow factor is exercised. */
function withField(t: FingerprintTemplate, seed: number): FingerprintTemplate {
  const columns = 25;
  const rows = 25;
  const cells = Uint8Array.from({ length: columns * rows }, (_, i) => 1 + ((i * 7 + seed) % 15));
  return { ...t, orientationField: { cellSize: 16, left: 0, top: 0, columns, rows, cells } };
}

describe('MatchPool', () => {
  let pool: MatchPool;
  beforeAll(async () => {
    pool = new MatchPool(2);
    await pool.ready();
  });
  afterAll(async () => {
    await pool.close();
  });

  it('scores exactly as the same comparison in this thread, orientation field included', async () => {
    const enrolled = [withField(syntheticFinger(41), 1), withField(syntheticFinger(42), 2)];
    const probes = [
      withField(impression(syntheticFinger(41), 3), 1),
      withField(impression(syntheticFinger(42), 4), 2),
      withField(syntheticFinger(777), 5),
    ];
    const threshold = matchThreshold(1e-3, enrolled.length);
    const inThread = probes.map((p) => bestScore(p, enrolled, threshold));
    const inPool = await Promise.all(probes.map((p) => pool.bestScore(p, enrolled, threshold)));
    expect(inPool).toEqual(inThread);
    // The field reached the workers: without it the genuine scores are not the same.
    const withoutField = (t: FingerprintTemplate): FingerprintTemplate => {
      const { orientationField: _, ...rest } = t;
      return rest;
    };
    const bare = bestScore(withoutField(probes[0]!), enrolled.map(withoutField), threshold);
    expect(bare).toBeGreaterThanOrEqual(threshold);
    expect(inPool[0]).not.toBe(bare);
  });

  it('checks a voter in and refuses an impostor when check-in matches on the pool', async () => {
    const store = await openStore({ url: ':memory:' });
    const finger = syntheticFinger(51);
    const voters = [testVoter('v-pool'), testVoter('v-pool-2')];
    const fingers = new Map([
      ['v-pool', [finger, syntheticFinger(52)]],
      ['v-pool-2', [syntheticFinger(53)]],
    ]);
    const deps = { ...testDeps(store, memoryDirectory(voters, fingers)), matcher: pool };
    const station = stationAt('station-1');
    const genuine = await checkIn(deps, station, {
      voterId: 'v-pool',
      fingerprint: impression(finger, 7),
    });
    expect(genuine.ok && genuine.value.method).toBe('biometric');
    const impostor = await checkIn(deps, station, {
      voterId: 'v-pool-2',
      fingerprint: syntheticFinger(999),
    });
    expect(!impostor.ok && impostor.error.reason).toBe('no-match');
    await store.close();
  });

  it('refuses work once closed, and a pool of no threads', async () => {
    const closing = new MatchPool(1);
    await closing.ready();
    await closing.close();
    await expect(closing.bestScore(syntheticFinger(1), [syntheticFinger(1)], 30)).rejects.toThrow(
      /closed/,
    );
    expect(() => new MatchPool(0)).toThrow(/Cannot start 0 match threads/);
  });
});
