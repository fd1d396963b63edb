/**
 * Minutia triangles: the local structure the 1:N index is keyed on (after Germain, Califano
 * and Colville, "Fingerprint matching using transformation parameter clustering", 1997,
 * and Bhanu and Tan, "Fingerprint indexing based on novel features of minutiae
 * triplets", 2003).
 *
 * Each minutia is joined with pairs of its nearest neighbours. A triangle is described by
 * six numbers that do not change when the finger is moved or turned: its three sides,
 * and the direction of each of its minutiae measured from its longest side. Its vertices
 * are named in a fixed order (P0 opposite the longest side, then clockwise), so equal
 * triangles give equal keys. The angle of the longest side is kept apart: comparing it
 * between probe and candidate gives the rotation the match implies, and true matches
 * agree on one rotation while chance ones scatter (the voting of the index).
 */

/**
 * Nearest neighbours joined per minutia by default: C(5,2) = 10 triangles each before
 * de-duplication (about 166 per template of 27 minutiae). A shard may use fewer
 * (`IndexShard` option `neighbours`; the person-level index uses 4, about 102 a
 * template: see person.ts): fewer triangles cost less memory and search time but leave
 * one finger fewer chances to be found.
 */
export const TRIANGLE_NEIGHBOURS = 5;
/** Neighbours a shard may be built with. */
export const MIN_TRIANGLE_NEIGHBOURS = 3;
export const MAX_TRIANGLE_NEIGHBOURS = 9;
/** Side length quantum of the cells (px) and count: sides up to 12 x 14 = 168 px (about 17 ridges). */
export const SIDE_BIN = 12;
export const SIDE_BINS = 14;
/** Minutia direction bins of the cells: 12 of 30 degrees. */
export const ANGLE_BINS = 12;
/**
 * Precision of the features kept in each posting (its 15-bit detail, two bytes): sides in
 * 8ths of a side bin (1.5 px), directions in quarters of a direction bin (7.5 degrees),
 * the bin itself being the cell's. Two bytes a posting rather than four is what lets a
 * million persons of four fingers fit in 4 GB (identify/README.md); the coarser steps
 * widen the acceptance by half a step, 0.75 px and 3.75 degrees, against tolerances of
 * 4 px + 5% and 15 degrees.
 */
export const SIDE_STEPS = 8;
export const ANGLE_SUBSTEPS = 4;
/** Direction steps over a whole turn (the acceptance tables of a probe triangle). */
export const ANGLE_STEPS = ANGLE_BINS * ANGLE_SUBSTEPS;
/** Rotation votes: 32 steps of 11.25 degrees. */
export const ROTATION_BINS = 32;
/** Shorter sides are mostly extraction noise (two minutiae within a ridge period). */
const MIN_SIDE = 8;
/**
 * Cells of the key space: three side bins and three direction bins. The posting keeps
 * finer features (its detail), compared exactly with the probe's: the cell only narrows
 * the search, the detail decides. Minutia types are left out: extractors confuse endings
 * and bifurcations often enough (10 to 20%) that a triangle's three types agree between
 * two impressions only about two times in three.
 */
export const KEY_CELLS = SIDE_BINS ** 3 * ANGLE_BINS ** 3;
/**
 * How far an enrolled triangle's features may lie from the probe's and still vote:
 * sides within 4 px + 5% (two positions each off by 1 to 2 px, and the skin's stretch),
 * directions within 15 degrees (a minutia's direction is off by about 5 degrees).
 */
export const SIDE_TOLERANCE = 4;
export const SIDE_TOLERANCE_RELATIVE = 0.05;
export const ANGLE_TOLERANCE = Math.PI / 12;

/**
 * A shard's tolerances, scaled from the ones above by `toleranceScale` (1 by default; the
 * person index uses 0.75: person.ts). Only the search uses them, so they narrow or widen
 * the probe's box without changing what is filed.
 */
export interface TriangleTolerance {
  readonly side: number;
  readonly sideRelative: number;
  readonly angle: number;
}

export const MIN_TOLERANCE_SCALE = 0.5;
export const MAX_TOLERANCE_SCALE = 1.5;

export function triangleTolerance(scale = 1): TriangleTolerance {
  return {
    side: SIDE_TOLERANCE * scale,
    sideRelative: SIDE_TOLERANCE_RELATIVE * scale,
    angle: ANGLE_TOLERANCE * scale,
  };
}

const DEFAULT_TOLERANCE = triangleTolerance(1);

