import { describe, expect, it } from 'vitest';
import { shuffled } from './publication.ts';

/**
 * The mix of a publication batch: Fisher–Yates over the CSPRNG gives every order of a
 * batch the same chance, so a batch's ledger order says nothing of the order of casting.
 */
describe('the shuffle of a publication batch', () => {
  it('keeps every entry exactly once', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const mixed = shuffled(items);
    expect([...mixed].sort((a, b) => a - b)).toEqual(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('draws each order of three with the same chance (chi-squared, 5 degrees of freedom)', () => {
    const runs = 12_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const key = shuffled(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = runs / 6;
    const chi2 = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    // P(χ²₅ > 35) ≈ 1.5·10⁻⁶: a fair shuffle almost never fails this, while a naive
    // "swap with any position" shuffle (orders 4:5:5:5:4:4 of 27) gives χ² ≈ 150.
    expect(chi2).toBeLessThan(35);
  });

  it('is the textbook Fisher–Yates: the draws decide the order', () => {
    // Always drawing 0 moves each last element to the front in turn.
    expect(shuffled([1, 2, 3, 4], () => 0)).toEqual([2, 3, 4, 1]);
    // Drawing the bound − 1 leaves everything in place.
    expect(shuffled([1, 2, 3, 4], (bound) => bound - 1)).toEqual([1, 2, 3, 4]);
  });
});
