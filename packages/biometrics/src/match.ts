import { fieldAgreement, type OrientationField } from './orientation-field.ts';
import type { FingerprintTemplate } from './template.ts';

/**
 * Matching by pairing-graph growth over local edges, after SourceAFIS (Vazan) and the
 * local-structure matchers it descends from (Jiang and Yau 2000; Ratha et al. 2000).
 *
 * An edge joins a minutia to one of its nearest neighbours and is described by three
 * numbers that do not change under rotation or translation: its length, and the angles
 * of the edge relative to the direction of each end minutia. Matching:
 *
 * 1. roots: edges of the candidate are looked up in a hash of the probe's edges (built
 *    once per probe); every edge pair that agrees within tolerance votes for the two
 *    minutia pairs at its ends. The minutia pairs with the most votes become roots.
 * 2. growth: from each root, pairs are added best-first through edges that agree in both
 *    templates (a priority queue on the edge disagreement). Only local consistency is
 *    required, so elastic skin distortion, which bends a print over several ridges, is
 *    tolerated while a wrong root cannot grow far.
 * 3. score: the supporting edges of the pairing (edges whose both ends are paired and
 *    agree), which counts the cycles closed by the pairing as well as the pairs; each
 *    is weighted by how closely it agrees, since chance agreements spread evenly over
 *    the tolerance while true ones cluster near zero error. It is scaled by the share of
 *    the minutiae in the area both prints cover that the pairing explains (see
 *    `overlapFraction`): chance pairings explain few of many, and a partial print is not
 *    punished for what the other capture never saw; and by how well the ridge flow
 *    agrees over that area (orientation-field.ts).
 */

/** Nearest neighbours per minutia in the edge table (SourceAFIS uses 9). */
const NEIGHBOURS = 9;
/** Edge length disagreement allowed: a fixed part (position error) and a relative one
 * (elastic distortion of a few percent across the print). */
const LENGTH_TOLERANCE = 6;
const LENGTH_TOLERANCE_RELATIVE = 0.05;
/** Angle disagreement allowed (direction error of both minutiae plus edge bend). */
const ANGLE_TOLERANCE = Math.PI / 12;
/** Agreement with the root's rigid transform: position and rotation. */
const ROOT_DISTANCE_TOLERANCE = 10;
const ROOT_DISTANCE_TOLERANCE_RELATIVE = 0.12;
const ROOT_ANGLE_TOLERANCE = Math.PI / 6;
/** Points per fully agreeing supporting edge when the pairing explains the whole overlap
 * and the ridge flow agrees everywhere: puts FMR 0.01% near score 40 on the calibration
 * set, the convention SourceAFIS users know (see score.ts). */
const SCORE_UNIT = 22;
/**
 * Scale of a comparison without the flow factor (a template from another extractor, or
 * one stored without its field): the unit the minutiae-only score was calibrated with
 * (14 points, the second round's calibration: FMR 0.01% at 39.6 on the same set), so such
 * scores keep meaning what `scoreToFmr` says rather than running 57% high.
 */
const NO_FIELD_SCALE = 14 / SCORE_UNIT;
/** Roots tried per comparison. */
const MAX_ROOTS = 12;

const TWO_PI = 2 * Math.PI;
const LENGTH_BIN = 12;
const LENGTH_BINS = 64;
const ANGLE_BINS = 16;
const ANGLE_BIN = TWO_PI / ANGLE_BINS;

/** A template prepared for matching: its edge table (the root hash is built on demand). */
export interface PreparedTemplate {
  readonly count: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly direction: Float32Array;
  readonly kind: Uint8Array;
  readonly reliability: Float32Array;
  /** Edges of minutia i are edgeStart[i] .. edgeStart[i+1]-1, sorted by length. */
  readonly edgeStart: Int32Array;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeLength: Float32Array;
  /** Angle of the edge relative to the direction of its start minutia. */
  readonly edgeStartAngle: Float32Array;
  /** Angle of the edge relative to the direction of its end minutia. */
  readonly edgeEndAngle: Float32Array;
  /**
   * Convex hull of the minutiae as half-planes: for vertex k, (hull[4k], hull[4k+1]) is the
   * vertex and (hull[4k+2], hull[4k+3]) the unit normal of the edge leaving it, pointing
   * inside, so the distance of a point inside that edge is a dot product.
   */
  readonly hull: Float32Array;
  /** The coarse orientation field's print cells, when the template carries a field. */
  readonly field: OrientationField | undefined;
  /** The root hash, built the first time the template serves as a probe. */
  probeIndex: ProbeIndex | undefined;
}