const TWO_PI = 2 * Math.PI;
const ROTATION_BIN = TWO_PI / ROTATION_BINS;

/** The minutiae the triangles are built from (a template, or a gallery slice). */
export interface MinutiaSet {
  readonly count: number;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Radians in [0, 2pi). */
  readonly direction: ArrayLike<number>;
}

/** One triangle, in continuous form: six invariant features and its orientation. */
export interface Triangle {
  /** Sides P0P1, P1P2 (the longest), P2P0, px. */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** Directions of P0, P1, P2 relative to the direction of P1->P2, radians in [0, 2pi). */
  readonly phi0: number;
  readonly phi1: number;
  readonly phi2: number;
  /** Direction of P1->P2, radians. */
  readonly theta: number;
}

function norm(a: number): number {
  a %= TWO_PI;
  return a < 0 ? a + TWO_PI : a;
}

/**
 * Calls `visit(i, j, k)` once for each triangle of the set (i < j < k), built from each
 * minutia and pairs of its nearest neighbours.
 */
export function forEachTriangle(
  m: MinutiaSet,
  visit: (i: number, j: number, k: number) => void,
  neighbours: number = TRIANGLE_NEIGHBOURS,
): void {
  const n = m.count;
  if (n < 3) return;
  const kn = Math.min(neighbours, n - 1);
  const nearest = new Int32Array(kn);
  const nearestD = new Float64Array(kn);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    // Insertion into a small sorted list: O(n k) per minutia, no allocation.
    let filled = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = m.x[j]! - m.x[i]!;
      const dy = m.y[j]! - m.y[i]!;
      const d = dx * dx + dy * dy;
      if (filled === kn && d >= nearestD[kn - 1]!) continue;
      let p = filled < kn ? filled++ : kn - 1;
      while (p > 0 && nearestD[p - 1]! > d) {
        nearestD[p] = nearestD[p - 1]!;
        nearest[p] = nearest[p - 1]!;
        p--;
      }
      nearestD[p] = d;
      nearest[p] = j;
    }
    for (let s = 0; s < filled; s++) {
      for (let t = s + 1; t < filled; t++) {
        let a = i;
        let b = nearest[s]!;
        let c = nearest[t]!;
        // Sort the three indices so each triangle is visited once.
        if (a > b) [a, b] = [b, a];
        if (b > c) [b, c] = [c, b];
        if (a > b) [a, b] = [b, a];
        const id = (a * 1024 + b) * 1024 + c;
        if (seen.has(id)) continue;
        seen.add(id);
        visit(a, b, c);
      }
    }
  }
}

/**
 * The triangle on minutiae i, j, k in canonical vertex order, with `longest` naming which
 * side to treat as the longest (0: the true longest; 1: the second longest, for probes
 * whose two longest sides are too close to tell apart). Undefined for degenerate or
 * oversized triangles.
 */
export function describeTriangle(
  m: MinutiaSet,
  i: number,
  j: number,
  k: number,
  longest: 0 | 1 = 0,
): Triangle | undefined {
  // Side opposite each vertex (no arrays: this runs for every triangle of a million templates).
  const si = Math.hypot(m.x[j]! - m.x[k]!, m.y[j]! - m.y[k]!);
  const sj = Math.hypot(m.x[i]! - m.x[k]!, m.y[i]! - m.y[k]!);
  const sk = Math.hypot(m.x[i]! - m.x[j]!, m.y[i]! - m.y[j]!);
  const max = Math.max(si, sj, sk);
  if (Math.min(si, sj, sk) < MIN_SIDE || max >= SIDE_BIN * SIDE_BINS) return undefined;
  // The vertex opposite the longest side (or, for `longest` 1, the second longest).
  let p0: number;
  let p1: number;
  let p2: number;
  const first = si >= sj && si >= sk ? 0 : sj >= sk ? 1 : 2;
  let pick = first;
  if (longest === 1) {
    const s = [si, sj, sk];
    s[first] = -1;
    pick = s[0]! >= s[1]! && s[0]! >= s[2]! ? 0 : s[1]! >= s[2]! ? 1 : 2;
  }
  if (pick === 0) [p0, p1, p2] = [i, j, k];
  else if (pick === 1) [p0, p1, p2] = [j, k, i];
  else [p0, p1, p2] = [k, i, j];
  // Clockwise on screen (y down): the cross product of P0->P1 and P0->P2 is positive.
  const cross =
    (m.x[p1]! - m.x[p0]!) * (m.y[p2]! - m.y[p0]!) - (m.y[p1]! - m.y[p0]!) * (m.x[p2]! - m.x[p0]!);
  if (cross < 0) [p1, p2] = [p2, p1];
  const theta = Math.atan2(m.y[p2]! - m.y[p1]!, m.x[p2]! - m.x[p1]!);
  return {
    a: Math.hypot(m.x[p1]! - m.x[p0]!, m.y[p1]! - m.y[p0]!),
    b: Math.hypot(m.x[p2]! - m.x[p1]!, m.y[p2]! - m.y[p1]!),
    c: Math.hypot(m.x[p0]! - m.x[p2]!, m.y[p0]! - m.y[p2]!),
    phi0: norm(m.direction[p0]! - theta),
    phi1: norm(m.direction[p1]! - theta),
    phi2: norm(m.direction[p2]! - theta),
    theta: norm(theta),
  };
}

