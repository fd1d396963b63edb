import type { ExtractionFields } from './extract.ts';

/**
 * A coarse ridge-orientation field carried in the template, so the matcher can check that
 * the ridge flow agrees over the whole area two captures share, not only at the few
 * minutiae they pair. Minutiae and orientation field are complementary evidence: a small
 * or dry print may pair only 3 to 8 minutiae, while the flow over its overlap is still
 * measurable (Gu, Zhou and Yang 2006, "Fingerprint recognition by combining global
 * structure and local cues", IEEE TIP 15(7); Tico and Kuosmanen 2003).
 *
 * Cells are squares of `cellSize` pixels (500 dpi) over the bounding box of the print;
 * each holds 0 (no fingerprint) or a level k in 1..15, the ridge orientation (k - 1) x 12
 * degrees in image coordinates (y down), 0 to 180 degrees. 12 degrees is finer than the
 * orientation error of a block estimate on real prints (about 10 degrees), and a level
 * fits in 4 bits, so a 388x374 print costs under 300 bytes of template.
 */
export interface OrientationField {
  /** Cell side, pixels at 500 dpi (a multiple of the 16 px base cell). */
  readonly cellSize: number;
  /** Top-left corner of the first cell, pixels at 500 dpi. */
  readonly left: number;
  readonly top: number;
  readonly columns: number;
  readonly rows: number;
  /** Row-major levels, 0 outside the print, else 1..FIELD_LEVELS. */
  readonly cells: Uint8Array;
}

/** Orientation levels over 180 degrees (a 4-bit code with 0 kept for "no print"). */
export const FIELD_LEVELS = 15;
/** Radians per level. */
export const FIELD_STEP = Math.PI / FIELD_LEVELS;
/** Base cell: 16 px, about two ridge periods, the scale of a smoothed orientation. */
const BASE_CELL = 16;
/**
 * Most cells stored: 840 cells are 420 bytes, which with 90 minutiae (540 bytes) and the
 * headers keeps the ISO record under 1 KB. A larger print gets larger cells.
 */
export const MAX_FIELD_CELLS = 840;
/** ISO/IEC 19794-2:2005 §7.5 extended data type for this block: vendor-defined range
 * (0x0100..0xFFFF); "VF", with a format byte inside to reject foreign blocks. */
export const FIELD_BLOCK_TYPE = 0x5646;
const FIELD_FORMAT = 1;
const FIELD_HEADER = 9;

/**
 * The coarse field of an extraction: the block orientations (8 px) averaged as
 * doubled-angle vectors, weighted by coherence, over each cell; a cell is print when at
 * least half of its blocks are.
 */
export function coarseOrientationField(f: ExtractionFields): OrientationField | undefined {
  const { blocksX: bx, blocksY: by, mask } = f;
  // The extractor's blocks are 8 px (extract.ts BLOCK; not imported, to keep the import
  // one-way).
  const blockSize = 8;
  let i0 = bx;
  let i1 = -1;
  let j0 = by;
  let j1 = -1;
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      if (mask[j * bx + i] === 0) continue;
      if (i < i0) i0 = i;
      if (i > i1) i1 = i;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
    }
  }
  if (i1 < 0) return undefined;
  const perBase = BASE_CELL / blockSize;
  let blocksPerCell = perBase;
  const dims = (b: number) => ({
    columns: Math.ceil((i1 - i0 + 1) / b),
    rows: Math.ceil((j1 - j0 + 1) / b),
  });
  const fits = (d: { columns: number; rows: number }) =>
    d.columns * d.rows <= MAX_FIELD_CELLS && d.columns <= 255 && d.rows <= 255;
  while (!fits(dims(blocksPerCell))) {
    blocksPerCell += perBase;
  }
  const { columns, rows } = dims(blocksPerCell);
  const cells = new Uint8Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let sx = 0;
      let sy = 0;
      let print = 0;
      let all = 0;
      for (let j = j0 + r * blocksPerCell; j < j0 + (r + 1) * blocksPerCell; j++) {
        for (let i = i0 + c * blocksPerCell; i < i0 + (c + 1) * blocksPerCell; i++) {
          all++;
          if (j > j1 || i > i1 || mask[j * bx + i] === 0) continue;
          print++;
          const q = j * bx + i;
          const w = f.coherence[q]!;
          sx += w * Math.cos(2 * f.orientation[q]!);
          sy += w * Math.sin(2 * f.orientation[q]!);
        }
      }
      if (2 * print < all || (sx === 0 && sy === 0)) continue;
      let t = 0.5 * Math.atan2(sy, sx);
      if (t < 0) t += Math.PI;
      cells[r * columns + c] = (Math.round(t / FIELD_STEP) % FIELD_LEVELS) + 1;
    }
  }
  return {
    cellSize: blocksPerCell * blockSize,
    left: i0 * blockSize,
    top: j0 * blockSize,
    columns,
    rows,
    cells,
  };
}

/** Bytes of the extended data block's data (after its type and length). */
export function fieldBlockLength(f: OrientationField): number {
  return FIELD_HEADER + Math.ceil(f.cells.length / 2);
}

