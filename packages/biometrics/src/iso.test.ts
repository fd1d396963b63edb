import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANGLE_UNIT, readIsoTemplate, writeIsoTemplate } from './iso.ts';
import { matchPrepared, prepareTemplate } from './match.ts';
import { randomTemplate } from './testing.ts';

describe('ISO/IEC 19794-2:2005 records', () => {
  it('writes the standard layout', () => {
    const t = randomTemplate(7, 3);
    const iso = writeIsoTemplate(t);
    expect(Array.from(iso.subarray(0, 8))).toEqual([0x46, 0x4d, 0x52, 0, 0x20, 0x32, 0x30, 0]);
    const v = new DataView(iso.buffer);
    expect(v.getUint32(8)).toBe(iso.length);
    expect(iso.length).toBe(24 + 4 + 3 * 6 + 2);
    expect(v.getUint16(18)).toBe(197); // 500 dpi in pixels per centimetre
    expect(iso[27]).toBe(3);
    // First minutia: type in the top 2 bits of x, angle counter-clockwise in 1.40625 deg.
    expect(v.getUint16(28) >> 14).toBe(t.kind[0]);
    expect(v.getUint16(28) & 0x3fff).toBe(t.x[0]);
    const k = Math.round(t.direction[0]! / ANGLE_UNIT);
    expect(iso[32]).toBe((256 - k) & 0xff);
  });

  it('round trips bit for bit and gives the same score', () => {
    const a = randomTemplate(1);
    const b = randomTemplate(2);
    const a2 = readIsoTemplate(writeIsoTemplate(a));
    expect(a2.ok).toBe(true);
    if (!a2.ok) return;
    expect(a2.value.x).toEqual(a.x);
    expect(a2.value.y).toEqual(a.y);
    expect(a2.value.direction).toEqual(a.direction);
    expect(a2.value.kind).toEqual(a.kind);
    expect(a2.value.reliability).toEqual(a.reliability);
    expect(matchPrepared(prepareTemplate(a2.value), prepareTemplate(b))).toBe(
      matchPrepared(prepareTemplate(a), prepareTemplate(b)),
    );
    expect(writeIsoTemplate(randomTemplate(3, 160)).length).toBeLessThanOrEqual(1024);
  });

  it('rescales coordinates given at another resolution', () => {
    const iso = writeIsoTemplate(randomTemplate(4, 5));
    const v = new DataView(iso.buffer);
    v.setUint16(18, 394); // 1000 dpi
    v.setUint16(20, 394);
    const r = readIsoTemplate(iso);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.x[0]).toBeCloseTo((v.getUint16(28) & 0x3fff) / 2, 4);
  });

  it('never throws on random or mutated records (fuzz)', () => {
    const valid = writeIsoTemplate(randomTemplate(5, 30));
    const check = (bytes: Uint8Array) => {
      const r = readIsoTemplate(bytes);
      if (!r.ok) {
        expect(r.error.message).toMatch(/^Not a valid ISO\/IEC 19794-2:2005 template: /);
      } else {
        for (const v of r.value.x) expect(Number.isFinite(v)).toBe(true);
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        check(bytes);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 12,
        }),
        fc.nat(valid.length),
        fc.boolean(),
        (edits, cut, keepLength) => {
          const bytes = Uint8Array.from(valid);
          for (const [at, value] of edits) bytes[at] = value;
          const mutated = keepLength ? bytes : bytes.subarray(0, cut);
          check(mutated);
          // Prefix-valid header with a consistent length still must not break matching.
          const r = readIsoTemplate(mutated);
          if (r.ok) prepareTemplate(r.value);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
