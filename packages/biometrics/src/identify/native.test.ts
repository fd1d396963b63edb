import { describe, expect, it } from 'vitest';
import { nativeSweep, sweepEngine } from './native.ts';

// That the compiled sweep gives the same votes as the JavaScript one is checked where the
// two meet: identify.test.ts compares batches (`votesOfMany`, this sweep when built) with
// lone searches (`votesOf`, always `IndexShard.scanCell`), with and without bounds.
describe('compiled index sweep', () => {
  it('is what batch searches use wherever it is built, and CI builds it', () => {
    if (process.env.CI !== 'true' && nativeSweep === undefined) {
      console.warn('native/sweep.c is not built here: `npm run build:native -w @vigil/biometrics`');
      expect(sweepEngine).toBe('javascript');
      return;
    }
    expect(sweepEngine).toBe('native');
  });

  it('refuses arguments that would read or write past an array', () => {
    const native = nativeSweep;
    if (native === undefined) return;
    const cellStart = Uint32Array.from([0, 2, 3]);
    const details = Uint16Array.from([0, 9, 9]);
    const postings = Uint32Array.from([32, 64, 96]);
    const visit = (cell: number) => [
      Uint32Array.from([cell]),
      Uint32Array.from([(0xf << 16) | (0xf << 20) | (0xf << 24) | 0xff | (0xff << 8)]),
      Uint32Array.from([7]),
    ];
    const [cells, accepts, refs] = visit(1);
    const out = new Uint32Array(8);
    const ends = new Uint32Array(1);
    const limits = Uint32Array.from([100]);
    const sweep = (c: Uint32Array, o: Uint32Array, l: Uint32Array, to = 1) =>
      native.sweep(cellStart, details, postings, c, accepts!, refs!, l, 0, to, o, 0, ends);
    // Cell 1 holds one posting (template 3), whose detail every step accepts.
    expect(sweep(cells!, out, limits)).toBe(1);
    expect(ends[0]).toBe(1);
    expect(out[0]! >>> 5).toBe(3);
    // Below the bound only: template 3 is not below 3.
    expect(sweep(cells!, out, Uint32Array.from([3]))).toBe(1);
    expect(ends[0]).toBe(0);
    expect(() => sweep(visit(2)[0]!, out, limits)).toThrow(/cell outside the index/);
    expect(() => sweep(cells!, out, new Uint32Array(0))).toThrow(/probe without a limit/);
    expect(() => sweep(cells!, out, limits, 2)).toThrow(/shorter than its bounds/);
    // No room for the cell: it stops before the visit rather than write past `out`.
    expect(sweep(cells!, new Uint32Array(0), limits)).toBe(0);
  });

  it('counts votes as castVotes does, and refuses a template outside its counts', () => {
    const native = nativeSweep;
    if (native === undefined) return;
    const votes = new Uint8Array(4 * 32);
    const best = new Uint8Array(4);
    const touched = new Int32Array(4);
    // Template 2: bins 5, 5, 6 and 4 (a run of three: 4 votes); template 1: bin 31 and
    // bin 1 (two bins apart round the turn, no run between them centred on a vote: 1).
    const codes = Uint32Array.from([(2 << 5) | 5, (2 << 5) | 5, (1 << 5) | 31, (2 << 5) | 6]);
    const more = Uint32Array.from([(2 << 5) | 4, (1 << 5) | 1]);
    expect(native.cast(codes, 0, 4, votes, best, touched, 0)).toBe(2);
    expect(native.cast(more, 0, 2, votes, best, touched, 2)).toBe(2);
    expect(Array.from(touched.subarray(0, 2))).toEqual([2, 1]);
    expect(best[2]).toBe(4);
    expect(best[1]).toBe(1);
    native.uncast(codes, 0, 4, votes, best);
    native.uncast(more, 0, 2, votes, best);
    expect(votes.every((v) => v === 0) && best.every((b) => b === 0)).toBe(true);
    const outside = Uint32Array.from([4 << 5]);
    expect(() => native.cast(outside, 0, 1, votes, best, touched, 0)).toThrow(/outside its counts/);
    expect(() => native.cast(codes, 0, 9, votes, best, touched, 0)).toThrow(/shorter/);
  });
});