/**
 * The data of the extended data block: format (1), cell size (1), left (2), top (2),
 * columns (1), rows (1), reserved (1), then the cells two to a byte, high nibble first.
 */
export function encodeOrientationField(f: OrientationField): Uint8Array {
  const out = new Uint8Array(fieldBlockLength(f));
  const v = new DataView(out.buffer);
  out[0] = FIELD_FORMAT;
  out[1] = f.cellSize;
  v.setUint16(2, f.left);
  v.setUint16(4, f.top);
  out[6] = f.columns;
  out[7] = f.rows;
  out[8] = 0;
  for (let k = 0; k < f.cells.length; k++) {
    const b = FIELD_HEADER + (k >> 1);
    out[b] = out[b]! | ((f.cells[k]! & 15) << ((k & 1) === 0 ? 4 : 0));
  }
  return out;
}

/**
 * Reads the block written by `encodeOrientationField`; anything malformed (a foreign
 * vendor's block with the same type, a truncated one) gives undefined, never an error:
 * the field is optional evidence and the minutiae stand without it.
 */
export function decodeOrientationField(data: Uint8Array): OrientationField | undefined {
  if (data.length < FIELD_HEADER || data[0] !== FIELD_FORMAT) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const cellSize = data[1]!;
  const columns = data[6]!;
  const rows = data[7]!;
  const count = columns * rows;
  if (cellSize < BASE_CELL || columns === 0 || rows === 0 || count > MAX_FIELD_CELLS) {
    return undefined;
  }
  if (data.length !== FIELD_HEADER + Math.ceil(count / 2)) return undefined;
  const cells = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const level = (data[FIELD_HEADER + (k >> 1)]! >> ((k & 1) === 0 ? 4 : 0)) & 15;
    if (level > FIELD_LEVELS) return undefined;
    cells[k] = level;
  }
  return { cellSize, left: v.getUint16(2), top: v.getUint16(4), columns, rows, cells };
}

const LEVEL_COS2 = Float64Array.from({ length: FIELD_LEVELS + 1 }, (_, k) =>
  Math.cos(2 * (k - 1) * FIELD_STEP),
);
const LEVEL_SIN2 = Float64Array.from({ length: FIELD_LEVELS + 1 }, (_, k) =>
  Math.sin(2 * (k - 1) * FIELD_STEP),
);
/** The probe's level vectors turned by the doubled rotation (one comparison at a time). */
const turnedCos = new Float64Array(FIELD_LEVELS + 1);
const turnedSin = new Float64Array(FIELD_LEVELS + 1);

/**
 * Agreement of two fields under the rigid transform that rotates by (cos, sin) about the
 * probe's point (px, py) and carries it onto the candidate's (cx, cy): the mean, over the
 * cells both prints cover, of cos(2 d) with d the difference of ridge orientations (1
 * when the flows agree, about 0 for unrelated flows, -1 when they cross). 0 when the
 * fields do not overlap. Walks the probe's grid, stepping the transformed position, so a
 * cell costs a few additions and two lookups.
 */
export function fieldAgreement(
  p: OrientationField,
  c: OrientationField,
  px: number,
  py: number,
  cx: number,
  cy: number,
  cos: number,
  sin: number,
): number {
  // Doubled angles turn by the doubled rotation.
  const cos2r = cos * cos - sin * sin;
  const sin2r = 2 * sin * cos;
  for (let k = 1; k <= FIELD_LEVELS; k++) {
    turnedCos[k] = LEVEL_COS2[k]! * cos2r - LEVEL_SIN2[k]! * sin2r;
    turnedSin[k] = LEVEL_SIN2[k]! * cos2r + LEVEL_COS2[k]! * sin2r;
  }
  const inv = 1 / c.cellSize;
  const pc = p.cells;
  const cc = c.cells;
  const cols = c.columns;
  const rows = c.rows;
  // Candidate grid coordinates (in cells) of the probe's first cell centre, and the steps
  // along a probe row and down a probe column.
  const stepX = p.cellSize * cos * inv;
  const stepY = p.cellSize * sin * inv;
  const dx0 = p.left + 0.5 * p.cellSize - px;
  const dy0 = p.top + 0.5 * p.cellSize - py;
  let rowU = (cx + dx0 * cos - dy0 * sin - c.left) * inv;
  let rowV = (cy + dx0 * sin + dy0 * cos - c.top) * inv;
  let sum = 0;
  let n = 0;
  let k = 0;
  for (let r = 0; r < p.rows; r++) {
    let u = rowU;
    let v = rowV;
    for (let q = 0; q < p.columns; q++, k++, u += stepX, v += stepY) {
      const lp = pc[k]!;
      if (lp === 0 || u < 0 || v < 0 || u >= cols || v >= rows) continue;
      const lc = cc[(v | 0) * cols + (u | 0)]!;
      if (lc === 0) continue;
      sum += turnedCos[lp]! * LEVEL_COS2[lc]! + turnedSin[lp]! * LEVEL_SIN2[lc]!;
      n++;
    }
    rowU -= stepY;
    rowV += stepX;
  }
  return n === 0 ? 0 : sum / n;
}