function sideBin(l: number): number {
  return Math.min(SIDE_BINS - 1, Math.floor(l / SIDE_BIN));
}

const ANGLE_BIN = TWO_PI / ANGLE_BINS;

function angleBin(a: number): number {
  return Math.floor(a / ANGLE_BIN) % ANGLE_BINS;
}

function cellOf(s0: number, s1: number, s2: number, a0: number, a1: number, a2: number): number {
  return (
    ((((s0 * SIDE_BINS + s1) * SIDE_BINS + s2) * ANGLE_BINS + a0) * ANGLE_BINS + a1) * ANGLE_BINS +
    a2
  );
}

/** The one cell an enrolled triangle is filed under. */
export function triangleCell(t: Triangle): number {
  return cellOf(
    sideBin(t.a),
    sideBin(t.b),
    sideBin(t.c),
    angleBin(t.phi0),
    angleBin(t.phi1),
    angleBin(t.phi2),
  );
}

function sideStep(l: number): number {
  return Math.min(SIDE_STEPS - 1, Math.floor(((l % SIDE_BIN) / SIDE_BIN) * SIDE_STEPS));
}

/** A direction's step within its cell's direction bin (0..ANGLE_SUBSTEPS-1). */
function angleSubstep(a: number): number {
  return Math.floor((a / TWO_PI) * ANGLE_STEPS) % ANGLE_SUBSTEPS;
}

/**
 * The features a posting keeps beside its cell, 15 bits: the second side's step (bits
 * 0-2), the first side's (3-5), the third side's (6-8), then the 2-bit steps of the three
 * directions within the cell's bins (9-10, 11-12, 13-14). The first two sides' steps come
 * first so that `ORDER_KEY_MASK` is the key a cell's postings are kept in (shard.ts).
 */
export function triangleDetail(t: Triangle): number {
  return (
    sideStep(t.b) |
    (sideStep(t.a) << 3) |
    (sideStep(t.c) << 6) |
    (angleSubstep(t.phi0) << 9) |
    (angleSubstep(t.phi1) << 11) |
    (angleSubstep(t.phi2) << 13)
  );
}

/**
 * A posting's order key within its cell: its first side's step times 8 plus its second
 * side's. A probe accepts a contiguous range of steps on each side, so what it accepts of
 * a cell is one run of keys per accepted first-side step.
 */
export const ORDER_KEY_MASK = 0x3f;

/** Quantised orientation of a triangle, for the rotation vote. */
export function rotationBin(theta: number): number {
  return Math.floor(norm(theta) / ROTATION_BIN) % ROTATION_BINS;
}

/** The side bins within tolerance of a probe's side `l`, as [first, last]. */
export function sideBinRange(
  l: number,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): [number, number] {
  const tol = tolerance.side + tolerance.sideRelative * l;
  return [
    Math.max(0, Math.floor((l - tol) / SIDE_BIN)),
    Math.min(SIDE_BINS - 1, Math.floor((l + tol) / SIDE_BIN)),
  ];
}

/** The direction bins within tolerance of `phi` (wrapping round), into `out`. */
function angleBins(phi: number, out: number[], angle: number): void {
  out.length = 0;
  const lo = Math.floor((phi - angle) / ANGLE_BIN);
  const hi = Math.floor((phi + angle) / ANGLE_BIN);
  for (let b = lo; b <= hi; b++) out.push(((b % ANGLE_BINS) + ANGLE_BINS) % ANGLE_BINS);
}

const binScratch: [number[], number[], number[]] = [[], [], []];

