import { describe, expect, it } from 'vitest';
import { matchPrepared, prepareTemplate } from '../match.ts';
import {
  ENROLMENT_FINGER_ORDER,
  synthesizeFingerTemplate,
  synthesizePersonFingerTemplate,
  synthesizeImpressionTemplate,
  synthesizeMasterMinutiae,
  templateStatistics,
} from './templates.ts';
import { FINGERPRINT_CLASSES, drawLayout, orientationAt } from './orientation.ts';
import { seededRandom } from '@vigil/core';

describe('template-level generator', () => {
  it('is deterministic from its seed', () => {
    const a = synthesizeFingerTemplate(5, 17, 3);
    const b = synthesizeFingerTemplate(5, 17, 3);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.direction)).toEqual(Array.from(b.direction));
    expect(Array.from(a.kind)).toEqual(Array.from(b.kind));
    const other = synthesizeFingerTemplate(5, 18, 3);
    expect(Array.from(other.x)).not.toEqual(Array.from(a.x));
  });

  it('gives impressions of one master that share its minutiae, moved', () => {
    const master = synthesizeMasterMinutiae(9);
    const a = synthesizeImpressionTemplate(master, 9, 0);
    const b = synthesizeImpressionTemplate(master, 9, 1);
    expect(Array.from(a.x)).not.toEqual(Array.from(b.x));
    expect(a.width).toBe(288);
    expect(a.height).toBe(384);
  });

  it('orients minutiae along the ridge flow of every class', () => {
    for (const fingerClass of FINGERPRINT_CLASSES) {
      const master = synthesizeMasterMinutiae(3, { fingerClass });
      expect(master.layout.fingerClass).toBe(fingerClass);
      for (let i = 0; i < master.x.length; i++) {
        const flow = orientationAt(master.layout, master.x[i]!, master.y[i]!);
        const d = Math.abs((((master.direction[i]! - flow) % Math.PI) + Math.PI) % Math.PI);
        expect(Math.min(d, Math.PI - d)).toBeLessThan(1e-5);
      }
    }
  });

  it('places loops and whorls with the singular points of their class', () => {
    const r = seededRandom(1);
    expect(drawLayout(r, 'arch', 360, 480).cores).toHaveLength(0);
    expect(drawLayout(r, 'left-loop', 360, 480).deltas[0]!.x).toBeGreaterThan(
      drawLayout(seededRandom(1), 'left-loop', 360, 480).cores[0]!.x,
    );
    const whorl = drawLayout(r, 'whorl', 360, 480);
    expect(whorl.cores).toHaveLength(2);
    expect(whorl.deltas).toHaveLength(2);
  });

  // Reference figures measured on FVC2002 DB4_B (SFinGe images) with this package's
  // extractor: 23.7 +- 4.3 minutiae, mean nearest-neighbour distance 23.9 px, 63% endings.
  // The synthetic image generator is not written yet (see synth/README.md), so the
  // comparison is against those figures rather than against our own images.
  it('has the statistics of extracted templates', () => {
    const templates = Array.from({ length: 300 }, (_, f) => synthesizeFingerTemplate(11, f, 0));
    const s = templateStatistics(templates);
    expect(s.meanMinutiae).toBeGreaterThan(18);
    expect(s.meanMinutiae).toBeLessThan(34);
    expect(s.meanNearestNeighbour).toBeGreaterThan(18);
    expect(s.meanNearestNeighbour).toBeLessThan(30);
    expect(s.endingShare).toBeGreaterThan(0.5);
    expect(s.endingShare).toBeLessThan(0.72);
  });
});

describe('person-level templates', () => {
  it('gives each finger of a person its own master, and repeats it for each impression', () => {
    const right = synthesizePersonFingerTemplate(4, 12, 2, 0);
    const again = synthesizePersonFingerTemplate(4, 12, 2, 0);
    const left = synthesizePersonFingerTemplate(4, 12, 7, 0);
    const otherPerson = synthesizePersonFingerTemplate(4, 13, 2, 0);
    expect(Array.from(again.x)).toEqual(Array.from(right.x));
    expect(Array.from(left.x)).not.toEqual(Array.from(right.x));
    expect(Array.from(otherPerson.x)).not.toEqual(Array.from(right.x));
    // Two impressions of one finger match; two fingers of one person score as strangers do.
    const probe = prepareTemplate(synthesizePersonFingerTemplate(4, 12, 2, 1));
    expect(matchPrepared(probe, prepareTemplate(right))).toBeGreaterThan(
      matchPrepared(probe, prepareTemplate(left)) + 10,
    );
    expect(() => synthesizePersonFingerTemplate(4, 12, 11, 0)).toThrow(/position 11/);
    expect(ENROLMENT_FINGER_ORDER.slice(0, 2)).toEqual([2, 7]);
  });

  it('has the statistics of extracted templates at every position', () => {
    const templates = Array.from({ length: 200 }, (_, p) =>
      synthesizePersonFingerTemplate(11, p >> 1, p % 2 === 0 ? 2 : 7, 0),
    );
    const s = templateStatistics(templates);
    expect(s.meanMinutiae).toBeGreaterThan(18);
    expect(s.meanMinutiae).toBeLessThan(34);
    expect(s.meanNearestNeighbour).toBeGreaterThan(18);
    expect(s.meanNearestNeighbour).toBeLessThan(30);
  });
});
