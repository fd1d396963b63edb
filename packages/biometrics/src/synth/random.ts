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

/** A smooth random field in about [-1, 1]: a few plane waves of wavelength 60 to 200 px. */
export function smoothField(random: () => number, waves: number): (x: number, y: number) => number {
  const w: [number, number, number][] = [];
  for (let k = 0; k < waves; k++) {
    const angle = random() * Math.PI * 2;
    const length = 60 + 140 * random();
    w.push([
      (Math.cos(angle) * 2 * Math.PI) / length,
      (Math.sin(angle) * 2 * Math.PI) / length,
      random() * 2 * Math.PI,
    ]);
  }
  const scale = Math.sqrt(2 / waves);
  return (x, y) => {
    let s = 0;
    for (const [kx, ky, ph] of w) s += Math.sin(kx * x + ky * y + ph);
    return s * scale;
  };
}