function normAngle(a: number): number {
  a %= TWO_PI;
  return a < 0 ? a + TWO_PI : a;
}

function angleDistance(a: number, b: number): number {
  const d = Math.abs(a - b);
  return d > Math.PI ? TWO_PI - d : d;
}

function lengthTolerance(l: number): number {
  return LENGTH_TOLERANCE + LENGTH_TOLERANCE_RELATIVE * l;
}

function hashKey(l: number, a: number, b: number): number {
  l = Math.min(LENGTH_BINS - 1, l);
  return (
    (l * ANGLE_BINS + ((a + ANGLE_BINS) % ANGLE_BINS)) * ANGLE_BINS +
    ((b + ANGLE_BINS) % ANGLE_BINS)
  );
}

/** Builds the edge table and root hash of a template (once per template). */
export function prepareTemplate(t: FingerprintTemplate): PreparedTemplate {
  const n = t.x.length;
  const k = Math.min(NEIGHBOURS, n - 1);
  const lists: number[][] = [];
  for (let i = 0; i < n; i++) lists.push([]);
  // The k nearest of each minutia, nearest first and ties in index order (as a stable
  // sort by distance would give), by insertion into a short sorted list: a full-matching
  // candidate is prepared every time it is compared, so this runs hundreds of times per
  // 1:N search (identify/README.md). `linked` replaces a search of the lists.
  const nearest = new Int32Array(Math.max(k, 0));
  const nearestD = new Float64Array(Math.max(k, 0));
  const linked = new Uint8Array(n * n);
  const link = (a: number, b: number): void => {
    if (linked[a * n + b] === 0) {
      linked[a * n + b] = 1;
      lists[a]!.push(b);
    }
  };
  for (let i = 0; i < n; i++) {
    let filled = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = t.x[j]! - t.x[i]!;
      const dy = t.y[j]! - t.y[i]!;
      const d = dx * dx + dy * dy;
      if (filled === k && d >= nearestD[k - 1]!) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && nearestD[p - 1]! > d) {
        nearestD[p] = nearestD[p - 1]!;
        nearest[p] = nearest[p - 1]!;
        p--;
      }
      nearestD[p] = d;
      nearest[p] = j;
    }
    for (let r = 0; r < filled; r++) {
      const j = nearest[r]!;
      // Edges go both ways, so the pairing can grow in either direction.
      link(i, j);
      link(j, i);
    }
  }
  let total = 0;
  for (const l of lists) total += l.length;
  const edgeStart = new Int32Array(n + 1);
  const edgeFrom = new Int32Array(total);
  const edgeTo = new Int32Array(total);
  const edgeLength = new Float32Array(total);
  const edgeStartAngle = new Float32Array(total);
  const edgeEndAngle = new Float32Array(total);
  const length = new Float64Array(n);
  let e = 0;
  for (let i = 0; i < n; i++) {
    edgeStart[i] = e;
    const list = lists[i]!;
    for (const j of list) length[j] = Math.hypot(t.x[j]! - t.x[i]!, t.y[j]! - t.y[i]!);
    list.sort((a, b) => length[a]! - length[b]!);
    for (const j of list) {
      const dx = t.x[j]! - t.x[i]!;
      const dy = t.y[j]! - t.y[i]!;
      const ang = Math.atan2(dy, dx);
      edgeFrom[e] = i;
      edgeTo[e] = j;
      edgeLength[e] = Math.hypot(dx, dy);
      edgeStartAngle[e] = normAngle(ang - t.direction[i]!);
      edgeEndAngle[e] = normAngle(ang - t.direction[j]!);
      e++;
    }
  }
  edgeStart[n] = e;
  return {
    count: n,
    x: t.x,
    y: t.y,
    direction: t.direction,
    kind: t.kind,
    reliability: t.reliability,
    edgeStart,
    edgeFrom,
    edgeTo,
    edgeLength,
    edgeStartAngle,
    edgeEndAngle,
    hull: convexHull(t.x, t.y),
    field: t.orientationField,
    probeIndex: undefined,
  };
}

