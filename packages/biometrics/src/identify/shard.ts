import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import { ANGLE_UNIT } from '../iso.ts';
import { matchPrepared, prepareTemplate, type PreparedTemplate } from '../match.ts';
import type { FingerprintTemplate } from '../template.ts';
import { nativeSweep } from './native.ts';
import {
  ANGLE_BINS,
  ANGLE_STEPS,
  ANGLE_SUBSTEPS,
  ANGLE_TOLERANCE,
  KEY_CELLS,
  MAX_TOLERANCE_SCALE,
  MAX_TRIANGLE_NEIGHBOURS,
  MIN_TOLERANCE_SCALE,
  MIN_TRIANGLE_NEIGHBOURS,
  ORDER_KEY_MASK,
  ROTATION_BINS,
  SIDE_BIN,
  SIDE_BINS,
  SIDE_STEPS,
  SIDE_TOLERANCE,
  SIDE_TOLERANCE_RELATIVE,
  TRIANGLE_NEIGHBOURS,
  ambiguousLongest,
  angleAcceptance,
  sideBinRange,
  sideStepMask,
  describeTriangle,
  forEachProbeCell,
  forEachTriangle,
  rotationBin,
  sideStepRange,
  triangleTolerance,
  triangleCell,
  triangleDetail,
  type MinutiaSet,
  type TriangleTolerance,
} from './triangles.ts';

/**
 * One shard of the 1:N index: a gallery of templates packed in typed arrays (ISO
 * precision: integer pixels, 1.40625-degree directions, 7 bytes a minutia) and an
 * inverted index from triangle cells to (template, orientation) postings, 4 bytes each.
 *
 * Search has two stages, as in every AFIS (Handbook of Fingerprint Recognition, 2nd ed.,
 * ch. 5.8): the index votes for candidates, cheaply, and the full matcher (`matchPrepared`)
 * scores the best few. Each posting the probe's triangles reach votes for its template
 * *and for the rotation the pair implies*; a template's vote count is its best run of
 * three adjacent rotation bins. A mate's triangles agree on one rotation, chance ones
 * scatter over 32 bins, so the vote separates mates from the crowd far better than a
 * plain count (the transformation clustering of Germain et al. 1997).
 */

/** What a search returns per candidate, best first. */
export interface Candidate {
  /** The entry number given when the template was added. */
  readonly entry: number;
  /** Full-matcher score (`matchPrepared`). */
  readonly score: number;
  /** The index's vote count that selected it. */
  readonly votes: number;
}

export interface SearchOptions {
  /** Templates passed to the full matcher, per shard (default 48). */
  readonly candidates?: number;
  /** Return only candidates scoring at least this (default 0: all scored). */
  readonly threshold?: number;
  /** Return at most this many (default 10). */
  readonly limit?: number;
  /** Entry to leave out (the probe's own record, when de-duplicating a gallery). */
  readonly exclude?: number;
  /** Fewest votes for the full matcher to look at a template (default 2). */
  readonly minVotes?: number;
}

export const DEFAULT_CANDIDATES = 48;

/** Growable typed array (doubling), for the gallery before it is sealed. */
export class Growable<T extends Uint8Array | Uint16Array | Uint32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
  /** Makes room for `extra` more values, so that they can be written to `data` directly. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.data.length) return;
    const next = this.make(Math.max(16, need, Math.ceil(this.data.length * 1.5)));
    next.set(this.data);
    this.data = next;
  }
  trimmed(): T {
    return this.data.slice(0, this.length) as T;
  }
}

const u8 = (n: number) => new Uint8Array(n);
const u16 = (n: number) => new Uint16Array(n);
const u32 = (n: number) => new Uint32Array(n);

/** A gallery template's minutiae, read from the packed arrays. */
class PackedView implements MinutiaSet {
  count = 0;
  x: Float64Array;
  y: Float64Array;
  direction: Float64Array;
  constructor(capacity: number) {
    this.x = new Float64Array(capacity);
    this.y = new Float64Array(capacity);
    this.direction = new Float64Array(capacity);
  }
}

const MAGIC = 0x49544756; // "VGTI" read little-endian
/**
 * 2: postings of a cell in order of their first side's detail step (bisected by search).
 * 3: 15-bit details in two bytes, direction steps within the cell's bins; the shard's own
 * triangle neighbours and tolerance scale in the header.
 * 4: the second side's step beside the first in the order key (`ORDER_KEY_MASK`).
 */
const FORMAT_VERSION = 4;
/**
 * Parameters a serialised shard was built with; a shard from other settings is refused.
 * The triangle neighbours (first) and the tolerance scale in thousandths (last) are the
 * shard's own (`IndexShardOptions`).
 */
const PARAMETERS = [
  TRIANGLE_NEIGHBOURS,
  SIDE_BIN,
  SIDE_BINS,
  ANGLE_BINS,
  SIDE_STEPS,
  ANGLE_STEPS,
  ROTATION_BINS,
  Math.round(SIDE_TOLERANCE * 1000),
  Math.round(SIDE_TOLERANCE_RELATIVE * 1000),
  Math.round(ANGLE_TOLERANCE * 1000),
  ANGLE_SUBSTEPS,
  1000,
];
const NEIGHBOURS_SLOT = 2;
const TOLERANCE_SLOT = 2 + PARAMETERS.length - 1;
const HEADER_WORDS = 2 + PARAMETERS.length + 4;
/** Room for entries: posting = local index << 5 | rotation bin. */
const MAX_SHARD_TEMPLATES = 2 ** 27 - 1;
/** Minutiae a template may bring: the ISO record's one-byte count. */
const MAX_TEMPLATE_MINUTIAE = 255;

export interface IndexShardOptions {
  /**
   * Nearest neighbours each minutia is joined with into triangles (default
   * `TRIANGLE_NEIGHBOURS`, 5; 3 to 9). Probes are cut into triangles the same way.
   */
  readonly neighbours?: number;
  /**
   * Scale of the search's side and direction tolerances (default 1; 0.5 to 1.5): a probe
   * triangle votes for enrolled ones within 4 px + 5% on each side and 15 degrees on each
   * direction, times this. Narrower is faster and finds fewer chance triangles, and
   * fewer true ones on a distorted print.
   */
  readonly toleranceScale?: number;
}

