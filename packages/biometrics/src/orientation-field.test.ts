import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from './extract.ts';
import { readIsoTemplate, writeIsoTemplate } from './iso.ts';
import { matchPrepared, prepareTemplate } from './match.ts';
import {
  coarseOrientationField,
  decodeOrientationField,
  encodeOrientationField,
  fieldAgreement,
  FIELD_LEVELS,
  FIELD_STEP,
  MAX_FIELD_CELLS,
  type OrientationField,
} from './orientation-field.ts';
import { randomTemplate, ridgeImage } from './testing.ts';
import type { FingerprintTemplate } from './template.ts';

/** A field whose ridge orientation turns smoothly with position (no rotational symmetry). */
function curvedField(columns: number, rows: number, cellSize = 16): OrientationField {
  const cells = new Uint8Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      if ((r === 0 || r === rows - 1) && (c === 0 || c === columns - 1)) continue; // corners
      const angle = (0.15 * c + 0.05 * r) % Math.PI;
      cells[r * columns + c] = (Math.round(angle / FIELD_STEP) % FIELD_LEVELS) + 1;
    }
  }
  return { cellSize, left: 24, top: 40, columns, rows, cells };
}

function withField(t: FingerprintTemplate, field: OrientationField): FingerprintTemplate {
  return { ...t, orientationField: field };
}

describe('coarse orientation field', () => {
  it('follows the ridges of a synthetic print', () => {
    for (const angle of [0, Math.PI / 3, (3 * Math.PI) / 4]) {
      const r = extractFeatures(ridgeImage({ angle, period: 9, minutia: { x: 128, y: 128 } }));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const field = coarseOrientationField(r.value.fields);
      expect(field).toBeDefined();
      if (field === undefined) continue;
      expect(field.cellSize).toBe(16);
      const levels = Array.from(field.cells).filter((l) => l !== 0);
      expect(levels.length).toBeGreaterThan(0.6 * field.cells.length);
      const expected = (Math.round(angle / FIELD_STEP) % FIELD_LEVELS) + 1;
      const within = levels.filter(
        (l) => Math.min(Math.abs(l - expected), FIELD_LEVELS - Math.abs(l - expected)) <= 1,
      );
      expect(within.length).toBeGreaterThan(0.9 * levels.length);
    }
  });

  it('agrees fully with itself under any rigid motion, and less with another flow', () => {
    const f = curvedField(20, 22);
    expect(fieldAgreement(f, f, 100, 100, 100, 100, 1, 0)).toBeCloseTo(1, 6);
    // The same field described after a rotation by 90 degrees: cells move and the
    // orientations turn by 90 degrees with them.
    const turned = new Uint8Array(f.cells.length);
    const columns = f.rows;
    const rows = f.columns;
    for (let r = 0; r < f.rows; r++) {
      for (let c = 0; c < f.columns; c++) {
        const level = f.cells[r * f.columns + c]!;
        if (level === 0) continue;
        // (x, y) -> (-y, x): column c' = rows - 1 - r, row r' = c.
        const shifted = ((level - 1 + FIELD_LEVELS / 2 + 0.5) | 0) % FIELD_LEVELS;
        turned[c * columns + (f.rows - 1 - r)] = shifted + 1;
      }
    }
    const g: OrientationField = { cellSize: 16, left: 0, top: 0, columns, rows, cells: turned };
    // Centre of f -> centre of g, rotated by +90 degrees.
    const fx = f.left + (f.columns * 16) / 2;
    const fy = f.top + (f.rows * 16) / 2;
    const gx = (columns * 16) / 2;
    const gy = (rows * 16) / 2;
    expect(fieldAgreement(f, g, fx, fy, gx, gy, 0, 1)).toBeGreaterThan(0.9);
    // Without the rotation they disagree.
    expect(fieldAgreement(f, g, fx, fy, gx, gy, 1, 0)).toBeLessThan(0.5);
    // Fields that do not overlap give no agreement.
    expect(fieldAgreement(f, g, fx, fy, gx + 5000, gy, 0, 1)).toBe(0);
  });

  it('keeps the template under 1 KB and survives the ISO round trip with the same score', () => {
    const large = curvedField(28, 30);
    expect(large.cells.length).toBe(MAX_FIELD_CELLS);
    const a = withField(randomTemplate(21, 90), large);
    const iso = writeIsoTemplate(a);
    expect(iso.length).toBeLessThanOrEqual(1024);
    const back = readIsoTemplate(iso);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.orientationField).toEqual(large);
    const b = withField(randomTemplate(21, 90), curvedField(24, 25));
    expect(matchPrepared(prepareTemplate(back.value), prepareTemplate(b))).toBe(
      matchPrepared(prepareTemplate(a), prepareTemplate(b)),
    );
    // A record at another resolution is not ours: its field is ignored, not misread.
    const v = new DataView(iso.buffer);
    v.setUint16(18, 394);
    const other = readIsoTemplate(iso);
    expect(other.ok && other.value.orientationField === undefined).toBe(true);
  });

  it('lowers the score of a pairing whose ridge flow disagrees', () => {
    const t = randomTemplate(31, 40);
    const f = curvedField(22, 22);
    const crossed: OrientationField = {
      ...f,
      cells: f.cells.map((l) => (l === 0 ? 0 : ((l - 1 + 7) % FIELD_LEVELS) + 1)),
    };
    const u = randomTemplate(32, 40);
    const score = (a: FingerprintTemplate, b: FingerprintTemplate) =>
      matchPrepared(prepareTemplate(a), prepareTemplate(b));
    const same = score(withField(t, f), withField(t, f));
    const against = score(withField(t, f), withField(t, crossed));
    expect(against).toBeLessThan(0.1 * same);
    // A template without a field is scored on minutiae alone, on a fixed scale: fully
    // agreeing fields change every score by the same factor.
    const ratioT = same / score(t, withField(t, f));
    const ratioU = score(withField(u, f), withField(u, f)) / score(u, u);
    expect(ratioT).toBeGreaterThan(1);
    expect(ratioU).toBeCloseTo(ratioT, 6);
  });

  it('rejects malformed or foreign blocks without throwing (fuzz)', () => {
    const data = encodeOrientationField(curvedField(10, 12));
    expect(decodeOrientationField(data)).toEqual(curvedField(10, 12));
    expect(decodeOrientationField(data.subarray(0, data.length - 1))).toBeUndefined();
    const foreign = Uint8Array.from(data);
    foreign[0] = 7;
    expect(decodeOrientationField(foreign)).toBeUndefined();
    const iso = writeIsoTemplate(withField(randomTemplate(9, 20), curvedField(12, 14)));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(iso.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const bytes = Uint8Array.from(iso);
          // Mutate the extended data (after 24 + 4 + 20 x 6 bytes) most of the time.
          for (const [at, value] of edits) bytes[Math.max(at, 148)] = value;
          const r = readIsoTemplate(bytes);
          if (!r.ok) return;
          const p = prepareTemplate(r.value);
          const score = matchPrepared(p, prepareTemplate(randomTemplate(9, 20)));
          expect(Number.isFinite(score)).toBe(true);
          expect(Number.isFinite(matchPrepared(p, p))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