/** Convex hull (Andrew's monotone chain) as half-planes, see `PreparedTemplate.hull`. */
function convexHull(xs: Float32Array, ys: Float32Array): Float32Array {
  const idx = Array.from(xs, (_, i) => i).sort((a, b) => xs[a]! - xs[b]! || ys[a]! - ys[b]!);
  const cross = (o: number, a: number, b: number): number =>
    (xs[a]! - xs[o]!) * (ys[b]! - ys[o]!) - (ys[a]! - ys[o]!) * (xs[b]! - xs[o]!);
  const hull: number[] = [];
  for (const pass of [idx, [...idx].reverse()]) {
    const base = hull.length;
    for (const i of pass) {
      while (
        hull.length >= base + 2 &&
        cross(hull[hull.length - 2]!, hull[hull.length - 1]!, i) <= 0
      ) {
        hull.pop();
      }
      hull.push(i);
    }
    hull.pop();
  }
  const k = hull.length;
  const out = new Float32Array(4 * k);
  for (let a = 0; a < k; a++) {
    const i = hull[a]!;
    const j = hull[(a + 1) % k]!;
    const ex = xs[j]! - xs[i]!;
    const ey = ys[j]! - ys[i]!;
    const len = Math.hypot(ex, ey) || 1;
    out[4 * a] = xs[i]!;
    out[4 * a + 1] = ys[i]!;
    // Counter-clockwise order: the inside lies to the left of each edge.
    out[4 * a + 2] = -ey / len;
    out[4 * a + 3] = ex / len;
  }
  return out;
}

/** Whether (x, y) lies inside the hull or within `margin` pixels of it. */
function nearHull(hull: Float32Array, x: number, y: number, margin: number): boolean {
  if (hull.length < 12) return false;
  for (let a = 0; a < hull.length; a += 4) {
    if ((x - hull[a]!) * hull[a + 2]! + (y - hull[a + 1]!) * hull[a + 3]! < -margin) return false;
  }
  return true;
}

/**
 * Edge indices by quantised (length, start angle, end angle), each edge entered in every
 * cell its tolerance box touches: cell k holds items[start[k] .. start[k+1]). Built only
 * for templates used as probes (64 KB each), so a gallery of a million prepared
 * templates does not carry a million hash tables.
 */
export interface ProbeIndex {
  readonly start: Int32Array;
  readonly items: Int32Array;
}

function probeIndex(t: PreparedTemplate): ProbeIndex {
  if (t.probeIndex !== undefined) return t.probeIndex;
  const { edgeLength, edgeStartAngle, edgeEndAngle } = t;
  const total = edgeLength.length;
  // Two passes over the tolerance boxes: count per cell, then fill.
  const cells = LENGTH_BINS * ANGLE_BINS * ANGLE_BINS;
  const start = new Int32Array(cells + 1);
  const visit = (q: number, emit: (key: number) => void): void => {
    const l = edgeLength[q]!;
    const tl = lengthTolerance(l);
    const a = edgeStartAngle[q]!;
    const b = edgeEndAngle[q]!;
    const lLow = Math.max(0, Math.floor((l - tl) / LENGTH_BIN));
    const lHigh = Math.min(LENGTH_BINS - 1, Math.floor((l + tl) / LENGTH_BIN));
    const aLow = Math.floor((a - ANGLE_TOLERANCE) / ANGLE_BIN);
    const aHigh = Math.floor((a + ANGLE_TOLERANCE) / ANGLE_BIN);
    const bLow = Math.floor((b - ANGLE_TOLERANCE) / ANGLE_BIN);
    const bHigh = Math.floor((b + ANGLE_TOLERANCE) / ANGLE_BIN);
    for (let lq = lLow; lq <= lHigh; lq++) {
      for (let aq = aLow; aq <= aHigh; aq++) {
        for (let bq = bLow; bq <= bHigh; bq++) emit(hashKey(lq, aq, bq));
      }
    }
  };
  for (let q = 0; q < total; q++) {
    visit(q, (key) => {
      start[key + 1] = start[key + 1]! + 1;
    });
  }
  for (let k = 0; k < cells; k++) start[k + 1] = start[k + 1]! + start[k]!;
  const items = new Int32Array(start[cells]!);
  const fill = start.slice(0, cells);
  for (let q = 0; q < total; q++) {
    visit(q, (key) => {
      items[fill[key]!] = q;
      fill[key] = fill[key]! + 1;
    });
  }
  const index = { start, items };
  t.probeIndex = index;
  return index;
}