/**
 * Calls `visit(cell, sa, sb, sc, q0, q1, q2)` for each cell within tolerance of a probe
 * triangle: its side bins and its direction bins (which index the probe's acceptance
 * masks, `sideStepMask` and `angleAcceptance`).
 */
export function forEachProbeCell(
  t: Triangle,
  visit: (
    cell: number,
    sa: number,
    sb: number,
    sc: number,
    q0: number,
    q1: number,
    q2: number,
  ) => void,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): void {
  const [a0, a1] = sideBinRange(t.a, tolerance);
  const [b0, b1] = sideBinRange(t.b, tolerance);
  const [c0, c1] = sideBinRange(t.c, tolerance);
  const [p0, p1, p2] = binScratch;
  angleBins(t.phi0, p0, tolerance.angle);
  angleBins(t.phi1, p1, tolerance.angle);
  angleBins(t.phi2, p2, tolerance.angle);
  for (let sa = a0; sa <= a1; sa++)
    for (let sb = b0; sb <= b1; sb++)
      for (let sc = c0; sc <= c1; sc++)
        for (const q0 of p0)
          for (const q1 of p1)
            for (const q2 of p2) {
              visit(cellOf(sa, sb, sc, q0, q1, q2), sa, sb, sc, q0, q1, q2);
            }
}

const STEP = SIDE_BIN / SIDE_STEPS;
const ANGLE_STEP = TWO_PI / ANGLE_STEPS;

/**
 * The detail steps (0..15) of a side in bin `bin` that lie within tolerance of the
 * probe's side `l`, as [lo, hi] (empty when lo > hi). Steps are taken at their middle,
 * and half a step is added to the tolerance so rounding never rejects a true pair.
 */
export function sideStepRange(
  l: number,
  bin: number,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): [number, number] {
  const tol = tolerance.side + tolerance.sideRelative * l + STEP / 2;
  const base = bin * SIDE_BIN + STEP / 2;
  return [
    Math.max(0, Math.ceil((l - tol - base) / STEP)),
    Math.min(SIDE_STEPS - 1, Math.floor((l + tol - base) / STEP)),
  ];
}

/**
 * The detail steps of a side in bin `bin` within tolerance of the probe's side `l`, as a
 * bit mask (bit `step` set when accepted; 0 when none is). A mask lets the search test a
 * posting's every field with one branch (shard.ts).
 */
export function sideStepMask(
  l: number,
  bin: number,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): number {
  const [lo, hi] = sideStepRange(l, bin, tolerance);
  return lo > hi ? 0 : ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
}

/**
 * Fills `out[bin]`, for each direction bin of the whole turn, with the mask of its
 * `ANGLE_SUBSTEPS` detail steps that lie within tolerance of `phi` (bit `step` set when
 * accepted). Steps are taken at their middle, with half a step added to the tolerance.
 */
export function angleAcceptance(
  phi: number,
  out: Uint8Array,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): void {
  out.fill(0);
  // Only the steps near phi can be accepted (a step or so of margin either side).
  const reach = tolerance.angle + ANGLE_STEP / 2;
  const first = Math.floor((phi - reach) / ANGLE_STEP) - 1;
  const last = Math.ceil((phi + reach) / ANGLE_STEP) + 1;
  for (let k = first; k <= last; k++) {
    const q = ((k % ANGLE_STEPS) + ANGLE_STEPS) % ANGLE_STEPS;
    let d = Math.abs((q + 0.5) * ANGLE_STEP - phi);
    if (d > Math.PI) d = TWO_PI - d;
    if (d <= tolerance.angle + ANGLE_STEP / 2) {
      const bin = Math.floor(q / ANGLE_SUBSTEPS);
      out[bin] = out[bin]! | (1 << (q % ANGLE_SUBSTEPS));
    }
  }
}

/** Whether the two longest sides are too close to be sure which one is the longest. */
export function ambiguousLongest(
  m: MinutiaSet,
  i: number,
  j: number,
  k: number,
  tolerance: TriangleTolerance = DEFAULT_TOLERANCE,
): boolean {
  const s = [
    Math.hypot(m.x[j]! - m.x[k]!, m.y[j]! - m.y[k]!),
    Math.hypot(m.x[i]! - m.x[k]!, m.y[i]! - m.y[k]!),
    Math.hypot(m.x[i]! - m.x[j]!, m.y[i]! - m.y[j]!),
  ].sort((a, b) => b - a);
  return s[0]! - s[1]! < tolerance.side + tolerance.sideRelative * s[0]!;
}
