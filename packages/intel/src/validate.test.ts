import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStixValidator, sharedDataDir } from './schema-files.ts';
import { timestampKey, selectorResolves } from './validate.ts';

const stix = join(sharedDataDir(), 'stix');
const present = existsSync(join(stix, 'schemas'));
if (!present) {
  console.warn(
    `STIX reference data not found in ${stix}: set VIGIL_SHARED_DATA; validation tests skipped`,
  );
}
const read = (...p: string[]) => readFileSync(join(stix, ...p), 'utf8');

const indicator = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created: '2026-10-01T12:00:00.000Z',
  modified: '2026-10-01T12:00:00.000Z',
  name: 'Phishing domain aimed at county clerks',
  pattern: "[domain-name:value = 'vote-c0unty.example']",
  pattern_type: 'stix',
  valid_from: '2026-10-01T12:00:00Z',
};

describe.skipIf(!present)('STIX validation on the reference examples', () => {
  const v = present ? defaultStixValidator() : undefined;
  const folders = present
    ? ['cti-documentation', 'cti-stix2-json-schemas', 'mitre-attack-ics'].flatMap((d) =>
        readdirSync(join(stix, 'examples', d))
          .filter((f) => f.endsWith('.json') && !f.startsWith('interop'))
          .map((f) => [d, f] as const),
      )
    : [];

  it.each(folders)('%s/%s is valid', (d, f) => {
    expect(v?.validateText(read('examples', d, f))).toEqual([]);
  });

  it.each([
    'identity.json',
    'identity_unicode.json',
    'identity_custom.json',
    'identity_warning.json',
    'tlp-amber.json',
    'tool.json',
  ])('validator example %s is valid', (f) => {
    expect(v?.validateText(read('examples', 'cti-stix-validator-test-examples', f))).toEqual([]);
  });

  it.each([
    ['invalid_braces.json', 'json', ''],
    ['invalid_comma.json', 'json', ''],
    ['invalid_identity.json', 'schema', 'modified'],
    ['invalid_timestamp.json', 'timestamp', 'modified'],
  ])('validator example %s is invalid (%s at "%s")', (f, rule, path) => {
    const problems = v?.validateText(read('examples', 'cti-stix-validator-test-examples', f)) ?? [];
    expect(problems).toContainEqual(expect.objectContaining({ rule, path }));
  });

  it('accepts the TLP 2.0 marking definitions and refuses the broken upstream usage example', () => {
    for (const f of ['tlp-clear.json', 'tlp-amber.json', 'tlp-amber+strict.json']) {
      expect(v?.validateText(read('tlp2', 'examples', f))).toEqual([]);
    }
    const problems = v?.validateText(read('tlp2', 'examples', 'using-tlp2.0-green.json')) ?? [];
    expect(problems).toContainEqual(expect.objectContaining({ path: 'type', rule: 'schema' }));
    expect(problems).toContainEqual(
      expect.objectContaining({
        objectId: 'relationship--1621d4d4-b67d-11e3-9670-f01faf20d111',
        path: 'created',
        rule: 'timestamp',
      }),
    );
  });

  it('checks the MUST rules the schemas cannot express', () => {
    const check = (o: object) => v?.validateObject(o) ?? [];
    expect(check(indicator)).toEqual([]);
    expect(check({ ...indicator, modified: '2026-09-30T12:00:00Z' })).toContainEqual(
      expect.objectContaining({ rule: 'timestamp', path: 'modified' }),
    );
    expect(
      check({ ...indicator, created: '2026-02-30T12:00:00Z', modified: '2026-03-01T00:00:00Z' }),
    ).toContainEqual(expect.objectContaining({ rule: 'timestamp', path: 'created' }));
    expect(check({ ...indicator, created: '2026-10-01T12:00:00+02:00' })).toContainEqual(
      expect.objectContaining({ rule: 'timestamp', path: 'created' }),
    );
    expect(check({ ...indicator, valid_until: '2026-10-01T12:00:00Z' })).toContainEqual(
      expect.objectContaining({ rule: 'timestamp', path: 'valid_until' }),
    );
    expect(
      check({ ...indicator, created_by_ref: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }),
    ).toContainEqual(expect.objectContaining({ rule: 'reference', path: 'created_by_ref' }));
    expect(
      check({
        ...indicator,
        object_marking_refs: ['identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
      }),
    ).toContainEqual(
      expect.objectContaining({ rule: 'reference', path: 'object_marking_refs[0]' }),
    );
    expect(
      check({
        ...indicator,
        granular_markings: [
          {
            marking_ref: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
            selectors: ['name', 'labels.[3]'],
          },
        ],
      }),
    ).toEqual([
      expect.objectContaining({ rule: 'marking', path: 'granular_markings[0].selectors[1]' }),
    ]);
    expect(check({ ...indicator, pattern: "[domain-name:value = 'x'" })).toContainEqual(
      expect.objectContaining({ rule: 'pattern', path: 'pattern' }),
    );
    // Another pattern language is not ours to parse.
    expect(check({ ...indicator, pattern: 'alert tcp any any', pattern_type: 'snort' })).toEqual(
      [],
    );
    expect(
      check({
        type: 'relationship',
        spec_version: '2.1',
        id: 'relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2026-10-01T12:00:00Z',
        modified: '2026-10-01T12:00:00Z',
        relationship_type: 'indicates',
        source_ref: indicator.id,
        target_ref: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
      }),
    ).toContainEqual(expect.objectContaining({ rule: 'reference', path: 'target_ref' }));
  });

  it('checks versions across a bundle', () => {
    const later = { ...indicator, modified: '2026-10-02T12:00:00Z', name: 'renamed' };
    expect(v?.validateObjects([indicator, later])).toEqual([]);
    expect(v?.validateObjects([indicator, { ...indicator, name: 'other' }])).toContainEqual(
      expect.objectContaining({ rule: 'version', index: 1, path: 'modified' }),
    );
    expect(
      v?.validateObjects([indicator, { ...later, created: '2026-09-01T00:00:00Z' }]),
    ).toContainEqual(expect.objectContaining({ rule: 'version', path: 'created' }));
  });
});

describe('helpers', () => {
  it('timestampKey sorts instants of any precision and refuses non-instants', () => {
    expect(timestampKey('2026-11-03T14:05:00Z')).toBe('2026-11-03T14:05:00.000000000Z');
    expect(
      timestampKey('2026-11-03T14:05:00.1Z')! < timestampKey('2026-11-03T14:05:00.123456Z')!,
    ).toBe(true);
    expect(timestampKey('2026-11-03T14:05:00')).toBeUndefined();
    expect(timestampKey('2026-02-29T00:00:00Z')).toBeUndefined();
  });
  it('selectorResolves follows properties and list indexes', () => {
    const o = { a: [{ b: 1 }], c: 'x' };
    expect(selectorResolves(o, 'a.[0].b')).toBe(true);
    expect(selectorResolves(o, 'a.[1]')).toBe(false);
    expect(selectorResolves(o, 'd')).toBe(false);
  });
});