/** Scratch buffers reused across comparisons (one comparison runs at a time per thread). */
class Scratch {
  votes = new Uint16Array(0);
  histogram = new Int32Array(64);
  touched = new Int32Array(0);
  pairP = new Int32Array(0);
  pairC = new Int32Array(0);
  heapKey = new Float64Array(4096);
  heapP = new Int32Array(4096);
  heapC = new Int32Array(4096);
  ensure(np: number, nc: number): void {
    if (this.votes.length < np * nc) {
      this.votes = new Uint16Array(np * nc);
      this.touched = new Int32Array(np * nc);
    }
    if (this.pairP.length < np) {
      this.pairP = new Int32Array(np).fill(-1);
    }
    if (this.pairC.length < nc) this.pairC = new Int32Array(nc).fill(-1);
  }
  growHeap(): void {
    const size = this.heapKey.length * 2;
    const k = new Float64Array(size);
    k.set(this.heapKey);
    const p = new Int32Array(size);
    p.set(this.heapP);
    const c = new Int32Array(size);
    c.set(this.heapC);
    this.heapKey = k;
    this.heapP = p;
    this.heapC = c;
  }
}

const scratch = new Scratch();

/** Details of a comparison, for diagnostics and tests. */
export interface MatchDetails {
  readonly score: number;
  readonly pairedMinutiae: number;
  readonly supportingEdges: number;
  readonly pairs: readonly (readonly [number, number])[];
}

/**
 * Similarity of two prepared templates, 0 for unrelated prints and growing with the
 * evidence (see `scoreToFmr` for what a score means). Symmetric in spirit but not bit for
 * bit: the probe's hash serves the lookups.
 */
export function matchPrepared(probe: PreparedTemplate, candidate: PreparedTemplate): number {
  return compare(probe, candidate).score;
}

export function matchDetails(probe: PreparedTemplate, candidate: PreparedTemplate): MatchDetails {
  return compare(probe, candidate);
}

