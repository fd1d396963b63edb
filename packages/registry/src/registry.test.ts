import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  loadSampleElection,
  parseElectionDefinition,
  unwrap,
  type Election,
} from '@vigil/core';
import { writeIsoTemplate, type FingerprintTemplate } from '@vigil/biometrics';
import type { Store } from '@vigil/store';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  sqliteMemoryTarget,
  type StoreTarget,
} from '@vigil/store/testing';
import {
  captureFinger,
  createInMemoryDuplicateSearch,
  decideReview,
  enrolVoter,
  importRoll,
  keyringFromKey,
  listPendingReviews,
  loadDuplicateSearch,
  loadVoterTemplates,
  openTemplate,
  readCsvRoll,
  readVriRoll,
  RollImportError,
  searchRoll,
  searchVoters,
  sharedDataDir,
  vriSchemaFile,
  type FingerCapture,
  type FingerPosition,
  type Keyring,
  type RollRow,
} from './index.ts';

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const election: Election = unwrap(parseElectionDefinition(loadSampleElection())).election;
const NOW = new Date('2026-06-01T09:00:00.000Z');

const fingerprintDir = join(sharedDataDir(), 'fingerprints');
const haveFingerprints = existsSync(join(fingerprintDir, 'FVC2002_DB1_B', '101_1.tif'));
if (!haveFingerprints) {
  console.warn(
    `registry enrolment tests skipped: no FVC2002 images under ${fingerprintDir} (set VIGIL_SHARED_DATA)`,
  );
}
const vriPresent = existsSync(vriSchemaFile());
if (!vriPresent) {
  console.warn(
    `VRI import tests skipped: no NIST VRI schema at ${vriSchemaFile()} (set VIGIL_SHARED_DATA)`,
  );
}

const HEADER =
  'voter_id,given_name,middle_name,family_name,birth_date,address_line1,address_line2,city,state,postal_code,precinct_id,split_id,status,document_number';
const GOOD_CSV = [
  HEADER,
  'V-0001,José,,Núñez,1980-04-12,12 Elm St,,Ashford,FR,10001,p-101,,active,D123-4567',
  'V-0002,John,Q,Smith,1975-01-30,4 Oak Ave,Apt 2,Millbrook,FR,10002,p-102,,active,',
  'V-0003,Jon,,Smyth,1990-07-07,9 Pine Rd,,Cedar Falls,FR,10003,p-103,p-103-s,inactive,',
  'V-0004,"Mary Ann",,O\'Brien,1975-01-30,1 Main St,,Dunmore,FR,10004,p-104,,removed,S99',
  'V-0005,Zoë,,Ångström,2001-12-31,7 Lake Dr,,Ashford,FR,10001,p-101,,,',
].join('\n');

/** The error of an err Result (undefined for ok), for instanceof checks. */
const errorOf = <E>(r: { ok: true } | { ok: false; error: E }): E | undefined =>
  r.ok ? undefined : r.error;

const csvRows = (text: string): RollRow[] => unwrap(readCsvRoll(new TextEncoder().encode(text)));

async function importCsv(store: Store, text: string, time = NOW) {
  const bytes = new TextEncoder().encode(text);
  const rows = readCsvRoll(bytes);
  if (!rows.ok) return rows;
  return importRoll(store, {
    rows: rows.value,
    format: 'csv',
    fileBytes: bytes,
    election,
    actorId: 'registrar-1',
    stationId: 'county-office',
    time,
  });
}

async function ledgerText(store: Store): Promise<string> {
  const rows = await store.db.selectFrom('ledger_entries').select('entry').orderBy('seq').execute();
  return rows.map((r) => Buffer.from(r.entry).toString('utf8')).join('\n');
}

async function ledgerTypes(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('ledger_entries')
    .select('event_id')
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.event_id);
}