export class IndexShard {
  readonly neighbours: number;
  readonly toleranceScale: number;
  private readonly tolerance: TriangleTolerance;
  private readonly entries = new Growable(u32(0), u32);
  private readonly minutiaStart = new Growable(u32(1), u32);
  private readonly widths = new Growable(u16(0), u16);
  private readonly heights = new Growable(u16(0), u16);
  private readonly qualities = new Growable(u8(0), u8);
  private readonly mx = new Growable(u16(0), u16);
  private readonly my = new Growable(u16(0), u16);
  private readonly mdir = new Growable(u8(0), u8);
  private readonly mkind = new Growable(u8(0), u8);
  private readonly mrel = new Growable(u8(0), u8);
  private cellStart: Uint32Array | undefined;
  private postings: Uint32Array | undefined;
  private details: Uint16Array | undefined;
  /** Postings in the largest cell, once sealed (`largestCell`). */
  private largest: number | undefined;
  // Search scratch, allocated at the first search.

  constructor(options: IndexShardOptions = {}) {
    const neighbours = options.neighbours ?? TRIANGLE_NEIGHBOURS;
    if (
      !Number.isInteger(neighbours) ||
      neighbours < MIN_TRIANGLE_NEIGHBOURS ||
      neighbours > MAX_TRIANGLE_NEIGHBOURS
    ) {
      throw new InvalidInputError(
        `An index shard cannot join minutiae with ${neighbours} neighbours.`,
        {
          hint: `Give a whole number of neighbours from ${MIN_TRIANGLE_NEIGHBOURS} to ${MAX_TRIANGLE_NEIGHBOURS}.`,
        },
      );
    }
    this.neighbours = neighbours;
    this.toleranceScale = checkedToleranceScale(options.toleranceScale ?? 1);
    this.tolerance = triangleTolerance(this.toleranceScale);
    this.minutiaStart.push(0);
  }

  /** Templates in the shard. */
  get size(): number {
    return this.entries.length;
  }

  get sealed(): boolean {
    return this.postings !== undefined;
  }

  /** Number of postings (triangles filed), once sealed. */
  get postingCount(): number {
    return this.postings?.length ?? 0;
  }

  /**
   * Adds a template under the caller's entry number. Positions are rounded to whole
   * pixels and directions to the ISO grid, as an ISO record would carry them.
   */
  add(entry: number, t: FingerprintTemplate): void {
    if (this.sealed) throw new Error('this index shard is sealed; add to a new shard');
    if (this.size >= MAX_SHARD_TEMPLATES) throw new Error('index shard is full');
    const n = Math.min(MAX_TEMPLATE_MINUTIAE, t.x.length);
    this.entries.push(entry >>> 0);
    this.widths.push(t.width);
    this.heights.push(t.height);
    this.qualities.push(Math.max(0, Math.min(100, Math.round(t.quality))));
    for (let i = 0; i < n; i++) {
      this.mx.push(Math.max(0, Math.min(65535, Math.round(t.x[i]!))));
      this.my.push(Math.max(0, Math.min(65535, Math.round(t.y[i]!))));
      this.mdir.push(((Math.round(t.direction[i]! / ANGLE_UNIT) % 256) + 256) % 256);
      this.mkind.push(t.kind[i]!);
      this.mrel.push(Math.max(0, Math.min(100, Math.round(t.reliability[i]! * 100))));
    }
    this.minutiaStart.push(this.mx.length);
  }

  /** Builds the inverted index (two passes over the triangles: count, then fill). */
  seal(): void {
    if (this.sealed) return;
    // A sealed shard takes no more templates: give back the growth slack (up to a third
    // of the gallery's memory, some 380 MB at a million four-finger persons) before the
    // postings are allocated, so the peak of the build does not carry it.
    for (const g of this.galleryArrays()) g.data = g.trimmed();
    const counts = new Uint32Array(KEY_CELLS + 1);
    const view = new PackedView(MAX_TEMPLATE_MINUTIAE);
    for (let t = 0; t < this.size; t++) {
      this.load(t, view);
      forEachTriangle(
        view,
        (i, j, k) => {
          const tri = describeTriangle(view, i, j, k);
          if (tri !== undefined) counts[triangleCell(tri) + 1]!++;
        },
        this.neighbours,
      );
    }
    for (let c = 1; c <= KEY_CELLS; c++) counts[c]! += counts[c - 1]!;
    const postings = new Uint32Array(counts[KEY_CELLS]!);
    const details = new Uint16Array(counts[KEY_CELLS]!);
    const fill = counts.slice(0, KEY_CELLS);
    for (let t = 0; t < this.size; t++) {
      this.load(t, view);
      forEachTriangle(
        view,
        (i, j, k) => {
          const tri = describeTriangle(view, i, j, k);
          if (tri === undefined) return;
          const at = fill[triangleCell(tri)]!++;
          postings[at] = (t << 5) | rotationBin(tri.theta);
          details[at] = triangleDetail(tri);
        },
        this.neighbours,
      );
    }
    sortCellsByKey(counts, postings, details);
    this.cellStart = counts;
    this.postings = postings;
    this.details = details;
  }

  /** The gallery's growing arrays (the index's are `cellStart`, `postings`, `details`). */
  private galleryArrays(): Growable<Uint8Array | Uint16Array | Uint32Array>[] {
    return [
      this.entries,
      this.minutiaStart,
      this.widths,
      this.heights,
      this.qualities,
      this.mx,
      this.my,
      this.mdir,
      this.mkind,
      this.mrel,
    ] as Growable<Uint8Array | Uint16Array | Uint32Array>[];
  }

  private load(t: number, view: PackedView): void {
    const start = this.minutiaStart.data[t]!;
    const end = this.minutiaStart.data[t + 1]!;
    view.count = end - start;
    for (let i = 0; i < view.count; i++) {
      view.x[i] = this.mx.data[start + i]!;
      view.y[i] = this.my.data[start + i]!;
      view.direction[i] = this.mdir.data[start + i]! * ANGLE_UNIT;
    }
  }