function compare(p: PreparedTemplate, c: PreparedTemplate): MatchDetails {
  const np = p.count;
  const nc = c.count;
  const empty: MatchDetails = { score: 0, pairedMinutiae: 0, supportingEdges: 0, pairs: [] };
  if (np < 2 || nc < 2) return empty;
  const s = scratch;
  s.ensure(np, nc);
  const votes = s.votes;
  const touched = s.touched;
  let nTouched = 0;

  // 1. Roots by edge-hash voting.
  const index = probeIndex(p);
  const ce = c.edgeLength.length;
  for (let q = 0; q < ce; q++) {
    const l = c.edgeLength[q]!;
    const a = c.edgeStartAngle[q]!;
    const b = c.edgeEndAngle[q]!;
    const key = hashKey(
      Math.floor(l / LENGTH_BIN),
      Math.floor(a / ANGLE_BIN),
      Math.floor(b / ANGLE_BIN),
    );
    const end = index.start[key + 1]!;
    for (let h = index.start[key]!; h < end; h++) {
      const pe = index.items[h]!;
      const pl = p.edgeLength[pe]!;
      if (Math.abs(pl - l) > lengthTolerance(Math.min(pl, l))) continue;
      if (angleDistance(p.edgeStartAngle[pe]!, a) > ANGLE_TOLERANCE) continue;
      if (angleDistance(p.edgeEndAngle[pe]!, b) > ANGLE_TOLERANCE) continue;
      const v = p.edgeFrom[pe]! * nc + c.edgeFrom[q]!;
      if (votes[v] === 0) touched[nTouched++] = v;
      votes[v] = votes[v]! + 1;
    }
  }
  if (nTouched === 0) return empty;
  // Top roots by votes: a histogram of the vote counts gives the cut-off, then one pass
  // collects the roots above it (votes are small integers).
  const histogram = s.histogram;
  histogram.fill(0);
  for (let t = 0; t < nTouched; t++) {
    const w = Math.min(histogram.length - 1, votes[touched[t]!]!);
    histogram[w] = histogram[w]! + 1;
  }
  let cutoff = histogram.length - 1;
  let above = histogram[cutoff]!;
  while (cutoff > 1 && above < MAX_ROOTS) above += histogram[--cutoff]!;
  const roots: number[] = [];
  const rootVotes: number[] = [];
  for (let t = 0; t < nTouched; t++) {
    const v = touched[t]!;
    const w = votes[v]!;
    votes[v] = 0;
    if (w >= cutoff && roots.length < 4 * MAX_ROOTS) {
      roots.push(v);
      rootVotes.push(w);
    }
  }
  let best = empty;
  const pairP = s.pairP;
  const pairC = s.pairC;
  const order = roots
    .map((_, i) => i)
    .sort((a, b) => rootVotes[b]! - rootVotes[a]!)
    .slice(0, MAX_ROOTS);
  const pairedP: number[] = [];
  const topVotes = rootVotes[order[0]!]!;
  // Growth state of the current root, shared by the closures below (made once per
  // comparison rather than once per root).
  let heapSize = 0;
  let edges = 0;
  let evidence = 0;
  let rot = 0;
  let rotNorm = 0;
  let cos = 1;
  let sin = 0;
  let px0 = 0;
  let py0 = 0;
  let cx0 = 0;
  let cy0 = 0;
  const push = (key: number, pi: number, ci: number): void => {
    if (heapSize >= s.heapKey.length) s.growHeap();
    let i = heapSize++;
    const hk = s.heapKey;
    const hp = s.heapP;
    const hc = s.heapC;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hk[parent]! <= key) break;
      hk[i] = hk[parent]!;
      hp[i] = hp[parent]!;
      hc[i] = hc[parent]!;
      i = parent;
    }
    hk[i] = key;
    hp[i] = pi;
    hc[i] = ci;
  };
  const agreesWithRoot = (pj: number, cj: number): boolean => {
    const dx = p.x[pj]! - px0;
    const dy = p.y[pj]! - py0;
    const ex = cx0 + dx * cos - dy * sin - c.x[cj]!;
    const ey = cy0 + dx * sin + dy * cos - c.y[cj]!;
    const tol = ROOT_DISTANCE_TOLERANCE + ROOT_DISTANCE_TOLERANCE_RELATIVE * Math.hypot(dx, dy);
    if (ex * ex + ey * ey > tol * tol) return false;
    return (
      angleDistance(normAngle(c.direction[cj]! - p.direction[pj]!), rotNorm) <= ROOT_ANGLE_TOLERANCE
    );
  };
  const pair = (pi: number, ci: number): void => {
    pairP[pi] = ci;
    pairC[ci] = pi;
    pairedP.push(pi);
    const pStart = p.edgeStart[pi]!;
    const pEnd = p.edgeStart[pi + 1]!;
    const cStart = c.edgeStart[ci]!;
    const cEnd = c.edgeStart[ci + 1]!;
    let lo = cStart;
    for (let pe = pStart; pe < pEnd; pe++) {
      const pl = p.edgeLength[pe]!;
      const tol = lengthTolerance(pl);
      while (lo < cEnd && c.edgeLength[lo]! < pl - tol) lo++;
      for (let cq = lo; cq < cEnd; cq++) {
        const cl = c.edgeLength[cq]!;
        if (cl > pl + tol) break;
        const da = angleDistance(p.edgeStartAngle[pe]!, c.edgeStartAngle[cq]!);
        if (da > ANGLE_TOLERANCE) continue;
        const db = angleDistance(p.edgeEndAngle[pe]!, c.edgeEndAngle[cq]!);
        if (db > ANGLE_TOLERANCE) continue;
        const pj = p.edgeTo[pe]!;
        const cj = c.edgeTo[cq]!;
        const pjPair = pairP[pj]!;
        if (pjPair === cj) {
          edges++;
          // Soft count: an edge that agrees closely is stronger evidence than one at
          // the edge of tolerance, where chance agreements are spread evenly.
          evidence +=
            (1 - Math.abs(cl - pl) / tol) * (1 - da / ANGLE_TOLERANCE) * (1 - db / ANGLE_TOLERANCE);
        } else if (pjPair === -1 && pairC[cj] === -1 && agreesWithRoot(pj, cj)) {
          push(Math.abs(cl - pl) / tol + (da + db) / ANGLE_TOLERANCE, pj, cj);
        }
      }
    }
  };
  for (const ri of order) {
    // A root backed by a single agreeing edge is weak evidence once stronger roots exist.
    if (rootVotes[ri]! < 2 && topVotes >= 2) break;
    const root = roots[ri]!;
    const p0 = Math.floor(root / nc);
    const c0 = root - p0 * nc;
    if (best.pairedMinutiae > 0 && pairWasUsed(best, p0, c0)) continue;
    // 2. Grow.
    heapSize = 0;
    edges = 0;
    evidence = 0;
    pairedP.length = 0;
    // The root's rigid transform predicts where a pair should lie; skin distortion makes
    // the prediction looser with distance from the root (about 12% of the distance, the
    // strain seen between impressions, Cappelli, Maio and Maltoni 2001).
    rot = c.direction[c0]! - p.direction[p0]!;
    cos = Math.cos(rot);
    sin = Math.sin(rot);
    px0 = p.x[p0]!;
    py0 = p.y[p0]!;
    cx0 = c.x[c0]!;
    cy0 = c.y[c0]!;
    rotNorm = normAngle(rot);
    pair(p0, c0);
    while (heapSize > 0) {
      // Pop the best candidate.
      const hk = s.heapKey;
      const hp = s.heapP;
      const hc = s.heapC;
      const pi = hp[0]!;
      const ci = hc[0]!;
      heapSize--;
      if (heapSize > 0) {
        const key = hk[heapSize]!;
        const lp = hp[heapSize]!;
        const lc = hc[heapSize]!;
        let i = 0;
        while (true) {
          let child = 2 * i + 1;
          if (child >= heapSize) break;
          if (child + 1 < heapSize && hk[child + 1]! < hk[child]!) child++;
          if (hk[child]! >= key) break;
          hk[i] = hk[child]!;
          hp[i] = hp[child]!;
          hc[i] = hc[child]!;
          i = child;
        }
        hk[i] = key;
        hp[i] = lp;
        hc[i] = lc;
      }
      if (pairP[pi] === -1 && pairC[ci] === -1) pair(pi, ci);
    }
    // 3. Score this pairing. The overlap fraction is at most 1, so a pairing whose
    // evidence alone cannot beat the best needs no overlap computed.
    const m = pairedP.length;
    const upper = SCORE_UNIT * evidence;
    const fraction =
      upper > best.score ? overlapFraction(p, c, pairedP, pairP, pairC, best.score / upper) : 0;
    const score = upper * fraction;
    if (score > best.score) {
      // The pairs are kept (not only when asked for) so later roots already inside the
      // best pairing can be skipped.
      const pairs: [number, number][] = [];
      for (const pi of pairedP) pairs.push([pi, pairP[pi]!]);
      best = { score, pairedMinutiae: m, supportingEdges: edges, pairs };
    }
    for (const pi of pairedP) {
      pairC[pairP[pi]!] = -1;
      pairP[pi] = -1;
    }
    // A pairing covering most of the smaller template will not be beaten by another root.
    if (m > 0.75 * Math.min(np, nc)) break;
  }
  return best;
}

