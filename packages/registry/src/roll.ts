import { randomBytes } from 'node:crypto';
import {
  ID_PATTERN,
  InvalidInputError,
  canonicalJson,
  concatBytes,
  err,
  ok,
  sha256Hex,
  type Election,
  type Result,
} from '@vigil/core';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import { VOTER_STATUSES, type Store, type VoterWrite } from '@vigil/store';
import { nameTrigrams, voterNameWords } from './search.ts';
import type { Voter } from './types.ts';

/**
 * Importing the roll. Both formats (roll-csv.ts, roll-vri.ts) read their file into
 * `RollRow`s, each value labelled with the name of the column or JSON path it came from;
 * `checkRollRow` then checks a row against the rules and the election definition
 * (precinct, split, ballot style) and names the row and field of every problem; and
 * `importRoll` stores the whole file in one transaction, or nothing.
 */

/** The fields of a voter as read from a file, before checking. */
export interface RollFields {
  readonly voterId?: string;
  readonly givenName?: string;
  readonly middleName?: string;
  readonly familyName?: string;
  readonly birthDate?: string;
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly state?: string;
  readonly postalCode?: string;
  readonly precinctId?: string;
  readonly splitId?: string;
  readonly status?: string;
  readonly documentNumber?: string;
  /** For a primary: the party whose ballot the voter gets (id, abbreviation or name). */
  readonly party?: string;
}

export type RollField = keyof RollFields;

export interface RollRow {
  /** Line number in a CSV file (the header is line 1); record number (from 1) in a VRI file. */
  readonly row: number;
  readonly values: RollFields;
  /** What each field is called in the file (column name or JSON path), for messages. */
  readonly fieldNames: Readonly<Record<RollField, string>>;
}

