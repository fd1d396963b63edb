/**
 * Seeds and draws for the synthetic generators. Every finger and impression gets its own
 * stream, derived from the user's seed, so finger 73 is the same whether 100 or 100,000
 * fingers are made, and in whichever worker thread makes it.
 */

/** A new 32-bit seed from a seed and a number (murmur3's finaliser: well mixed). */
export function mixSeed(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A standard normal draw (Box-Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