/**
 * How much of the shared area the pairing explains. The rigid transform is fitted to the
 * pairs by least squares (Umeyama 1991, without scale); a minutia of either template
 * lies in the overlap when it falls inside the convex hull of the other template's
 * minutiae, within the pairing tolerance. Each template's fraction is the reliability of
 * its paired minutiae over the reliability of its minutiae in the overlap (an unreliable
 * minutia is often spurious, so missing it is weak evidence against a match); the result
 * is their geometric mean. A partial print compared with a full one is judged on the
 * part they share, and an impostor pairing that explains a few minutiae out of many in
 * a large shared area scores low (the normalisation of Bozorth3 and of Jain, Hong and
 * Bolle 1997, on the overlap rather than the whole template).
 *
 * Under the same transform the two coarse orientation fields are compared over the area
 * both cover (`fieldAgreement`), and the fraction is multiplied by that agreement
 * squared: the ridge flow must agree over the whole shared area, not only at the few
 * minutiae a small print pairs (Gu, Zhou and Yang 2006). `needed` is the fraction below
 * which the pairing cannot win, so the flow is not computed for it.
 */
function overlapFraction(
  p: PreparedTemplate,
  c: PreparedTemplate,
  pairedP: readonly number[],
  pairP: Int32Array,
  pairC: Int32Array,
  needed: number,
): number {
  const m = pairedP.length;
  let pmx = 0;
  let pmy = 0;
  let cmx = 0;
  let cmy = 0;
  let pairedRp = 0;
  let pairedRc = 0;
  for (const pi of pairedP) {
    const ci = pairP[pi]!;
    pmx += p.x[pi]!;
    pmy += p.y[pi]!;
    cmx += c.x[ci]!;
    cmy += c.y[ci]!;
    pairedRp += minutiaWeight(p.reliability[pi]!);
    pairedRc += minutiaWeight(c.reliability[ci]!);
  }
  pmx /= m;
  pmy /= m;
  cmx /= m;
  cmy /= m;
  let sc = 0;
  let ss = 0;
  for (const pi of pairedP) {
    const ci = pairP[pi]!;
    const ax = p.x[pi]! - pmx;
    const ay = p.y[pi]! - pmy;
    const bx = c.x[ci]! - cmx;
    const by = c.y[ci]! - cmy;
    sc += ax * bx + ay * by;
    ss += ax * by - ay * bx;
  }
  // With a single pair the least-squares rotation is undefined; so is the overlap.
  if (m < 2) return 0;
  const rot = Math.atan2(ss, sc);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const inP = weightInOverlap(p, pairP, pmx, pmy, c, cmx, cmy, cos, sin);
  const inC = weightInOverlap(c, pairC, cmx, cmy, p, pmx, pmy, cos, -sin);
  const fraction = Math.sqrt((pairedRp / inP) * (pairedRc / inC));
  // The flow factor is at most 1: skip it when the minutiae alone cannot reach `needed`.
  if (p.field === undefined || c.field === undefined) return fraction * NO_FIELD_SCALE;
  if (fraction <= needed) return fraction;
  const flow = fieldAgreement(p.field, c.field, pmx, pmy, cmx, cmy, cos, sin);
  // Ridge flow is smooth and alike across fingers of one pattern class, so unrelated
  // prints aligned by a chance pairing still agree at about 0.7 (genuine overlaps: 0.95);
  // the square widens that gap (0.49 against 0.90). The power was chosen after seeing
  // results (README, "honestly").
  const agreement = Math.max(0, flow);
  return fraction * agreement * agreement;
}