  /** The stored template of local index `t` (as an ISO record would give it back). */
  template(t: number): FingerprintTemplate {
    const start = this.minutiaStart.data[t]!;
    const end = this.minutiaStart.data[t + 1]!;
    const n = end - start;
    const out: FingerprintTemplate = {
      width: this.widths.data[t]!,
      height: this.heights.data[t]!,
      quality: this.qualities.data[t]!,
      x: new Float32Array(n),
      y: new Float32Array(n),
      direction: new Float32Array(n),
      kind: this.mkind.data.slice(start, end),
      reliability: new Float32Array(n),
    };
    for (let i = 0; i < n; i++) {
      out.x[i] = this.mx.data[start + i]!;
      out.y[i] = this.my.data[start + i]!;
      out.direction[i] = this.mdir.data[start + i]! * ANGLE_UNIT;
      out.reliability[i] = this.mrel.data[start + i]! / 100;
    }
    return out;
  }

  /** Entry number of local index `t`. */
  entry(t: number): number {
    return this.entries.data[t]!;
  }

  /**
   * Every cell a probe's triangles reach, as `visit(cell, accept, ref)`: `accept` holds the
   * accepted detail steps (`acceptMask`: the other sides' and the directions' masks, the
   * first side's lowest step), `ref` the first side's highest step (bits 0-2) and the
   * probe triangle's rotation bin (bits 3-7). Cells the tolerance reaches but whose every
   * step is refused are left out.
   */
  private forEachProbeVisit(
    probe: FingerprintTemplate,
    visit: (cell: number, accept: number, ref: number) => void,
    tolerance: TriangleTolerance,
  ): void {
    const probeSet: MinutiaSet = {
      count: probe.x.length,
      x: probe.x,
      y: probe.y,
      direction: probe.direction,
    };
    // Per probe triangle: for each side bin, the accepted detail steps of each side (the
    // first side's as a range, for the bisection; the others as masks), and for each
    // direction bin the mask of its accepted steps.
    const ang0 = new Uint8Array(ANGLE_BINS);
    const ang1 = new Uint8Array(ANGLE_BINS);
    const ang2 = new Uint8Array(ANGLE_BINS);
    const firstLo = new Int32Array(SIDE_BINS);
    const firstHi = new Int32Array(SIDE_BINS);
    const maskB = new Uint8Array(SIDE_BINS);
    const maskC = new Uint8Array(SIDE_BINS);
    forEachTriangle(
      probeSet,
      (i, j, k) => {
        const alternatives = ambiguousLongest(probeSet, i, j, k, tolerance) ? 2 : 1;
        for (let alt = 0; alt < alternatives; alt++) {
          const tri = describeTriangle(probeSet, i, j, k, alt as 0 | 1);
          if (tri === undefined) continue;
          const pr = rotationBin(tri.theta);
          angleAcceptance(tri.phi0, ang0, tolerance);
          angleAcceptance(tri.phi1, ang1, tolerance);
          angleAcceptance(tri.phi2, ang2, tolerance);
          // Only the side bins the tolerance reaches (`forEachProbeCell` visits no other).
          const [a0, a1] = sideBinRange(tri.a, tolerance);
          for (let bin = a0; bin <= a1; bin++) {
            [firstLo[bin], firstHi[bin]] = sideStepRange(tri.a, bin, tolerance);
          }
          const [b0, b1] = sideBinRange(tri.b, tolerance);
          for (let bin = b0; bin <= b1; bin++) maskB[bin] = sideStepMask(tri.b, bin, tolerance);
          const [c0, c1] = sideBinRange(tri.c, tolerance);
          for (let bin = c0; bin <= c1; bin++) maskC[bin] = sideStepMask(tri.c, bin, tolerance);
          forEachProbeCell(
            tri,
            (cell, sa, sb, sc, q0, q1, q2) => {
              const aLo = firstLo[sa]!;
              const aHi = firstHi[sa]!;
              const accept = acceptMask(
                maskB[sb]!,
                maskC[sc]!,
                ang0[q0]!,
                ang1[q1]!,
                ang2[q2]!,
                aLo,
              );
              if (aLo <= aHi && accept !== 0) visit(cell, accept, aHi | (pr << 3));
            },
            tolerance,
          );
        }
      },
      this.neighbours,
    );
  }

  /**
   * Reads one visited cell: each posting of a template below `below` whose detail lies
   * within the accepted steps is written to `out` from `at` as its template and the
   * rotation the pair implies (template << 5 | rotation bin); returns where the next write
   * goes. `out` must have room for the whole cell.
   */
  private scanCell(
    cell: number,
    accept: number,
    ref: number,
    out: Uint32Array,
    at: number,
    below: number,
  ): number {
    const details = this.details!;
    const postings = this.postings!;
    const cellStart = this.cellStart!;
    const end = cellStart[cell + 1]!;
    const aLo = accept >>> 28;
    const aHi = ref & (SIDE_STEPS - 1);
    const pr = ref >>> 3;
    // The second side's accepted steps are contiguous (`sideStepMask`): its lowest and
    // highest bound each run of keys, and need no test of their own.
    const mb = accept & 0xff;
    const bLo = 31 - Math.clz32(mb & -mb);
    const bHi = 31 - Math.clz32(mb);
    const mc = (accept >>> 8) & 0xff;
    const m0 = (accept >>> 16) & 0xf;
    const m1 = (accept >>> 20) & 0xf;
    const m2 = (accept >>> 24) & 0xf;
    const mask = ROTATION_BINS - 1;
    const limit = below * ROTATION_BINS;
    // A cell's postings are in order of their key (`ORDER_KEY_MASK`: first side, then
    // second side), so each accepted first-side step is one run of keys: find its start by
    // bisection, stop past its end. Most of the cell is never read.
    let p = cellStart[cell]!;
    for (let a = aLo; a <= aHi && p < end; a++) {
      const first = (a << 3) | bLo;
      const last = (a << 3) | bHi;
      let hi = end;
      while (p < hi) {
        const mid = (p + hi) >>> 1;
        if ((details[mid]! & ORDER_KEY_MASK) < first) p = mid + 1;
        else hi = mid;
      }
      for (; p < end; p++) {
        const d = details[p]!;
        if ((d & ORDER_KEY_MASK) > last) break;
        // The other four fields in one test, through the masks: about one posting read in
        // six passes, and one branch mispredicts far less often than four.
        if (
          ((mc >>> ((d >>> 6) & 7)) &
            (m0 >>> ((d >>> 9) & 3)) &
            (m1 >>> ((d >>> 11) & 3)) &
            (m2 >>> ((d >>> 13) & 3)) &
            1) ===
          0
        ) {
          continue;
        }
        const code = postings[p]!;
        if (code >= limit) continue;
        out[at++] = (code & ~mask) | (((code & mask) - pr) & mask);
      }
    }
    return at;
  }

