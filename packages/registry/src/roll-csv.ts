import { parse } from 'csv-parse/sync';
import { err, ok, type Result } from '@vigil/core';
import { RollImportError, type RollField, type RollRow } from './roll.ts';

/**
 * The roll as CSV (RFC 4180, UTF-8, a header row, parsed by csv-parse). Columns, in any
 * order, names case-insensitive:
 *
 * | column          | required | what                                                     |
 * | --------------- | -------- | -------------------------------------------------------- |
 * | voter_id        | yes      | the jurisdiction's voter id (letters, digits, . _ -)      |
 * | given_name      | yes      |                                                          |
 * | middle_name     |          |                                                          |
 * | family_name     | yes      |                                                          |
 * | birth_date      | yes      | YYYY-MM-DD                                               |
 * | address_line1   | yes      | residence address                                        |
 * | address_line2   |          |                                                          |
 * | city            | yes      |                                                          |
 * | state           | yes      |                                                          |
 * | postal_code     | yes      |                                                          |
 * | precinct_id     | yes      | a precinct id of the election definition                 |
 * | split_id        |          | required when the precinct is split                      |
 * | status          |          | active (default), inactive or removed                    |
 * | document_number |          | driver's licence or state id number (barcode look-up)    |
 * | party           |          | for a primary: the party whose ballot style applies      |
 *
 * An unknown column is refused (a misspelt column would otherwise be silently empty).
 */
export const CSV_COLUMNS: Readonly<Record<string, RollField>> = {
  voter_id: 'voterId',
  given_name: 'givenName',
  middle_name: 'middleName',
  family_name: 'familyName',
  birth_date: 'birthDate',
  address_line1: 'line1',
  address_line2: 'line2',
  city: 'city',
  state: 'state',
  postal_code: 'postalCode',
  precinct_id: 'precinctId',
  split_id: 'splitId',
  status: 'status',
  document_number: 'documentNumber',
  party: 'party',
};

const REQUIRED = [
  'voter_id',
  'given_name',
  'family_name',
  'birth_date',
  'address_line1',
  'city',
  'state',
  'postal_code',
  'precinct_id',
];

const FIELD_NAMES = Object.fromEntries(
  Object.entries(CSV_COLUMNS).map(([column, field]) => [field, column]),
) as Record<RollField, string>;

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** Reads a CSV roll into rows (line numbers as in the file), or the problems that stop it. */
export function readCsvRoll(bytes: Uint8Array): Result<RollRow[], RollImportError> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return err(
      new RollImportError([
        { row: 0, field: '(file)', message: 'is not UTF-8 text; save the CSV as UTF-8.' },
      ]),
    );
  }
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    return err(
      new RollImportError([
        {
          row: typeof line === 'number' ? line : 0,
          field: '(file)',
          message: `is not well-formed CSV: ${(e as Error).message}`,
        },
      ]),
    );
  }
  const header = records[0];
  if (header === undefined) {
    return err(new RollImportError([{ row: 0, field: '(file)', message: 'is empty.' }]));
  }
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const problems = [
    ...columns
      .filter((c) => !(c in CSV_COLUMNS))
      .map((c) => ({
        row: header.info.lines,
        field: c,
        message: `is not a roll column (the columns are: ${Object.keys(CSV_COLUMNS).join(', ')}).`,
      })),
    ...REQUIRED.filter((c) => !columns.includes(c)).map((c) => ({
      row: header.info.lines,
      field: c,
      message: 'is a required column and missing from the header.',
    })),
    ...columns
      .filter((c, i) => columns.indexOf(c) !== i)
      .map((c) => ({ row: header.info.lines, field: c, message: 'appears twice in the header.' })),
  ];
  if (problems.length > 0) return err(new RollImportError(problems));

  const rows = records.slice(1).map(({ record, info }): RollRow => {
    const values: Partial<Record<RollField, string>> = {};
    columns.forEach((c, i) => {
      values[CSV_COLUMNS[c]!] = record[i] ?? '';
    });
    return { row: info.lines, values, fieldNames: FIELD_NAMES };
  });
  return ok(rows);
}