/**
 * Summed weight of the minutiae of `t` that lie in the overlap: paired, or carried by the
 * rotation (cos, sin) about t's centroid (tx, ty) onto the other's centroid (ox, oy) near
 * the other's hull.
 */
function weightInOverlap(
  t: PreparedTemplate,
  pairing: Int32Array,
  tx: number,
  ty: number,
  other: PreparedTemplate,
  ox: number,
  oy: number,
  cos: number,
  sin: number,
): number {
  let sum = 0;
  for (let i = 0; i < t.count; i++) {
    const dx = t.x[i]! - tx;
    const dy = t.y[i]! - ty;
    const x = ox + dx * cos - dy * sin;
    const y = oy + dx * sin + dy * cos;
    if (pairing[i] !== -1 || nearHull(other.hull, x, y, ROOT_DISTANCE_TOLERANCE)) {
      sum += minutiaWeight(t.reliability[i]!);
    }
  }
  return sum;
}

/** A minutia's weight in the overlap: its reliability, never quite zero (a template from
 * another extractor may carry quality 0 for "not reported", ISO/IEC 19794-2 §7.4.1.4). */
function minutiaWeight(reliability: number): number {
  return Math.max(0.05, reliability);
}

function pairWasUsed(best: MatchDetails, p0: number, c0: number): boolean {
  for (const [a, b] of best.pairs) if (a === p0 && b === c0) return true;
  return false;
}