  /** Postings in the largest cell: room enough for any one `scanCell`. */
  private largestCell(): number {
    if (this.largest === undefined) {
      const cellStart = this.cellStart!;
      let largest = 0;
      for (let c = 0; c < KEY_CELLS; c++)
        largest = Math.max(largest, cellStart[c + 1]! - cellStart[c]!);
      this.largest = largest;
    }
    return this.largest;
  }

  /**
   * Casts the probe's votes for templates below `below`: fills `best` (each touched
   * template's best run of three rotation bins) and `touched` (the templates voted for,
   * in first-vote order) and returns how many were touched. `clearVotes` must follow
   * before the next call.
   */
  private collectVotes(
    probe: FingerprintTemplate,
    below = this.size,
    tolerance = this.tolerance,
  ): number {
    if (!this.sealed) this.seal();
    const n = this.size;
    if (n === 0 || below <= 0 || probe.x.length < 3) return 0;
    const scratch = voteScratch(n);
    const passed = new Uint32Array(this.largestCell());
    let touchedCount = 0;
    this.forEachProbeVisit(
      probe,
      (cell, accept, ref) => {
        const count = this.scanCell(cell, accept, ref, passed, 0, below);
        touchedCount = castVotes(passed, 0, count, scratch, touchedCount);
      },
      tolerance,
    );
    return touchedCount;
  }

  /**
   * The votes of many probes at once, each probe's the same as `votesOf` gives it alone
   * (`options.below[i]`, when given, bounds probe i's templates as `below` does there): for
   * de-duplicating a roll, where a batch of records is searched together. One probe alone
   * reaches some 15,000 cells spread over the whole index, and much of its time goes to
   * fetching them from memory. A batch sorts the cells all its probes reach and reads the
   * index in that order, cell after cell, then counts each probe's votes from what passed.
   */
  votesOfMany(
    probes: readonly FingerprintTemplate[],
    options: { readonly below?: ArrayLike<number>; readonly toleranceScale?: number } = {},
  ): TemplateVotes[] {
    return this.votesFromVisits(this.visitsOf(probes, options.toleranceScale), options.below);
  }

  /**
   * The cells a batch of probes reaches, sorted (the first half of `votesOfMany`). They
   * depend only on the probes and the search's settings, not on what the shard holds: one
   * list serves every shard of the same triangle neighbours (`votesFromVisits`).
   */
  visitsOf(probes: readonly FingerprintTemplate[], toleranceScale?: number): ProbeVisits {
    if (probes.length > MAX_BATCH_PROBES) {
      throw new RangeError(`a batch takes at most ${MAX_BATCH_PROBES} probes at once`);
    }
    const { scale, tolerance } = this.searchSettings(toleranceScale);
    // Every probe's visits: cell, accepted steps, and reference with the probe's number.
    const found = new Growable(u32(1 << 16), u32);
    const accepted = new Growable(u32(1 << 16), u32);
    const referred = new Growable(u32(1 << 16), u32);
    probes.forEach((probe, b) => {
      if (probe.x.length < 3) return;
      this.forEachProbeVisit(
        probe,
        (cell, accept, ref) => {
          found.push(cell);
          accepted.push(accept);
          referred.push(ref | (b << 8));
        },
        tolerance,
      );
    });
    const count = found.length;
    const [cells, accepts, refs] = sortVisits(found.data, accepted.data, referred.data, count);
    return {
      probes: probes.length,
      count,
      cells,
      accepts,
      refs,
      neighbours: this.neighbours,
      toleranceScale: scale,
    };
  }

  /**
   * The second half of `votesOfMany`: sweeps the shard along the sorted visits and counts
   * each probe's votes, for templates below `below[i]` (default all) for probe i.
   */
  votesFromVisits(visits: ProbeVisits, below?: ArrayLike<number>): TemplateVotes[] {
    if (visits.neighbours !== this.neighbours) {
      throw new RangeError('these visits were made for triangles of other neighbours');
    }
    if (!this.sealed) this.seal();
    const n = this.size;
    const none = (): TemplateVotes => ({ local: new Int32Array(0), votes: new Uint8Array(0) });
    if (n === 0) return Array.from({ length: visits.probes }, none);
    const { cells, accepts, refs, count } = visits;
    const limits = new Uint32Array(visits.probes);
    for (let b = 0; b < visits.probes; b++) limits[b] = Math.max(0, Math.min(n, below?.[b] ?? n));
    // The sweep: what passed, visit after visit (`ends[v]`: where visit v's passes end).
    const passed = new Growable(u32(Math.max(1 << 16, count * 4)), u32);
    const ends = new Uint32Array(count);
    const room = this.largestCell();
    for (let v = 0; nativeSweep !== undefined && v < count;) {
      passed.reserve(room);
      v = nativeSweep.sweep(
        this.cellStart!,
        this.details!,
        this.postings!,
        cells,
        accepts,
        refs,
        limits,
        v,
        count,
        passed.data,
        passed.length,
        ends,
      );
      passed.length = v > 0 ? ends[v - 1]! : 0;
    }
    for (let v = 0; nativeSweep === undefined && v < count; v++) {
      passed.reserve(room);
      const ref = refs[v]!;
      passed.length = this.scanCell(
        cells[v]!,
        accepts[v]!,
        ref & 0xff,
        passed.data,
        passed.length,
        limits[ref >>> 8]!,
      );
      ends[v] = passed.length;
    }
    // Per probe (a counting sort of the visits' passes by probe), the same votes as alone.
    const starts = new Uint32Array(visits.probes + 1);
    for (let v = 0, from = 0; v < count; v++) {
      starts[(refs[v]! >>> 8) + 1]! += ends[v]! - from;
      from = ends[v]!;
    }
    for (let b = 0; b < visits.probes; b++) starts[b + 1]! += starts[b]!;
    const byProbe = new Uint32Array(passed.length);
    const fill = starts.slice(0, visits.probes);
    const data = passed.data;
    for (let v = 0, from = 0; v < count; v++) {
      const b = refs[v]! >>> 8;
      let to = fill[b]!;
      const end = ends[v]!;
      for (let q = from; q < end; q++) byProbe[to++] = data[q]!;
      fill[b] = to;
      from = end;
    }
    const scratch = voteScratch(n);
    const { votes, best, touched } = scratch;
    return Array.from({ length: visits.probes }, (_, b) => {
      const from = starts[b]!;
      const to = starts[b + 1]!;
      const touchedCount =
        nativeSweep === undefined
          ? castVotes(byProbe, from, to, scratch, 0)
          : nativeSweep.cast(byProbe, from, to, votes, best, touched, 0);
      const out = copyVotes(scratch, touchedCount);
      // Only the bins these codes raised are cleared: far fewer than a template's 32 bins
      // times the templates touched.
      if (nativeSweep === undefined) uncastVotes(byProbe, from, to, scratch);
      else nativeSweep.uncast(byProbe, from, to, votes, best);
      return out;
    });
  }

