import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes } from './canonical-json.ts';
import { sha256Hex } from './hash.ts';

// Examples from RFC 8785 itself.
describe('canonicalJson (RFC 8785)', () => {
  it('sorts properties by UTF-16 code units and serializes numbers per ES6 (§3.2.2, §3.2.3)', () => {
    // RFC 8785 §3.2.2 sample input, with its expected output.
    const input = {
      // eslint-disable-next-line no-loss-of-precision -- the RFC's own literal, rounded on purpose
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders properties as §3.2.3 prescribes, including surrogate pairs', () => {
    // RFC 8785 §3.2.3 sorting example.
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as Record<string, string>);
    const text = canonicalJson(input);
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    let last = -1;
    for (const k of order) {
      const at = text.indexOf(JSON.stringify(k));
      expect(at).toBeGreaterThan(last);
      last = at;
    }
    expect(keys).toHaveLength(7);
  });

  it('serializes the IEEE 754 values of RFC 8785 Appendix B as specified', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [-9007199254740992, '-9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [9.999999999999997e22, '9.999999999999997e+22'],
      [1e23, '1e+23'],
      [999999999999999700000, '999999999999999700000'],
      [999999999999999900000, '999999999999999900000'],
      [1e21, '1e+21'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
    ];
    for (const [n, expected] of cases) expect(canonicalJson(n)).toBe(expected);
  });

  it('gives the same bytes and hash for the same value written in a different order', () => {
    const a = canonicalJsonBytes({ b: 1, a: [1, { y: 2, x: 1 }] });
    const b = canonicalJsonBytes({ a: [1, { x: 1, y: 2 }], b: 1 });
    expect(sha256Hex(a)).toBe(sha256Hex(b));
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(/\$\.a\[1\] is NaN/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});
