import { seededRandom, type Election } from '@vigil/core';
import {
  mixSeed,
  synthesizeFingerTemplate,
  writeIsoTemplate,
  type FingerprintTemplate,
} from '@vigil/biometrics';
import { ENROLMENT_MIN_QUALITY, type FingerPosition } from '@vigil/registry';

/**
 * The demo's population: invented people (names put together from syllables, so that no
 * real person is named), each with two synthetic fingers, on the roll of the sample
 * election's precincts; and a few of them on the roll twice, under another name, to be
 * caught by de-duplication. Everything is drawn from the demo's seed, so a run is the
 * same every time.
 */

/** The two fingers every demo voter enrols (ISO/IEC 19794-2 finger positions). */
export const DEMO_FINGERS: readonly FingerPosition[] = [2, 7];

export interface DemoRecord {
  /** The roll's voter id. */
  readonly voterId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly line1: string;
  readonly city: string;
  readonly postalCode: string;
  readonly precinctId: string;
  readonly splitId?: string;
  /** The person behind the record: two records with one person are a planted duplicate. */
  readonly person: number;
}

export interface DemoPopulation {
  /** One record per person, in roll order. */
  readonly voters: readonly DemoRecord[];
  /** The planted duplicates: a second record of a person among `voters`. */
  readonly duplicates: readonly DemoRecord[];
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'th', 'br'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ae', 'io', 'ei'];
const CODAS = ['', '', 'n', 'l', 'r', 's', 'th', 'nd'];
const STREETS = ['Alder', 'Birch', 'Quarry', 'Mill', 'Orchard', 'Lantern', 'Heron', 'Juniper'];
const SUFFIXES = ['Street', 'Road', 'Lane', 'Avenue', 'Way'];

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

function inventedWord(random: () => number, syllables: number): string {
  let word = '';
  for (let s = 0; s < syllables; s++) {
    word +=
      pick(random, ONSETS) +
      pick(random, VOWELS) +
      (s === syllables - 1 ? pick(random, CODAS) : '');
  }
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Where a voter may live: every unsplit precinct, and every split of a split one. */
export function residences(
  election: Election,
): { precinctId: string; splitId?: string; name: string }[] {
  return election.precincts.flatMap((p) =>
    'splits' in p
      ? p.splits.map((s) => ({ precinctId: p.id, splitId: s.id, name: p.name }))
      : [{ precinctId: p.id, name: p.name }],
  );
}

function record(
  random: () => number,
  election: Election,
  voterId: string,
  person: number,
): DemoRecord {
  const places = residences(election);
  const place = pick(random, places);
  const year = 1940 + Math.floor(random() * 66);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return {
    voterId,
    givenName: inventedWord(random, 2),
    familyName: inventedWord(random, 2 + Math.floor(random() * 2)),
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    line1: `${1 + Math.floor(random() * 999)} ${pick(random, STREETS)} ${pick(random, SUFFIXES)}`,
    city: place.name,
    postalCode: String(10000 + Math.floor(random() * 89999)),
    precinctId: place.precinctId,
    ...(place.splitId === undefined ? {} : { splitId: place.splitId }),
    person,
  };
}

/**
 * `voters` people over the election's precincts and `duplicates` of them on the roll a
 * second time (another name and address: the same person registering twice).
 */
export function makePopulation(
  election: Election,
  seed: number,
  voters: number,
  duplicates: number,
): DemoPopulation {
  const random = seededRandom(mixSeed(seed, 0x726f6c6c));
  const people = Array.from({ length: voters }, (_, p) =>
    record(random, election, `DEMO-${String(p + 1).padStart(6, '0')}`, p),
  );
  const chosen = new Set<number>();
  while (chosen.size < Math.min(duplicates, voters)) chosen.add(Math.floor(random() * voters));
  const twice = [...chosen].map((p, d) =>
    record(random, election, `DEMO-${String(voters + d + 1).padStart(6, '0')}`, p),
  );
  return { voters: people, duplicates: twice };
}

/** The roll file (the registry's CSV columns, roll-csv.ts). */
export function rollCsv(records: readonly DemoRecord[], state: string): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [
    'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id,split_id',
    ...records.map((r) =>
      [
        r.voterId,
        r.givenName,
        r.familyName,
        r.birthDate,
        r.line1,
        r.city,
        state,
        r.postalCode,
        r.precinctId,
        r.splitId ?? '',
      ]
        .map(quote)
        .join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Synthetic finger number of a person's finger (two per person). */
const fingerOf = (person: number, position: FingerPosition): number =>
  2 * person + DEMO_FINGERS.indexOf(position);

/**
 * Impression `impression` of a person's finger, as the capture device's ISO/IEC
 * 19794-2 record. With `enrolment`, the first impression from there on that passes the
 * enrolment quality bar: what an operator does when the station asks for a retake.
 */
export function fingerRecord(
  seed: number,
  person: number,
  position: FingerPosition,
  impression: number,
  enrolment = false,
): Uint8Array {
  const finger = fingerOf(person, position);
  let template: FingerprintTemplate = synthesizeFingerTemplate(seed, finger, impression);
  for (
    let retake = 1;
    enrolment && template.quality < ENROLMENT_MIN_QUALITY && retake <= 20;
    retake++
  ) {
    template = synthesizeFingerTemplate(seed, finger, impression + 100 * retake);
  }
  return writeIsoTemplate(template, { fingerPosition: position });
}

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