/** One problem of one row, naming the row and the field. */
export interface RowProblem {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

/** A file that cannot be imported: every problem found, and nothing stored. */
export class RollImportError extends InvalidInputError {
  readonly problems: readonly RowProblem[];
  constructor(problems: readonly RowProblem[], what = 'The roll file') {
    const shown = problems.slice(0, 5).map((p) => `row ${p.row}, ${p.field}: ${p.message}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(`${what} was not imported; ${problems.length} problem(s): ${shown.join('; ')}${more}.`, {
      hint: 'Correct the file and import it again; nothing of it was stored.',
    });
    this.problems = problems;
  }
}

const MAX_NAME = 100;
const MAX_TEXT = 200;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A date of birth as YYYY-MM-DD, checked to be a real past date; else why not. */
export function checkBirthDate(text: string, today: Date = new Date()): Result<string, string> {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  if (m === null) return err(`"${text}" is not a date of the form YYYY-MM-DD.`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    return err(`"${text}" is not a calendar date.`);
  }
  if (y < 1880 || t.getTime() > today.getTime()) {
    return err(`"${text}" is not a possible date of birth.`);
  }
  return ok(`${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

/** A document number in the form stored and compared: upper case, letters and digits only. */
export function normaliseDocumentNumber(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Checks one row and assigns its ballot style from the election definition. Returns the
 * voter, or every problem of the row (each naming the field as the file calls it).
 */
export function checkRollRow(
  row: RollRow,
  election: Election,
  today: Date = new Date(),
): Result<Voter, RowProblem[]> {
  const problems: RowProblem[] = [];
  const problem = (field: RollField, message: string) =>
    problems.push({ row: row.row, field: row.fieldNames[field], message });
  const text = (field: RollField, required: boolean, max = MAX_TEXT): string | undefined => {
    const v = row.values[field]?.trim();
    if (v === undefined || v === '') {
      if (required) problem(field, 'is required but empty or missing.');
      return undefined;
    }
    if (v.length > max) problem(field, `is ${v.length} characters long; at most ${max}.`);
    else if (CONTROL.test(v)) problem(field, 'contains control characters.');
    return v;
  };

  const voterId = text('voterId', true, 64);
  if (voterId !== undefined && !ID_PATTERN.test(voterId)) {
    problem(
      'voterId',
      `"${voterId}" is not a voter id: use 1 to 64 letters, digits, '.', '_' or '-'.`,
    );
  }
  const givenName = text('givenName', true, MAX_NAME);
  const middleName = text('middleName', false, MAX_NAME);
  const familyName = text('familyName', true, MAX_NAME);
  const rawDate = text('birthDate', true, 32);
  let birthDate: string | undefined;
  if (rawDate !== undefined) {
    const d = checkBirthDate(rawDate, today);
    if (d.ok) birthDate = d.value;
    else problem('birthDate', d.error);
  }
  const line1 = text('line1', true);
  const line2 = text('line2', false);
  const city = text('city', true);
  const state = text('state', true, 64);
  const postalCode = text('postalCode', true, 16);
  const statusText = (text('status', false, 16) ?? 'active').toLowerCase();
  const status = VOTER_STATUSES.find((s) => s === statusText);
  if (status === undefined)
    problem('status', `"${statusText}" is not a status: use active, inactive or removed.`);
  const rawDocument = text('documentNumber', false, 32);
  const documentNumber =
    rawDocument === undefined ? undefined : normaliseDocumentNumber(rawDocument);

  const assignment = assignBallotStyle(row, election, problem);
  if (problems.length > 0 || assignment === undefined) return err(problems);
  return ok({
    voterId: voterId!,
    givenName: givenName!,
    ...(middleName === undefined ? {} : { middleName }),
    familyName: familyName!,
    birthDate: birthDate!,
    address: {
      line1: line1!,
      ...(line2 === undefined ? {} : { line2 }),
      city: city!,
      state: state!,
      postalCode: postalCode!,
    },
    ...assignment,
    status: status!,
    ...(documentNumber === undefined || documentNumber === '' ? {} : { documentNumber }),
  });
}

function assignBallotStyle(
  row: RollRow,
  election: Election,
  problem: (field: RollField, message: string) => void,
): { precinctId: string; splitId?: string; ballotStyleId: string } | undefined {
  const precinctId = row.values.precinctId?.trim() ?? '';
  const splitId = row.values.splitId?.trim() || undefined;
  if (precinctId === '') {
    problem('precinctId', 'is required: every voter votes in a precinct of the election.');
    return undefined;
  }
  const precinct = election.precincts.find((p) => p.id === precinctId);
  if (precinct === undefined) {
    problem(
      'precinctId',
      `"${precinctId}" is not a precinct of election "${election.id}" (its precincts: ${election.precincts.map((p) => p.id).join(', ')}).`,
    );
    return undefined;
  }
  if ('splits' in precinct) {
    if (splitId === undefined) {
      problem(
        'splitId',
        `is required: precinct "${precinctId}" is split (${precinct.splits.map((s) => s.id).join(', ')}).`,
      );
      return undefined;
    }
    if (!precinct.splits.some((s) => s.id === splitId)) {
      problem('splitId', `"${splitId}" is not a split of precinct "${precinctId}".`);
      return undefined;
    }
  } else if (splitId !== undefined) {
    problem('splitId', `must be empty: precinct "${precinctId}" is not split.`);
    return undefined;
  }
  let styles = election.ballotStyles.filter((bs) =>
    bs.precincts.some((p) => p.precinctId === precinctId && p.splitId === splitId),
  );
  const area =
    splitId === undefined
      ? `precinct "${precinctId}"`
      : `split "${splitId}" of precinct "${precinctId}"`;
  const party = row.values.party?.trim().toLowerCase() || undefined;
  if (party !== undefined && styles.some((bs) => bs.partyId !== undefined)) {
    const partyIds = election.parties
      .filter((p) => [p.id, p.abbreviation, p.name].some((n) => n.toLowerCase() === party))
      .map((p) => p.id);
    styles = styles.filter((bs) => bs.partyId === undefined || partyIds.includes(bs.partyId));
  }
  if (styles.length === 0) {
    problem(
      'precinctId',
      `no ballot style of election "${election.id}" covers ${area}${party === undefined ? '' : ` for party "${party}"`}.`,
    );
    return undefined;
  }
  if (styles.length > 1) {
    problem(
      'party',
      `${area} has ${styles.length} ballot styles (${styles.map((s) => s.id).join(', ')}); give the voter's party to choose one.`,
    );
    return undefined;
  }
  return {
    precinctId,
    ...(splitId === undefined ? {} : { splitId }),
    ballotStyleId: styles[0]!.id,
  };
}

export type RollFormat = 'csv' | 'vri';

export interface ImportRollInput {
  readonly rows: readonly RollRow[];
  readonly format: RollFormat;
  /** The exact bytes of the file, hashed for the ledger. */
  readonly fileBytes: Uint8Array;
  readonly election: Election;
  /** Who imported it and where (ledger actor and station ids). */
  readonly actorId: string;
  readonly stationId: string;
  readonly time?: Date;
}

export interface RollImportSummary {
  readonly format: RollFormat;
  /** SHA-256 (hex) of the file, as in the `roll.imported` ledger entry. */
  readonly fileHash: string;
  readonly rows: number;
  readonly registered: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** The record without the fields a file never carries, for change detection. */
function recordText(voter: Voter): string {
  return canonicalJson(voter);
}

function digest(salt: Uint8Array, voter: Voter): string {
  return sha256Hex(concatBytes(salt, new TextEncoder().encode(recordText(voter))));
}

/**
 * Checks every row and stores the roll in one transaction: new voters are registered,
 * changed ones updated (keeping a duplicate block an official set), unchanged ones left
 * alone. The ledger gets `roll.imported` (file hash, counts) and one `voter.registered`
 * or `voter.updated` per changed voter, naming the voter id and a salted digest of the
 * record: ids and hashes, never names or dates of birth. Any problem in any row: err
 * RollImportError listing them all, and nothing stored.
 */
export async function importRoll(
  store: Store,
  input: ImportRollInput,
): Promise<Result<RollImportSummary, RollImportError>> {
  const time = input.time ?? new Date();
  const problems: RowProblem[] = [];
  const voters: Voter[] = [];
  const seen = new Map<string, number>();
  for (const row of input.rows) {
    const checked = checkRollRow(row, input.election, time);
    if (!checked.ok) {
      problems.push(...checked.error);
      continue;
    }
    const first = seen.get(checked.value.voterId);
    if (first !== undefined) {
      problems.push({
        row: row.row,
        field: row.fieldNames.voterId,
        message: `voter id "${checked.value.voterId}" is already used by row ${first}.`,
      });
      continue;
    }
    seen.set(checked.value.voterId, row.row);
    voters.push(checked.value);
  }
  if (input.rows.length === 0) {
    problems.push({ row: 0, field: '(file)', message: 'holds no voter.' });
  }
  if (problems.length > 0) return err(new RollImportError(problems));

  const fileHash = sha256Hex(input.fileBytes);
  const stamp = time.toISOString();
  const entry = (
    type: Parameters<typeof eventIdOf>[0],
    subjects: string[],
    detail?: string,
  ): LedgerEntry => ({
    eventId: eventIdOf(type),
    actorId: input.actorId,
    stationId: input.stationId,
    time: stamp,
    disposition: 'success',
    subjects,
    ...(detail === undefined ? {} : { detail }),
  });

  const summary = await store.transaction(async (tx) => {
    const existing = new Map(
      (await tx.getVoters(voters.map((v) => v.voterId))).map((v) => [v.voterId, v]),
    );
    const writes: VoterWrite[] = [];
    const entries: LedgerEntry[] = [];
    let registered = 0;
    let updated = 0;
    for (const v of voters) {
      const before = existing.get(v.voterId);
      // The file never carries the duplicate block: an official's decision outlives imports.
      const voter: Voter =
        before?.blockedAsDuplicateOf === undefined
          ? v
          : { ...v, blockedAsDuplicateOf: before.blockedAsDuplicateOf };
      if (before !== undefined && recordText(before) === recordText(voter)) continue;
      const recordSalt = new Uint8Array(randomBytes(16));
      const recordDigest = digest(recordSalt, voter);
      writes.push({
        voter,
        nameTrigrams: nameTrigrams(voterNameWords(voter)),
        recordSalt,
        recordDigest,
      });
      entries.push(
        entry(before === undefined ? 'voter.registered' : 'voter.updated', [
          `voter:${voter.voterId}`,
          `sha256:${recordDigest}`,
        ]),
      );
      if (before === undefined) registered++;
      else updated++;
    }
    const counts = {
      format: input.format,
      fileHash,
      rows: voters.length,
      registered,
      updated,
      unchanged: voters.length - registered - updated,
    };
    entries.unshift(
      entry(
        'roll.imported',
        [`sha256:${fileHash}`, `election:${input.election.id}`],
        `${input.format}: ${counts.rows} rows, ${registered} registered, ${updated} updated, ${counts.unchanged} unchanged`,
      ),
    );
    await tx.saveVoters(writes, time, entries);
    return counts;
  });
  return ok(summary);
}