  /**
   * The index's votes for `probe`: every template that got any (local index: see
   * `template`, `entry`), in first-vote order, with its count. Only templates of local
   * index below `options.below` (default all) are voted for: a roll de-duplicated against
   * itself searches each record among those enrolled before it. `options.toleranceScale`
   * overrides the shard's own for this search. For callers that pool votes over several
   * shards, such as the person-level index (person.ts).
   */
  votesOf(
    probe: FingerprintTemplate,
    options: { readonly below?: number; readonly toleranceScale?: number } = {},
  ): TemplateVotes {
    const below = Math.max(0, Math.min(this.size, options.below ?? this.size));
    const { tolerance } = this.searchSettings(options.toleranceScale);
    const touchedCount = this.collectVotes(probe, below, tolerance);
    const out = copyVotes(voteScratch(this.size), touchedCount);
    this.clearVotes(touchedCount);
    return out;
  }

  /** A search's tolerance scale (checked, in thousandths) and tolerance: its own, or the shard's. */
  private searchSettings(scale: number | undefined): {
    scale: number;
    tolerance: TriangleTolerance;
  } {
    const checked = scale === undefined ? this.toleranceScale : checkedToleranceScale(scale);
    return checked === this.toleranceScale
      ? { scale: checked, tolerance: this.tolerance }
      : { scale: checked, tolerance: triangleTolerance(checked) };
  }

  /** Resets the vote scratch: only what was touched, unless that is most of it. */
  private clearVotes(touchedCount: number): void {
    const { votes, best, touched } = voteScratch(this.size);
    if (touchedCount > this.size / 8) {
      votes.fill(0, 0, this.size * ROTATION_BINS);
      best.fill(0, 0, this.size);
    } else {
      for (let q = 0; q < touchedCount; q++) {
        const id = touched[q]!;
        votes.fill(0, id * ROTATION_BINS, (id + 1) * ROTATION_BINS);
        best[id] = 0;
      }
    }
  }

  /**
   * Candidates for `probe`, best full-matcher score first. The probe may be given
   * prepared, so one preparation serves several shards.
   */
  search(
    probe: FingerprintTemplate,
    options: SearchOptions = {},
    prepared?: PreparedTemplate,
  ): Candidate[] {
    const touchedCount = this.collectVotes(probe);
    if (touchedCount === 0) return [];
    const { best, touched } = voteScratch(this.size);
    const chosen = selectTopVoted(
      touched,
      touchedCount,
      (id) => best[id]!,
      (id) => this.entries.data[id] === options.exclude,
      options.candidates ?? DEFAULT_CANDIDATES,
      options.minVotes ?? 2,
    );
    const chosenVotes = chosen.map((id) => best[id]!);
    this.clearVotes(touchedCount);

    const p = prepared ?? prepareTemplate(probe);
    const threshold = options.threshold ?? 0;
    const out: Candidate[] = [];
    for (let c = 0; c < chosen.length; c++) {
      const id = chosen[c]!;
      const score = matchPrepared(p, prepareTemplate(this.template(id)));
      if (score >= threshold)
        out.push({ entry: this.entries.data[id]!, score, votes: chosenVotes[c]! });
    }
    return mergeCandidates([out], options.limit ?? 10);
  }

  /** The shard as bytes: gallery, then the index (non-empty cells only). */
  toBytes(): Uint8Array {
    if (!this.sealed) this.seal();
    const n = this.size;
    const m = this.mx.length;
    const cellStart = this.cellStart!;
    const postings = this.postings!;
    let nonEmpty = 0;
    for (let c = 0; c < KEY_CELLS; c++) if (cellStart[c + 1]! > cellStart[c]!) nonEmpty++;
    const cells = new Uint32Array(nonEmpty);
    const counts = new Uint32Array(nonEmpty);
    for (let c = 0, q = 0; c < KEY_CELLS; c++) {
      const k = cellStart[c + 1]! - cellStart[c]!;
      if (k > 0) {
        cells[q] = c;
        counts[q++] = k;
      }
    }
    const parts: Uint8Array[] = [];
    const header = new Uint32Array(HEADER_WORDS);
    header.set([MAGIC, FORMAT_VERSION, ...PARAMETERS, n, m, postings.length, nonEmpty]);
    header[NEIGHBOURS_SLOT] = this.neighbours;
    header[TOLERANCE_SLOT] = Math.round(this.toleranceScale * 1000);
    parts.push(bytesOf(header));
    parts.push(bytesOf(this.entries.trimmed()));
    parts.push(bytesOf(this.minutiaStart.trimmed()));
    parts.push(bytesOf(this.widths.trimmed()));
    parts.push(bytesOf(this.heights.trimmed()));
    parts.push(bytesOf(this.mx.trimmed()));
    parts.push(bytesOf(this.my.trimmed()));
    parts.push(this.qualities.trimmed());
    parts.push(this.mdir.trimmed());
    parts.push(this.mkind.trimmed());
    parts.push(this.mrel.trimmed());
    parts.push(bytesOf(cells));
    parts.push(bytesOf(counts));
    parts.push(bytesOf(postings));
    parts.push(bytesOf(this.details!));
    return joinAligned(parts);
  }

