import { seededRandom, type Election } from '@vigil/core';

/**
 * The demo's voters: people who do not exist, drawn from a seed, so that a fresh
 * `npm start` has a roll to search and fingers to scan. Names are made of invented
 * syllables (never a list of real names), addresses of invented streets; every field is
 * a pure function of (seed, voter number), so voter 17's record and fingerprints are the
 * same on every machine and whatever the roll's size.
 */

/** The seed of the demo roll and its synthetic fingers (a constant: the demo is public). */
export const DEMO_VOTER_SEED = 1103;

/** The fingers enrolled for each demo voter: right index (2) and left index (7), ISO/IEC 19794-2. */
export const DEMO_ENROLLED_FINGERS = [2, 7] as const;

/**
 * Impressions 1 and 2 of each finger are the enrolment's (2 only when 1 is below the
 * quality bar); the demo scanner renders only later ones, so a check-in never compares
 * an image with itself.
 */
export const DEMO_ENROLMENT_IMPRESSIONS = [1, 2] as const;
export const DEMO_FIRST_SCAN_IMPRESSION = 3;

export interface DemoVoter {
  /** 1-based: the voter's number in the demo roll. */
  readonly number: number;
  readonly voterId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly line1: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  readonly precinctId: string;
  readonly splitId?: string;
  /** The number on the voter's (synthetic) ID card, as its barcode carries it. */
  readonly documentNumber: string;
}

const GIVEN_HEADS = [
  'Ma',
  'Lo',
  'Ter',
  'Vi',
  'Sa',
  'No',
  'Ri',
  'Del',
  'Ka',
  'Bre',
  'Jo',
  'Ul',
  'Es',
  'Fen',
  'Mi',
  'Ta',
  'Ro',
  'Zan',
  'Qui',
  'Hal',
  'Ine',
  'Or',
  'Pe',
  'Cas',
];
const GIVEN_TAILS = [
  'ra',
  'len',
  'mi',
  'dor',
  'na',
  'vin',
  'sa',
  'ric',
  'la',
  'tho',
  'ne',
  'bel',
  'ko',
  'da',
  'mir',
  'ssa',
  'ven',
  'lio',
];
const FAMILY_HEADS = [
  'Thorn',
  'Vel',
  'Mar',
  'Quill',
  'Dun',
  'Bray',
  'Fen',
  'Hollo',
  'Kest',
  'Lorr',
  'Pim',
  'Rask',
  'Sab',
  'Teag',
  'Wyn',
  'Yarr',
  'Corv',
  'Ostr',
  'Nim',
  'Ebb',
];
const FAMILY_TAILS = [
  'wick',
  'ano',
  'by',
  'esta',
  'mont',
  'ero',
  'ley',
  'vik',
  'ard',
  'elle',
  'und',
  'oza',
  'hurst',
  'ling',
  'ix',
  'avar',
];
const STREETS = ['Larkspur', 'Quarry', 'Tamsin', 'Orchard', 'Beacon', 'Millrace', 'Fernhollow'];
const STREET_KINDS = ['Street', 'Avenue', 'Lane', 'Road', 'Way'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** The demo voter id of voter `number` (1-based), zero-padded so ids sort in roll order. */
export function demoVoterId(number: number): string {
  return `demo-${String(number).padStart(4, '0')}`;
}

/** The number of a demo voter id, or undefined when it is not one. */
export function demoVoterNumber(voterId: string): number | undefined {
  const m = /^demo-(\d{4,})$/.exec(voterId);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Demo voter `number` (1-based) of a roll of `count`. Precincts are given out in blocks
 * in the definition's order (the first quarter of a four-precinct roll votes in the first
 * precinct, and so on), so the voters enrolled first are those of the demo station's own
 * polling place; a split precinct's voters alternate between its splits.
 */
export function demoVoter(
  election: Election,
  count: number,
  number: number,
  seed: number = DEMO_VOTER_SEED,
): DemoVoter {
  const random = seededRandom((seed * 100_003 + number) >>> 0);
  const given = pick(random, GIVEN_HEADS) + pick(random, GIVEN_TAILS);
  const family = pick(random, FAMILY_HEADS) + pick(random, FAMILY_TAILS);
  const year = 1940 + Math.floor(random() * 67);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  const precinct =
    election.precincts[
      Math.min(
        election.precincts.length - 1,
        Math.floor(((number - 1) * election.precincts.length) / count),
      )
    ]!;
  const split = 'splits' in precinct ? precinct.splits[number % precinct.splits.length] : undefined;
  const house = 1 + Math.floor(random() * 1999);
  return {
    number,
    voterId: demoVoterId(number),
    givenName: given,
    familyName: family,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    line1: `${house} ${pick(random, STREETS)} ${pick(random, STREET_KINDS)}`,
    city: precinct.name,
    state: 'FR',
    postalCode: String(90_000 + Math.floor(random() * 9_999)),
    precinctId: precinct.id,
    ...(split === undefined ? {} : { splitId: split.id }),
    documentNumber: `FR${String(number).padStart(4, '0')}${String(Math.floor(random() * 1000)).padStart(3, '0')}`,
  };
}

/** The whole demo roll, voters 1..count. */
export function demoRoll(election: Election, count: number, seed?: number): DemoVoter[] {
  return Array.from({ length: count }, (_, i) => demoVoter(election, count, i + 1, seed));
}

const CSV_HEADER = [
  'voter_id',
  'given_name',
  'family_name',
  'birth_date',
  'address_line1',
  'city',
  'state',
  'postal_code',
  'precinct_id',
  'split_id',
  'document_number',
];

/**
 * The demo roll as the registry's CSV import reads it (packages/registry/src/roll-csv.ts),
 * so the demo goes through the same checks and ledger entries as a county's file. The
 * invented names hold no comma or quote, so no field needs quoting.
 */
export function demoRollCsv(voters: readonly DemoVoter[]): string {
  const rows = voters.map((v) =>
    [
      v.voterId,
      v.givenName,
      v.familyName,
      v.birthDate,
      v.line1,
      v.city,
      v.state,
      v.postalCode,
      v.precinctId,
      v.splitId ?? '',
      v.documentNumber,
    ].join(','),
  );
  return `${[CSV_HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}

/**
 * The text of the PDF417 barcode on the demo voter's (synthetic) ID card, as a barcode
 * reader returns it: AAMVA DL/ID Card Design Standard 2020, Annex D, version 09, one ID
 * subfile with DAQ (document number), DCS, DAC, DBB (MMDDCCYY, USA) and DCG. The issuer
 * number 990001 is not assigned to any jurisdiction.
 */
export function demoIdCardBarcode(voter: DemoVoter): string {
  const [y, m, d] = voter.birthDate.split('-');
  const subfile = [
    `IDDAQ${voter.documentNumber}`,
    `DCS${voter.familyName.toUpperCase()}`,
    `DAC${voter.givenName.toUpperCase()}`,
    `DBB${m}${d}${y}`,
    'DCGUSA',
  ].join('\n');
  const header = '@\n\u001e\rANSI 990001090001';
  const offset = header.length + 10;
  const designator = `ID${String(offset).padStart(4, '0')}${String(subfile.length + 1).padStart(4, '0')}`;
  return `${header}${designator}${subfile}\r`;
}

/**
 * The synthetic finger number (in @vigil/biometrics' synth numbering from the demo seed)
 * of finger `position` (1..10) of demo voter `number`: each voter owns ten fingers.
 */
export function demoFingerNumber(voterNumber: number, position: number): number {
  return (voterNumber - 1) * 10 + position;
}
