import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { unwrap } from '@vigil/core';
import { decodeEntry, encodeEntry, validateEntry, type LedgerEntry } from './entry.ts';
import { EVENT_CATALOGUE, eventById, eventIdOf, isEventId } from './events.ts';

const entry: LedgerEntry = {
  eventId: 'vigil-0007',
  actorId: 'clerk-17',
  stationId: 'county-12/ems',
  time: '2026-11-03T07:00:00.000Z',
  disposition: 'success',
  subjects: ['sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  detail: 'general election definition, version 3',
};

describe('event catalogue', () => {
  it('has unique, well-formed ids and type names, each documented', () => {
    const ids = EVENT_CATALOGUE.map((e) => e.id);
    const types = EVENT_CATALOGUE.map((e) => e.type);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(types).size).toBe(types.length);
    for (const e of EVENT_CATALOGUE) {
      expect(e.id).toMatch(/^vigil-\d{4}$/);
      expect(e.type).toMatch(/^[a-z]+(?:[.-][a-z]+)+$/);
      expect(e.description).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('looks events up both ways', () => {
    expect(eventIdOf('election.definition.loaded')).toBe('vigil-0007');
    expect(eventById('vigil-0303')?.type).toBe('ballot.cast');
    expect(eventById('vigil-9999')).toBeUndefined();
    expect(isEventId('vigil-0100')).toBe(true);
  });
});

describe('ledger entries', () => {
  it('encodes as RFC 8785 canonical JSON with a format version, and decodes back', () => {
    const bytes = encodeEntry(entry);
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"actorId":"clerk-17","detail":"general election definition, version 3",' +
        '"disposition":"success","eventId":"vigil-0007","stationId":"county-12/ems",' +
        '"subjects":["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],' +
        '"time":"2026-11-03T07:00:00.000Z","v":1}',
    );
    expect(unwrap(decodeEntry(bytes))).toEqual(entry);
    const { detail: _detail, ...noDetail } = entry;
    expect(unwrap(decodeEntry(encodeEntry(noDetail)))).toEqual(noDetail);
  });

  it('refuses entries that break the rules, naming the field', () => {
    const cases: [Partial<Record<keyof LedgerEntry, unknown>>, RegExp][] = [
      [{ eventId: 'vigil-9999' }, /eventId: "vigil-9999" is not an event id/],
      [{ actorId: '' }, /actorId/],
      [{ actorId: 'Jane Doe' }, /actorId/],
      [{ stationId: 'x'.repeat(129) }, /stationId/],
      [{ time: '2026-11-03T07:00:00+01:00' }, /time: must be an ISO 8601 UTC time/],
      [{ time: '2026-02-30T07:00:00Z' }, /time/],
      [{ time: '2026-11-03 07:00:00Z' }, /time/],
      [{ disposition: 'na' }, /disposition/],
      [{ subjects: 'sha256:00' }, /subjects: must be a list/],
      [{ subjects: ['has space'] }, /subjects\[0\]/],
      [{ subjects: [''] }, /subjects\[0\]/],
      [{ subjects: Array.from({ length: 65 }, () => 'a') }, /at most 64/],
      [{ detail: '' }, /detail/],
      [{ detail: 'x'.repeat(281) }, /detail/],
      [{ detail: 'line\nbreak' }, /control characters/],
    ];
    for (const [change, why] of cases) {
      const r = validateEntry({ ...entry, ...change });
      expect(!r.ok && r.error.message).toMatch(why);
      expect(() => encodeEntry({ ...entry, ...change } as LedgerEntry)).toThrow(why);
    }
    expect(validateEntry([]).ok).toBe(false);
  });

  it('decodes only the exact bytes encodeEntry writes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const canonical = new TextDecoder().decode(encodeEntry(entry));
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([0xff, 0xfe]), /not valid UTF-8/],
      [enc('{"v":1,'), /not valid JSON/],
      [enc('[]'), /must be a JSON object/],
      [enc(canonical.replace('"v":1', '"v":2')), /format version 2/],
      [enc(canonical.replace('"v":1', '"v":1,"x":0')), /x: is not a field/],
      [enc(canonical.replace('{', '{ ')), /not in RFC 8785 canonical form/],
      [enc(JSON.stringify({ v: 1, ...entry })), /canonical form/],
    ];
    for (const [bytes, why] of cases) {
      const r = decodeEntry(bytes);
      expect(!r.ok && r.error.message).toMatch(why);
    }
  });

  it('round-trips any valid entry (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,20}$/);
    const arbitraryEntry = fc.record(
      {
        eventId: fc.constantFrom(...EVENT_CATALOGUE.map((e) => e.id)),
        actorId: id,
        stationId: id,
        time: fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2100-01-01T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
        disposition: fc.constantFrom('success' as const, 'failure' as const),
        subjects: fc.array(fc.stringMatching(/^[\x21-\x7e]{1,40}$/), { maxLength: 5 }),
        detail: fc
          .string({ minLength: 1, maxLength: 80 })
          // eslint-disable-next-line no-control-regex -- control characters are what is excluded
          .filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
      },
      { requiredKeys: ['eventId', 'actorId', 'stationId', 'time', 'disposition', 'subjects'] },
    );
    fc.assert(
      fc.property(arbitraryEntry, (e) => {
        expect(unwrap(decodeEntry(encodeEntry(e)))).toEqual(e);
      }),
      { numRuns: 200 },
    );
  });
});