  /** Reads a shard written by `toBytes`, checking every length and reference. */
  static fromBytes(bytes: Uint8Array): Result<IndexShard, InvalidInputError> {
    const bad = (what: string) =>
      err(
        new InvalidInputError(`The fingerprint index data is not usable: ${what}.`, {
          hint: 'Rebuild the index from the enrolled templates.',
        }),
      );
    const reader = new Reader(bytes);
    const header = reader.u32(HEADER_WORDS);
    if (header?.[0] !== MAGIC) return bad('it does not start like an index shard');
    if (header[1] !== FORMAT_VERSION)
      return bad(`format version ${header[1]} is not ${FORMAT_VERSION}`);
    const neighbours = header[NEIGHBOURS_SLOT]!;
    if (neighbours < MIN_TRIANGLE_NEIGHBOURS || neighbours > MAX_TRIANGLE_NEIGHBOURS) {
      return bad(`it joins minutiae with ${neighbours} neighbours`);
    }
    const toleranceScale = header[TOLERANCE_SLOT]! / 1000;
    if (!(toleranceScale >= MIN_TOLERANCE_SCALE && toleranceScale <= MAX_TOLERANCE_SCALE)) {
      return bad(`it scales its tolerances by ${toleranceScale}`);
    }
    for (let k = 1; k < PARAMETERS.length - 1; k++) {
      if (header[2 + k] !== PARAMETERS[k]) return bad('it was built with other index parameters');
    }
    const [n, m, p, nonEmpty] = header.subarray(2 + PARAMETERS.length) as unknown as [
      number,
      number,
      number,
      number,
    ];
    if (n > MAX_SHARD_TEMPLATES) return bad('it claims too many templates');
    const entries = reader.u32(n);
    const minutiaStart = reader.u32(n + 1);
    const widths = reader.u16(n);
    const heights = reader.u16(n);
    const mx = reader.u16(m);
    const my = reader.u16(m);
    const qualities = reader.u8(n);
    const mdir = reader.u8(m);
    const mkind = reader.u8(m);
    const mrel = reader.u8(m);
    const cells = reader.u32(nonEmpty);
    const counts = reader.u32(nonEmpty);
    const postings = reader.u32(p);
    const details = reader.u16(p);
    if (
      entries === undefined ||
      minutiaStart === undefined ||
      widths === undefined ||
      heights === undefined ||
      mx === undefined ||
      my === undefined ||
      qualities === undefined ||
      mdir === undefined ||
      mkind === undefined ||
      mrel === undefined ||
      cells === undefined ||
      counts === undefined ||
      postings === undefined ||
      details === undefined
    ) {
      return bad('it is shorter than its header says');
    }
    if (minutiaStart[0] !== 0 || minutiaStart[n] !== m)
      return bad('its minutiae table is inconsistent');
    for (let t = 0; t < n; t++) {
      const k = minutiaStart[t + 1]! - minutiaStart[t]!;
      if (minutiaStart[t + 1]! < minutiaStart[t]! || k > MAX_TEMPLATE_MINUTIAE)
        return bad('its minutiae table is inconsistent');
    }
    const cellStart = new Uint32Array(KEY_CELLS + 1);
    let sum = 0;
    let previous = -1;
    for (let q = 0; q < nonEmpty; q++) {
      const c = cells[q]!;
      if (c <= previous || c >= KEY_CELLS) return bad('its cell list is out of order');
      previous = c;
      cellStart[c + 1] = counts[q]!;
      sum += counts[q]!;
    }
    if (sum !== p) return bad('its cell counts do not add up to its postings');
    for (let c = 1; c <= KEY_CELLS; c++) cellStart[c]! += cellStart[c - 1]!;
    for (let q = 0; q < p; q++)
      if (postings[q]! >>> 5 >= n) return bad('a posting names a template it does not hold');
    for (let c = 0; c < KEY_CELLS; c++) {
      for (let q = cellStart[c]! + 1; q < cellStart[c + 1]!; q++) {
        if ((details[q]! & ORDER_KEY_MASK) < (details[q - 1]! & ORDER_KEY_MASK))
          return bad('its postings are out of order');
      }
    }
    return ok(
      IndexShard.of({
        neighbours,
        toleranceScale,
        entries,
        minutiaStart,
        widths,
        heights,
        qualities,
        mx,
        my,
        mdir,
        mkind,
        mrel,
        cellStart,
        postings,
        details,
      }),
    );
  }

  /** A sealed shard from its arrays, taken as they are (no copy, no check). */
  private static of(a: SharedIndexShard): IndexShard {
    const shard = new IndexShard({ neighbours: a.neighbours, toleranceScale: a.toleranceScale });
    const fillFrom = <T extends Uint8Array | Uint16Array | Uint32Array>(
      g: Growable<T>,
      data: T,
    ) => {
      g.data = data;
      g.length = data.length;
    };
    fillFrom(shard.entries, a.entries);
    fillFrom(shard.minutiaStart, a.minutiaStart);
    fillFrom(shard.widths, a.widths);
    fillFrom(shard.heights, a.heights);
    fillFrom(shard.qualities, a.qualities);
    fillFrom(shard.mx, a.mx);
    fillFrom(shard.my, a.my);
    fillFrom(shard.mdir, a.mdir);
    fillFrom(shard.mkind, a.mkind);
    fillFrom(shard.mrel, a.mrel);
    shard.cellStart = a.cellStart;
    shard.postings = a.postings;
    shard.details = a.details;
    return shard;
  }

  /**
   * The sealed shard's arrays in shared memory, for other worker threads to search
   * (`fromShared`) without a copy each. Arrays not yet shared are moved there once (the
   * shard then reads the shared ones), so the memory is not held twice.
   */
  share(): SharedIndexShard {
    if (!this.sealed) this.seal();
    for (const g of this.galleryArrays()) g.data = inSharedMemory(g.trimmed());
    this.cellStart = inSharedMemory(this.cellStart!);
    this.postings = inSharedMemory(this.postings!);
    this.details = inSharedMemory(this.details!);
    return {
      neighbours: this.neighbours,
      toleranceScale: this.toleranceScale,
      entries: this.entries.data,
      minutiaStart: this.minutiaStart.data,
      widths: this.widths.data,
      heights: this.heights.data,
      qualities: this.qualities.data,
      mx: this.mx.data,
      my: this.my.data,
      mdir: this.mdir.data,
      mkind: this.mkind.data,
      mrel: this.mrel.data,
      cellStart: this.cellStart,
      postings: this.postings,
      details: this.details,
    };
  }