// FVC2002 DB1_B: fingers 101..110, impressions 1..8. Extract once for every backend.
const prints = new Map<string, FingerprintTemplate>();
function print(name: string, set = 'FVC2002_DB1_B'): FingerprintTemplate {
  const key = `${set}/${name}`;
  let t = prints.get(key);
  if (t === undefined) {
    const capture = captureFinger(
      2,
      new Uint8Array(readFileSync(join(fingerprintDir, set, `${name}.tif`))),
      { minQuality: 0 },
    );
    t = unwrap(capture).template;
    prints.set(key, t);
  }
  return t;
}
const fingers = (a: string, b: string): FingerCapture[] => [
  { position: 2, template: print(a) },
  { position: 7, template: print(b) },
];

function registryContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  let store: Store;
  let keyring: Keyring;
  beforeEach(async () => {
    target = await makeTarget();
    store = await target.open();
    keyring = keyringFromKey(randomBytes(32));
  });
  afterEach(async () => {
    await target.cleanup();
  });

  it('imports a CSV roll, assigning ballot styles, and records ids and hashes only', async () => {
    const summary = unwrap(await importCsv(store, GOOD_CSV));
    expect(summary).toMatchObject({
      rows: 5,
      registered: 5,
      updated: 0,
      unchanged: 0,
      format: 'csv',
    });
    expect(await store.countVoters()).toBe(5);
    expect(await store.getVoter('V-0003')).toMatchObject({
      precinctId: 'p-103',
      splitId: 'p-103-s',
      ballotStyleId: 'bs-3',
      status: 'inactive',
    });
    expect(await store.getVoter('V-0002')).toMatchObject({
      ballotStyleId: 'bs-2',
      middleName: 'Q',
      address: { line2: 'Apt 2' },
    });
    expect((await store.getVoter('V-0001'))?.documentNumber).toBe('D1234567');
    expect((await store.getVoter('V-0005'))?.status).toBe('active');

    // Importing again changes nothing; a changed row is an update.
    const again = unwrap(await importCsv(store, GOOD_CSV.replace('4 Oak Ave', '5 Oak Ave')));
    expect(again).toMatchObject({ registered: 0, updated: 1, unchanged: 4 });
    expect(await ledgerTypes(store)).toEqual([
      'vigil-0200',
      ...Array.from({ length: 5 }, () => 'vigil-0201'),
      'vigil-0200',
      'vigil-0202',
    ]);
    const ledger = await ledgerText(store);
    for (const secret of [
      'José',
      'Jos',
      'Smith',
      'Brien',
      '1980-04-12',
      '1975-01-30',
      'Elm',
      'D1234567',
    ]) {
      expect(ledger).not.toContain(secret);
    }
    expect(ledger).toContain('voter:V-0001');
  });

  it('refuses a bad CSV whole, naming every row and field', async () => {
    const bad = [
      HEADER,
      'V-0001,Ann,,Lee,1980-02-30,1 A St,,Ashford,FR,10001,p-101,,,',
      'V-0002,Bob,,Ray,1970-01-01,2 B St,,Ashford,FR,10001,p-999,,,',
      'V-0003,Cy,,Fox,1970-01-01,3 C St,,Ashford,FR,10001,p-103,,,',
      'V-0004,Di,,Orr,1970-01-01,4 D St,,Ashford,FR,10001,p-101,,gone,',
      'V-0001,Ed,,Kay,1970-01-01,5 E St,,Ashford,FR,10001,p-101,,,',
      'V-0006,,,Ng,1970-01-01,6 F St,,Ashford,FR,10001,p-101,,,',
      'V-0007,Flo,,Yu,1970-01-01,7 G St,,Ashford,FR,10001,p-101,,,',
    ].join('\n');
    const r = await importCsv(store, bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(RollImportError);
    const problems = r.error.problems.map((p) => `${p.row}:${p.field}`);
    expect(problems).toEqual([
      '2:birth_date',
      '3:precinct_id',
      '4:split_id',
      '5:status',
      '7:given_name',
    ]);
    expect(r.error.problems[1]?.message).toContain('"p-999" is not a precinct');
    expect(await store.countVoters()).toBe(0);
    expect(await ledgerTypes(store)).toEqual([]);

    const dup = await importCsv(
      store,
      `${HEADER}\nV-1,A,,B,1970-01-01,1 St,,C,FR,1,p-101,,,\nV-1,A,,B,1970-01-01,1 St,,C,FR,1,p-101,,,`,
    );
    expect(!dup.ok && dup.error.problems[0]).toMatchObject({ row: 3, field: 'voter_id' });

    const header = readCsvRoll(new TextEncoder().encode('voter_id,given_nam,family_name\n'));
    expect(!header.ok && header.error.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['given_nam', 'birth_date', 'precinct_id']),
    );
    const broken = readCsvRoll(new TextEncoder().encode(`${HEADER}\nV-1,"unclosed,,,\n`));
    expect(broken.ok).toBe(false);
    expect(readCsvRoll(Uint8Array.of(0xff, 0xfe, 0x41)).ok).toBe(false);
  });

  it.skipIf(!vriPresent)(
    'imports NIST VRI: the Ohio example and a roll extract; refuses bad files',
    async () => {
      const ohio = new Uint8Array(
        readFileSync(
          join(
            sharedDataDir(),
            'nist-cdf',
            'voter-records-interchange',
            'ohio_registration.example.json',
          ),
        ),
      );
      const noPrecinct = unwrap(readVriRoll(ohio));
      const refused = await importRoll(store, {
        rows: noPrecinct,
        format: 'vri',
        fileBytes: ohio,
        election,
        actorId: 'registrar-1',
        stationId: 'county-office',
        time: NOW,
      });
      expect(!refused.ok && refused.error.problems).toEqual([
        expect.objectContaining({ row: 1, field: 'Subject.Locality (precinct)' }),
      ]);

      const rows = unwrap(readVriRoll(ohio, { precinctId: 'p-101' }));
      unwrap(
        await importRoll(store, {
          rows,
          format: 'vri',
          fileBytes: ohio,
          election,
          actorId: 'registrar-1',
          stationId: 'county-office',
          time: NOW,
        }),
      );
      const jane = await store.getVoter('vri-0bb1bfd7-4316-42be-99d5-9c9e3bb9ccc0');
      expect(jane).toEqual({
        voterId: 'vri-0bb1bfd7-4316-42be-99d5-9c9e3bb9ccc0',
        givenName: 'JANE',
        middleName: 'A',
        familyName: 'DOE',
        birthDate: '1993-11-12',
        address: {
          line1: '3818 BELMONT AVE',
          city: 'YOUNGSTOWN',
          state: 'OH',
          postalCode: '44505',
        },
        precinctId: 'p-101',
        ballotStyleId: 'bs-1',
        status: 'active',
        documentNumber: 'AA999888',
      });

      const extract = {
        '@type': 'VRI.VoterRecordResults',
        VoterRecord: [
          {
            '@type': 'VRI.VoterRecord',
            VoterStatus: 'inactive',
            Locality: [
              {
                '@type': 'VRI.ReportingUnit',
                Type: 'precinct',
                ExternalIdentifier: [
                  { '@type': 'VRI.ExternalIdentifier', Type: 'local-level', Value: 'p-103' },
                ],
              },
              { '@type': 'VRI.ReportingUnit', Type: 'split-precinct', Name: 'p-103-n' },
            ],
            Voter: {
              '@type': 'VRI.Voter',
              Name: { '@type': 'VRI.Name', FirstName: 'Ana', LastName: 'Lima' },
              DateOfBirth: '1985-03-04',
              VoterId: [
                {
                  '@type': 'VRI.VoterId',
                  Type: 'state-voter-registration-id',
                  StringValue: 'OH-77',
                },
              ],
              ResidenceAddress: {
                '@type': 'addr.NumberedThoroughfareAddress_type',
                CompleteAddressNumber: {
                  '@type': 'addr_type.CompleteAddressNumber_type',
                  AddressNumber: '5',
                },
                CompleteStreetName: {
                  '@type': 'addr_type.CompleteStreetName_type',
                  StreetName: 'RIVER',
                },
                CompletePlaceName1: {
                  '@type': 'addr_type.CompletePlaceName_type',
                  PlaceName: [
                    {
                      '@type': 'addr_type.PlaceName_type',
                      PlaceNameType: 'MunicipalJurisdiction',
                      Value: 'MILLBROOK',
                    },
                  ],
                },
                StateName: 'OH',
                ZipCode: '44000',
              },
            },
          },
        ],
      };
      const bytes = new TextEncoder().encode(JSON.stringify(extract));
      unwrap(
        await importRoll(store, {
          rows: unwrap(readVriRoll(bytes)),
          format: 'vri',
          fileBytes: bytes,
          election,
          actorId: 'registrar-1',
          stationId: 'county-office',
          time: NOW,
        }),
      );
      expect(await store.getVoter('OH-77')).toMatchObject({
        status: 'inactive',
        precinctId: 'p-103',
        splitId: 'p-103-n',
        ballotStyleId: 'bs-2',
      });

      // Breaks the schema: an unknown property and a missing Name.
      const bad = structuredClone(extract) as { VoterRecord: { Voter: Record<string, unknown> }[] };
      bad.VoterRecord[0]!.Voter.Nickname = 'Annie';
      const badBytes = new TextEncoder().encode(JSON.stringify(bad));
      const r = readVriRoll(badBytes);
      expect(r.ok).toBe(false);
      if (!r.ok && r.error instanceof RollImportError) {
        expect(r.error.problems[0]).toMatchObject({ row: 1, field: '/VoterRecord/0/Voter' });
        expect(r.error.message).toContain('Nickname');
      }
      expect(readVriRoll(new TextEncoder().encode('{"@type": "VRI.VoterRecordResults", ')).ok).toBe(
        false,
      );
      expect(await store.countVoters()).toBe(2);
    },
  );

  it('finds voters by name despite typos and accents, by date of birth, id and ID card barcode', async () => {
    unwrap(await importCsv(store, GOOD_CSV));
    const ids = async (text: string) =>
      unwrap(await searchRoll(store, text)).map((h) => h.voter.voterId);

    expect(await ids('jose nunez')).toEqual(['V-0001']);
    expect(await ids('JOSÉ NÚÑEZ')).toEqual(['V-0001']);
    expect((await ids('Jhon Smiht'))[0]).toBe('V-0002'); // two transpositions
    expect(await ids('Smith John')).toContain('V-0002');
    expect(await ids('zoe angstrom')).toEqual(['V-0005']);
    expect(await ids('obrien')).toEqual(['V-0004']); // O'Brien: "o" "brien"
    expect(await ids('mary ann o brien')).toEqual(['V-0004']);
    expect(await ids('Qwerty Uiop')).toEqual([]);
    expect(await ids('1975-01-30')).toEqual(['V-0002', 'V-0004']);
    expect(await ids('V-0003')).toEqual(['V-0003']);
    const typoDob = unwrap(
      await searchVoters(store, { kind: 'name', text: 'jon smith', birthDate: '1990-07-07' }),
    );
    expect(typoDob.map((h) => h.voter.voterId)).toEqual(['V-0003']);
    const bad = await searchVoters(store, { kind: 'birth-date', birthDate: '1975-02-30' });
    expect(!bad.ok && bad.error).toBeInstanceOf(InvalidInputError);
    const active = unwrap(await searchRoll(store, '1975-01-30', { statuses: ['active'] }));
    expect(active.map((h) => h.voter.voterId)).toEqual(['V-0002']);

    // AAMVA payloads (US: MMDDCCYY dates): by document number, else by name and date.
    const card = (daq: string, family: string, given: string, dbb: string) =>
      `@\n\u001e\rANSI 636014090102DL00410200ZC02410020DLDAQ${daq}\nDCS${family}\nDAC${given}\nDBB${dbb}\nDCGUSA\r`;
    const byDoc = unwrap(await searchRoll(store, card('D1234567', 'WRONG', 'NAME', '01011900')));
    expect(byDoc.map((h) => [h.voter.voterId, h.matchedBy])).toEqual([
      ['V-0001', 'document-number'],
    ]);
    const byName = unwrap(
      await searchVoters(store, {
        kind: 'barcode',
        payload: card('X0000000', 'SMITH', 'JOHN', '01301975'),
      }),
    );
    expect(byName.map((h) => [h.voter.voterId, h.matchedBy])).toEqual([
      ['V-0002', 'name-and-birth-date'],
    ]);
    const none = unwrap(await searchRoll(store, card('X0000000', 'SMITH', 'JOHN', '01311975')));
    expect(none).toEqual([]);
  });

  it.skipIf(!haveFingerprints)(
    'refuses a capture below the quality bar with a prompt to retake',
    async () => {
      unwrap(await importCsv(store, GOOD_CSV));
      const search = createInMemoryDuplicateSearch();
      const low = new Uint8Array(readFileSync(join(fingerprintDir, 'FVC2002_DB3_B', '108_1.tif')));
      const captured = captureFinger(7, low);
      expect(captured.ok).toBe(false);
      if (!captured.ok) {
        expect(captured.error.message).toMatch(
          /left index finger capture is of quality \d+, below the enrolment bar of 30/,
        );
        expect(captured.error.hint).toContain('Retake the left index finger');
      }
      const weak = { position: 7 as FingerPosition, template: { ...print('102_1'), quality: 12 } };
      const r = await enrolVoter(
        { store, keyring, search },
        {
          voterId: 'V-0001',
          fingers: [{ position: 2, template: print('101_1') }, weak],
          officialId: 'registrar-1',
          stationId: 'county-office',
          time: NOW,
        },
      );
      expect(!r.ok && r.error).toBeInstanceOf(InvalidInputError);
      const one = await enrolVoter(
        { store, keyring, search },
        {
          voterId: 'V-0001',
          fingers: [{ position: 2, template: print('101_1') }],
          officialId: 'registrar-1',
          stationId: 'county-office',
          time: NOW,
        },
      );
      expect(!one.ok && one.error.message).toContain('at least 2 different fingers');
      expect(await store.getEnrolment('V-0001')).toEqual([]);
      expect(await ledgerTypes(store)).not.toContain('vigil-0203');
    },
  );

  it.skipIf(!haveFingerprints)(
    'queues a duplicate enrolment and records both decisions',
    async () => {
      unwrap(await importCsv(store, GOOD_CSV));
      const search = createInMemoryDuplicateSearch();
      const deps = { store, keyring, search };
      const base = { officialId: 'registrar-1', stationId: 'county-office', time: NOW };
      const first = unwrap(
        await enrolVoter(deps, { ...base, voterId: 'V-0001', fingers: fingers('101_1', '102_1') }),
      );
      expect(first.reviews).toEqual([]);
      const stranger = unwrap(
        await enrolVoter(deps, { ...base, voterId: 'V-0003', fingers: fingers('103_1', '104_1') }),
      );
      expect(stranger.reviews).toEqual([]);
      // Other impressions of the same two fingers under another voter id: flagged.
      const again = unwrap(
        await enrolVoter(deps, { ...base, voterId: 'V-0002', fingers: fingers('101_2', '102_2') }),
      );
      expect(again.reviews.map((r) => r.candidateVoterId)).toEqual(['V-0001']);
      expect(again.reviews[0]!.fusedFmr).toBeLessThanOrEqual(1e-7);
      // The same person a third time, as two records: flagged against both.
      const third = unwrap(
        await enrolVoter(deps, { ...base, voterId: 'V-0005', fingers: fingers('101_3', '102_3') }),
      );
      expect(third.reviews.map((r) => r.candidateVoterId).sort()).toEqual(['V-0001', 'V-0002']);
      // Already enrolled, removed from the roll, not on the roll.
      for (const [voterId, error] of [
        ['V-0002', ConflictError],
        ['V-0004', ConflictError],
        ['nobody', NotFoundError],
      ] as const) {
        const refused = await enrolVoter(deps, {
          ...base,
          voterId,
          fingers: fingers('105_1', '106_1'),
        });
        expect(errorOf(refused)).toBeInstanceOf(error);
      }

      // Reviews of one enrolment share its time; order them by pair for the test.
      const pending = (await listPendingReviews(store)).sort((a, b) =>
        `${a.voterId}${a.candidateVoterId}`.localeCompare(`${b.voterId}${b.candidateVoterId}`),
      );
      expect(pending.map((r) => [r.voterId, r.candidateVoterId])).toEqual([
        ['V-0002', 'V-0001'],
        ['V-0005', 'V-0001'],
        ['V-0005', 'V-0002'],
      ]);
      const same = pending[0]!;
      expect(
        await decideReview(store, {
          reviewId: same.reviewId,
          decision: 'same-person',
          officialId: 'registrar-2',
          stationId: 'county-office',
          reason: ' ',
        }),
      ).toMatchObject({ ok: false });
      const decided = unwrap(
        await decideReview(store, {
          reviewId: same.reviewId,
          decision: 'same-person',
          officialId: 'registrar-2',
          stationId: 'county-office',
          reason: 'Same photograph on both licences.',
          time: NOW,
        }),
      );
      expect(decided).toMatchObject({
        status: 'same-person',
        decidedBy: 'registrar-2',
        reason: 'Same photograph on both licences.',
      });
      expect((await store.getVoter('V-0002'))?.blockedAsDuplicateOf).toBe('V-0001');
      const twice = await decideReview(store, {
        reviewId: same.reviewId,
        decision: 'different-people',
        officialId: 'registrar-3',
        stationId: 'county-office',
        reason: 'x',
      });
      expect(!twice.ok && twice.error).toBeInstanceOf(ConflictError);

      const other = pending[1]!;
      unwrap(
        await decideReview(store, {
          reviewId: other.reviewId,
          decision: 'different-people',
          officialId: 'registrar-2',
          stationId: 'county-office',
          reason: 'Twins; birth certificates checked.',
        }),
      );
      expect((await store.getVoter(other.voterId))?.blockedAsDuplicateOf).toBeUndefined();
      expect((await listPendingReviews(store)).map((r) => r.reviewId)).toEqual([
        pending[2]!.reviewId,
      ]);
      expect(
        errorOf(
          await decideReview(store, {
            reviewId: 'dup-none',
            decision: 'same-person',
            officialId: 'r',
            stationId: 's',
            reason: 'x',
          }),
        ),
      ).toBeInstanceOf(NotFoundError);

      // A block survives a re-import of the roll.
      unwrap(await importCsv(store, GOOD_CSV.replace('4 Oak Ave', '6 Oak Ave')));
      expect((await store.getVoter('V-0002'))?.blockedAsDuplicateOf).toBe('V-0001');

      const types = await ledgerTypes(store);
      expect(types.filter((t) => t === 'vigil-0203')).toHaveLength(4);
      expect(types.filter((t) => t === 'vigil-0204')).toHaveLength(3);
      expect(types.filter((t) => t === 'vigil-0205')).toHaveLength(2);
      expect(await ledgerText(store)).not.toContain('Same photograph');

      // After a restart the gallery is rebuilt from the store and still finds the person.
      const reloaded = createInMemoryDuplicateSearch();
      expect(unwrap(await loadDuplicateSearch(store, keyring, reloaded, 2))).toBe(4);
      const hits = await reloaded.search(fingers('101_4', '102_4'));
      expect(
        hits
          .filter((c) => c.fusedFmr <= 1e-7)
          .map((c) => c.voterId)
          .sort(),
      ).toEqual(['V-0001', 'V-0002', 'V-0005']);
    },
  );

  it.skipIf(!haveFingerprints)(
    'keeps templates unreadable without the key, and out of the ledger',
    async () => {
      unwrap(await importCsv(store, GOOD_CSV));
      const search = createInMemoryDuplicateSearch();
      const probe = fingers('101_1', '102_1');
      unwrap(
        await enrolVoter(
          { store, keyring, search },
          {
            voterId: 'V-0001',
            fingers: probe,
            face: { dlib: Float32Array.from({ length: 128 }, (_, i) => i / 128) },
            officialId: 'registrar-1',
            stationId: 'county-office',
            time: NOW,
          },
        ),
      );
      const records = await store.getEnrolment('V-0001');
      expect(records.map((r) => [r.modality, r.position])).toEqual([
        ['face', 0],
        ['finger', 2],
        ['finger', 7],
      ]);

      // Nothing of the ISO records (their header, their minutia bytes) is in the stored bytes.
      const isoRecords = probe.map((f) =>
        writeIsoTemplate(f.template, { fingerPosition: f.position }),
      );
      const stored = Buffer.concat(records.flatMap((r) => [r.wrappedKey, r.nonce, r.ciphertext]));
      expect(stored.includes(Buffer.from('FMR\0'))).toBe(false);
      for (const iso of isoRecords)
        expect(stored.includes(Buffer.from(iso.subarray(28, 40)))).toBe(false);
      const rows = await store.db.selectFrom('voter_templates').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain('FMR');

      // With the key: the very templates. With another key, or moved, or altered: refused.
      const templates = unwrap(await loadVoterTemplates(store, keyring, 'V-0001'));
      expect(templates.map((t) => writeIsoTemplate(t))).toEqual(
        probe.map((f) => writeIsoTemplate(f.template)),
      );
      const other = keyringFromKey(randomBytes(32));
      expect(errorOf(await loadVoterTemplates(store, other, 'V-0001'))).toBeInstanceOf(
        IntegrityError,
      );
      const finger = records.find((r) => r.position === 2)!;
      const moved = openTemplate(keyring, finger, {
        voterId: 'V-0002',
        modality: 'finger',
        position: 2,
      });
      expect(errorOf(moved)).toBeInstanceOf(IntegrityError);
      const swapped = openTemplate(keyring, finger, {
        voterId: 'V-0001',
        modality: 'finger',
        position: 7,
      });
      expect(swapped.ok).toBe(false);
      const flipped = new Uint8Array(finger.ciphertext);
      flipped[5]! ^= 1;
      expect(
        openTemplate(
          keyring,
          { ...finger, ciphertext: flipped },
          { voterId: 'V-0001', modality: 'finger', position: 2 },
        ).ok,
      ).toBe(false);
      expect(errorOf(await loadVoterTemplates(store, keyring, 'V-0002'))).toBeInstanceOf(
        NotFoundError,
      );

      const ledger = await ledgerText(store);
      expect(ledger).not.toContain('FMR');
      expect(ledger).not.toContain('Núñez');
      expect(ledger).not.toContain(Buffer.from(finger.ciphertext).toString('base64').slice(0, 16));
    },
  );
}

const backends = [
  { name: 'SQLite file', makeTarget: sqliteFileTarget, setup: undefined },
  { name: 'SQLite :memory:', makeTarget: sqliteMemoryTarget, setup: undefined },
  {
    name: 'PostgreSQL',
    makeTarget: () => {
      if (postgres.kind !== 'available') throw new Error(postgres.message);
      return postgresTarget(postgres.url);
    },
    setup: postgres,
  },
];

for (const { name, makeTarget, setup } of backends) {
  describe(`registry on ${name}`, () => {
    if (setup?.kind === 'fail') {
      it('has PostgreSQL on CI', () => {
        throw new Error(setup.message);
      });
      return;
    }
    if (setup?.kind === 'skip') {
      it.skip(`needs PostgreSQL: ${setup.message}`, () => undefined);
      return;
    }
    registryContract(makeTarget);
  });
}

describe('CSV rows', () => {
  it('labels each value with its column and line', () => {
    const rows = csvRows(`${HEADER}\n\nV-9,A,,B,1970-01-01,1 St,,C,FR,1,p-101,,,`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ row: 3, values: { voterId: 'V-9', precinctId: 'p-101' } });
    expect(rows[0]!.fieldNames.birthDate).toBe('birth_date');
  });
});
