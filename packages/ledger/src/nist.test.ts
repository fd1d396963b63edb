import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { toHex } from '@vigil/core';
import { encodeEntry, type LedgerEntry } from './entry.ts';
import { EVENT_CATALOGUE } from './events.ts';
import { leafHash } from './merkle.ts';
import { toNistEventLog, toNistEventLogDocumentation } from './nist.ts';

// The NIST SP 1500-101 schema lives in the shared data folder, never in the repository.
const here = dirname(fileURLToPath(import.meta.url));
const sharedData = process.env.VIGIL_SHARED_DATA ?? resolve(here, '../../../../shared/data');
const schemaPath = join(
  sharedData,
  'nist-cdf/election-event-logging/NIST_V1_election_event_logging.json',
);

// The schema is JSON Schema draft-04, which Ajv 8 reads only through ajv-draft-04 (with
// ajv-formats for date-time). Both are CommonJS whose typings declare an ES default
// export; under NodeNext the class is that default's `default`, which is also how they
// export it at run time.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
addFormats.default(ajv);

const schema: unknown = existsSync(schemaPath)
  ? JSON.parse(readFileSync(schemaPath, 'utf8'))
  : undefined;
const skipReason =
  schema === undefined
    ? `the NIST schema is absent from ${schemaPath}; set VIGIL_SHARED_DATA to the shared data folder`
    : undefined;

const entries: LedgerEntry[] = [
  {
    eventId: 'vigil-0007',
    actorId: 'clerk-17',
    stationId: 'county-12/ems',
    time: '2026-11-03T06:30:00.000Z',
    disposition: 'success',
    subjects: ['sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  },
  {
    eventId: 'vigil-0206',
    actorId: 'poll-worker-3',
    stationId: 'precinct-4/pollbook-1',
    time: '2026-11-03T07:02:11.250Z',
    disposition: 'failure',
    subjects: ['voter:7f1c2e'],
    detail: 'no match after 3 attempts',
  },
  {
    eventId: 'vigil-0207',
    actorId: 'supervisor-1',
    stationId: 'precinct-4/pollbook-1',
    time: '2026-11-03T07:03:40Z',
    disposition: 'success',
    subjects: ['voter:7f1c2e'],
  },
];

describe('NIST SP 1500-101 export', () => {
  const log = toNistEventLog(entries, {
    generatedTime: new Date('2026-11-04T00:00:00Z'),
    electionId: 'gen-2026',
    firstIndex: 100,
    devices: {
      'precinct-4/pollbook-1': {
        type: 'electronic-poll-book',
        manufacturer: 'Vigil project',
        model: 'Vigil station',
        version: '0.1.0',
      },
    },
  });

  it('groups events by device, in ledger order, with ids, types, sequence and leaf hash', () => {
    expect(log['@type']).toBe('EventLogging.ElectionEventLog');
    expect(log.GeneratedTime).toBe('2026-11-04T00:00:00.000Z');
    expect(log.Device?.map((d) => [d.Id, d.Type, d.Event?.length])).toEqual([
      ['county-12/ems', 'other', 1],
      ['precinct-4/pollbook-1', 'electronic-poll-book', 2],
    ]);
    const failed = log.Device?.[1]?.Event?.[0];
    expect(failed).toEqual({
      '@type': 'EventLogging.Event',
      Id: 'vigil-0206',
      Type: 'checkin.match.attempted',
      Description: EVENT_CATALOGUE.find((e) => e.id === 'vigil-0206')!.description,
      Details: '{"detail":"no match after 3 attempts","subjects":["voter:7f1c2e"]}',
      Disposition: 'failure',
      Hash: toHex(leafHash(encodeEntry(entries[1]!))),
      Sequence: '101',
      TimeStamp: '2026-11-03T07:02:11.250Z',
      UserId: 'poll-worker-3',
    });
    expect(log.Device?.[0]?.HashType).toBe('sha-256');
  });

  it('takes explicit ledger indexes, and refuses an unknown event', () => {
    const sparse = toNistEventLog([{ index: 7, entry: entries[0]! }], {
      generatedTime: new Date(0),
    });
    expect(sparse.Device?.[0]?.Event?.[0]?.Sequence).toBe('7');
    const unknown = { ...entries[0]!, eventId: 'vigil-9999' } as unknown as LedgerEntry;
    expect(() => toNistEventLog([unknown], { generatedTime: new Date(0) })).toThrow(/vigil-9999/);
  });

  it.skipIf(skipReason !== undefined)(
    `validates against NIST_V1_election_event_logging.json${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
    () => {
      const validate = ajv.compile(schema as object);
      const documentation = toNistEventLogDocumentation({
        generatedDate: new Date('2026-11-04T00:00:00Z'),
        version: '0.1.0',
      });
      const empty = toNistEventLog([], { generatedTime: new Date('2026-11-04T00:00:00Z') });
      for (const doc of [log, documentation, empty]) {
        const valid = validate(doc);
        expect(validate.errors ?? null).toBeNull();
        expect(valid).toBe(true);
      }
      // The schema does catch mistakes: a Disposition outside its enum.
      const broken = JSON.parse(JSON.stringify(log)) as {
        Device: { Event: { Disposition: string }[] }[];
      };
      broken.Device[0]!.Event[0]!.Disposition = 'succeeded';
      expect(validate(broken)).toBe(false);
    },
  );
});