  /**
   * A shard another thread shared (`share`), searched in this one. It reads the same
   * memory; nothing writes to a sealed shard's arrays, so no search sees another's work.
   */
  static fromShared(shared: SharedIndexShard): IndexShard {
    return IndexShard.of(shared);
  }
}

/** A sealed shard's arrays (`IndexShard.share`), as a worker message carries them. */
export interface SharedIndexShard {
  readonly neighbours: number;
  readonly toleranceScale: number;
  readonly entries: Uint32Array;
  readonly minutiaStart: Uint32Array;
  readonly widths: Uint16Array;
  readonly heights: Uint16Array;
  readonly qualities: Uint8Array;
  readonly mx: Uint16Array;
  readonly my: Uint16Array;
  readonly mdir: Uint8Array;
  readonly mkind: Uint8Array;
  readonly mrel: Uint8Array;
  readonly cellStart: Uint32Array;
  readonly postings: Uint32Array;
  readonly details: Uint16Array;
}

/** The array itself if it lives in shared memory, else a copy of it there. */
export function inSharedMemory<T extends Uint8Array | Uint16Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Kind = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Kind(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * The vote counts of a search: templates x rotation bins, each template's best run, and
 * the templates touched. One set per thread, as large as its largest shard, lent to one
 * search at a time (a search clears what it touched before it returns): the shards of a
 * thread never search at once, and a person's four finger positions, each its own shard,
 * would otherwise hold four sets, some 110 MB per thread at a million persons.
 */
interface VoteScratch {
  readonly votes: Uint8Array;
  readonly best: Uint8Array;
  readonly touched: Int32Array;
}

let threadScratch: VoteScratch | undefined;

function voteScratch(templates: number): VoteScratch {
  if (threadScratch === undefined || threadScratch.best.length < templates) {
    threadScratch = {
      votes: new Uint8Array(templates * ROTATION_BINS),
      best: new Uint8Array(templates),
      touched: new Int32Array(templates),
    };
  }
  return threadScratch;
}

/** The most probes `votesOfMany` takes at once (the owner of a passed posting is 16 bits). */
export const MAX_BATCH_PROBES = 65535;

/**
 * The cells a batch of probes reaches, sorted by cell (`IndexShard.visitsOf`): visit v is
 * `cells[v]` with the accepted steps `accepts[v]` and the reference `refs[v]` (bits 0-7 as
 * `scanCell` takes it, the probe's number above).
 */
export interface ProbeVisits {
  readonly probes: number;
  readonly count: number;
  readonly cells: Uint32Array;
  readonly accepts: Uint32Array;
  readonly refs: Uint32Array;
  /** Triangle neighbours the probes were cut with: only shards of the same can use them. */
  readonly neighbours: number;
  /** The tolerance scale they were made at. */
  readonly toleranceScale: number;
}

/** One probe's votes from `votesOfMany`: the templates voted for and their counts. */
export interface TemplateVotes {
  readonly local: Int32Array;
  readonly votes: Uint8Array;
}

/**
 * The accepted detail steps of a visited cell in one word: the second and third sides'
 * step masks (bits 0-7, 8-15), the three directions' (16-19, 20-23, 24-27) and the first
 * side's lowest accepted step (28-30). 0 when a mask is empty (nothing can pass).
 */
function acceptMask(
  mb: number,
  mc: number,
  m0: number,
  m1: number,
  m2: number,
  aLo: number,
): number {
  if (mb === 0 || mc === 0 || m0 === 0 || m1 === 0 || m2 === 0) return 0;
  return (mb | (mc << 8) | (m0 << 16) | (m1 << 20) | (m2 << 24) | (aLo << 28)) >>> 0;
}

/**
 * Counts the votes in `codes[from..to)` (template << 5 | rotation bin) into the scratch
 * and returns the new number of touched templates. A template's count is its best run of
 * three adjacent rotation bins centred on a bin that has votes of its own (a run centred
 * on an empty bin is two scattered bins, what chance pairs give, not one rotation). A
 * vote in bin r can raise the runs centred on r - 1, r and r + 1, so every one of them
 * with votes is looked at: the count does not depend on the order in which votes arrive
 * (a batch brings them in cell order, a lone probe in triangle order).
 */
function castVotes(
  codes: Uint32Array,
  from: number,
  to: number,
  scratch: VoteScratch,
  touchedCount: number,
): number {
  const { votes, best, touched } = scratch;
  const mask = ROTATION_BINS - 1;
  for (let q = from; q < to; q++) {
    const code = codes[q]!;
    const id = code >>> 5;
    const r = code & mask;
    const base = id * ROTATION_BINS;
    const v = votes[base + r]!;
    if (v === 255) continue;
    votes[base + r] = v + 1;
    const left = votes[base + ((r - 1) & mask)]!;
    const right = votes[base + ((r + 1) & mask)]!;
    const centred = left + v + 1 + right;
    let w = centred;
    if (left > 0) w = Math.max(w, centred - right + votes[base + ((r - 2) & mask)]!);
    if (right > 0) w = Math.max(w, centred - left + votes[base + ((r + 2) & mask)]!);
    const b = best[id]!;
    if (w > b) {
      if (b === 0) touched[touchedCount++] = id;
      best[id] = w > 255 ? 255 : w;
    }
  }
  return touchedCount;
}

/**
 * A tolerance scale from 0.5 to 1.5, in thousandths as a shard's header keeps it, so that
 * a loaded shard searches exactly alike.
 */
function checkedToleranceScale(scale: number): number {
  if (!(scale >= MIN_TOLERANCE_SCALE && scale <= MAX_TOLERANCE_SCALE)) {
    throw new InvalidInputError(`An index search cannot scale its tolerances by ${scale}.`, {
      hint: `Give a scale from ${MIN_TOLERANCE_SCALE} to ${MAX_TOLERANCE_SCALE}.`,
    });
  }
  return Math.round(scale * 1000) / 1000;
}

/** The touched templates and their counts, copied out of the scratch. */
function copyVotes(scratch: VoteScratch, touchedCount: number): TemplateVotes {
  const { best, touched } = scratch;
  const local = touched.slice(0, touchedCount);
  const votes = new Uint8Array(touchedCount);
  for (let q = 0; q < touchedCount; q++) votes[q] = best[local[q]!]!;
  return { local, votes };
}

/** Clears what `castVotes` counted from `codes[from..to)`: each code's bin and best run. */
function uncastVotes(codes: Uint32Array, from: number, to: number, scratch: VoteScratch): void {
  const { votes, best } = scratch;
  for (let q = from; q < to; q++) {
    const code = codes[q]!;
    votes[(code >>> 5) * ROTATION_BINS + (code & (ROTATION_BINS - 1))] = 0;
    best[code >>> 5] = 0;
  }
}

/**
 * Visits sorted by cell number, their accepted steps and references moved along with
 * them (a stable LSD radix sort, 12 bits a pass, over the 23-bit cell numbers): the sweep
 * then reads all three in order, never scattered.
 */
function sortVisits(
  cells: Uint32Array,
  accepts: Uint32Array,
  refs: Uint32Array,
  count: number,
): [Uint32Array, Uint32Array, Uint32Array] {
  let [c0, a0, r0]: [Uint32Array, Uint32Array, Uint32Array] = [cells, accepts, refs];
  let [c1, a1, r1]: [Uint32Array, Uint32Array, Uint32Array] = [u32(count), u32(count), u32(count)];
  const counts = new Uint32Array(4097);
  for (let shift = 0; shift < 24; shift += 12) {
    counts.fill(0);
    for (let q = 0; q < count; q++) counts[((c0[q]! >>> shift) & 4095) + 1]!++;
    for (let d = 0; d < 4096; d++) counts[d + 1]! += counts[d]!;
    for (let q = 0; q < count; q++) {
      const to = counts[(c0[q]! >>> shift) & 4095]!++;
      c1[to] = c0[q]!;
      a1[to] = a0[q]!;
      r1[to] = r0[q]!;
    }
    [c0, c1] = [c1, c0];
    [a0, a1] = [a1, a0];
    [r0, r1] = [r1, r0];
  }
  return [c0, a0, r0];
}

const ORDER_KEYS = ORDER_KEY_MASK + 1;

/**
 * Orders each cell's postings (and their details) by their key (`ORDER_KEY_MASK`: first
 * side's step, then second side's), a counting sort per cell, so a search reads only the
 * runs of keys it accepts. Stable, so within a key postings stay in template order.
 */
function sortCellsByKey(cellStart: Uint32Array, postings: Uint32Array, details: Uint16Array): void {
  let largest = 0;
  for (let c = 0; c < KEY_CELLS; c++)
    largest = Math.max(largest, cellStart[c + 1]! - cellStart[c]!);
  const p2 = new Uint32Array(largest);
  const d2 = new Uint16Array(largest);
  const count = new Uint32Array(ORDER_KEYS + 1);
  for (let c = 0; c < KEY_CELLS; c++) {
    const from = cellStart[c]!;
    const k = cellStart[c + 1]! - from;
    if (k < 2) continue;
    count.fill(0);
    for (let q = 0; q < k; q++) count[(details[from + q]! & ORDER_KEY_MASK) + 1]!++;
    for (let s = 1; s <= ORDER_KEYS; s++) count[s]! += count[s - 1]!;
    for (let q = 0; q < k; q++) {
      const at = count[details[from + q]! & ORDER_KEY_MASK]!++;
      p2[at] = postings[from + q]!;
      d2[at] = details[from + q]!;
    }
    postings.set(p2.subarray(0, k), from);
    details.set(d2.subarray(0, k), from);
  }
}

/**
 * The `wanted` templates (or persons) with most votes, leaving out `excluded` ones and
 * those under `minVotes`: a histogram of the small integer vote counts gives the cut
 * without sorting every touched one. Everything above the cut is taken, then ties at
 * the cut in `ids` order, up to `wanted`.
 */
export function selectTopVoted(
  ids: Int32Array,
  count: number,
  votesOf: (id: number) => number,
  excluded: (id: number) => boolean,
  wanted: number,
  minVotes: number,
): number[] {
  const top = 1023;
  const histogram = new Uint32Array(top + 1);
  for (let q = 0; q < count; q++) {
    const id = ids[q]!;
    if (!excluded(id)) histogram[Math.min(top, votesOf(id))]!++;
  }
  let cut = top;
  let taken = histogram[top]!;
  while (cut > minVotes && taken + histogram[cut - 1]! <= wanted) {
    cut--;
    taken += histogram[cut]!;
  }
  const chosen: number[] = [];
  let room = wanted;
  for (let q = 0; q < count && room > 0; q++) {
    const id = ids[q]!;
    if (Math.min(top, votesOf(id)) > cut && !excluded(id)) {
      chosen.push(id);
      room--;
    }
  }
  if (cut >= minVotes) {
    for (let q = 0; q < count && room > 0; q++) {
      const id = ids[q]!;
      if (Math.min(top, votesOf(id)) === cut && !excluded(id)) {
        chosen.push(id);
        room--;
      }
    }
  }
  return chosen;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export function bytesOf(a: Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The parts one after another, each padded to a multiple of 4 bytes (what `Reader` reads). */
export function joinAligned(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += align4(part.length);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += align4(part.length);
  }
  return out;
}

/** Reads aligned little-endian arrays from bytes, copying when the bytes are unaligned. */
export class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  /** Bytes not read yet. */
  get remaining(): number {
    return Math.max(0, this.bytes.length - this.at);
  }
  /** The next `length` bytes, as a view (no copy). */
  take(length: number): Uint8Array | undefined {
    if (this.at + length > this.bytes.length) return undefined;
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += align4(length);
    return out;
  }
  u8(n: number): Uint8Array | undefined {
    const b = this.take(n);
    return b === undefined ? undefined : b.slice();
  }
  u16(n: number): Uint16Array | undefined {
    const b = this.take(n * 2);
    return b === undefined ? undefined : new Uint16Array(b.slice().buffer);
  }
  u32(n: number): Uint32Array | undefined {
    const b = this.take(n * 4);
    return b === undefined ? undefined : new Uint32Array(b.slice().buffer);
  }
}

/**
 * Merges candidate lists from several shards into one, best score first (ties: more
 * votes, then the lower entry number, so the order never depends on which shard
 * answered first).
 */
export function mergeCandidates(
  lists: readonly (readonly Candidate[])[],
  limit: number,
): Candidate[] {
  const all = lists.flat();
  all.sort((a, b) => b.score - a.score || b.votes - a.votes || a.entry - b.entry);
  return all.slice(0, limit);
}
