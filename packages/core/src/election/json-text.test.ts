import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineAndColumn, scanJsonText } from './json-text.ts';
import { formatPath } from './path.ts';

function acceptedByJsonParse(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('scanJsonText', () => {
  it('accepts exactly what JSON.parse accepts, for any JSON value as written', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(scanJsonText(text).ok).toBe(true);
      }),
    );
  });

  it('agrees with JSON.parse on arbitrary and corrupted text', () => {
    const corrupted = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', '0', 'e', '\\', '\n', ' '),
      )
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0));
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), corrupted), (text) => {
        expect(scanJsonText(text).ok).toBe(acceptedByJsonParse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse on the corner cases of the grammar', () => {
    const cases = [
      '0',
      '-0',
      '1.5e+10',
      '1E-2',
      '-',
      '1.',
      '.5',
      '+1',
      '01',
      '1e',
      '0x10',
      'NaN',
      'Infinity',
      '"\\u00e9"',
      '"\\u00g9"',
      '"\\/"',
      '"\\a"',
      '"\t"',
      '"\u2028"',
      '" "',
      'true',
      'tRue',
      'nul',
      '[]',
      '[,]',
      '[1,]',
      '{}',
      '{,}',
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      '{"a" : 1 , "b" : [ ] }',
      ' \t\r\n{}\n',
      '\u00a0{}',
      '{}{}',
      '"abc',
      '"\\"',
      '[[[]]]',
      '\ufeff{}',
    ];
    for (const text of cases) {
      expect(scanJsonText(text).ok, JSON.stringify(text)).toBe(acceptedByJsonParse(text));
    }
  });

  it('reports repeated names with their path and position', () => {
    const result = scanJsonText('{\n  "a": [{ "x": 1, "x": 2 }],\n  "a": 0\n}');
    if (!result.ok) throw new Error(result.error.reason);
    expect(result.value.map((d) => [formatPath(d.path), d.line, d.column])).toEqual([
      ['a[0].x', 2, 19],
      ['a', 3, 3],
    ]);
  });

  it('distinguishes names that differ only by escapes', () => {
    const result = scanJsonText('{"a": 1, "\\u0061": 2, "A": 3}');
    if (!result.ok) throw new Error(result.error.reason);
    expect(result.value.map((d) => d.path)).toEqual([['a']]);
  });
});

describe('lineAndColumn', () => {
  it('counts lines from 1 and treats CRLF as one line end', () => {
    expect(lineAndColumn('ab', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 3)).toEqual({ line: 2, column: 1 });
    expect(lineAndColumn('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
  });
});
