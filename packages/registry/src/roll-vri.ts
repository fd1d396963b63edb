import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { VigilError, err, ok, type Result } from '@vigil/core';
import {
  RollImportError,
  type RollField,
  type RollFields,
  type RollRow,
  type RowProblem,
} from './roll.ts';

/**
 * The roll as NIST SP 1500-102 Voter Records Interchange (VRI) JSON, validated against
 * NIST's JSON schema, which is read at run time from the shared data folder
 * (`$VIGIL_SHARED_DATA/nist-cdf/voter-records-interchange`), never copied into the
 * repository. Two documents are imported:
 *
 * - `VRI.VoterRecordResults`: one row per `VoterRecord` (a roll extract);
 * - `VRI.VoterRecordsRequest` of type `registration` (an application, such as NIST's Ohio
 *   example): one row, the `Subject`, registered as active. An application carries no
 *   registration id yet, so its voter id is `vri-<TransactionId>`, and no precinct, so the
 *   registrar gives one (`precinctId`).
 *
 * What is mapped, and what is not, is listed in the README.
 */

/** The shared data folder: `$VIGIL_SHARED_DATA`, else `../shared/data` beside the repository. */
export function sharedDataDir(): string {
  return (
    process.env.VIGIL_SHARED_DATA ??
    resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data')
  );
}

export function vriSchemaFile(dataDir = sharedDataDir()): string {
  return join(
    dataDir,
    'nist-cdf',
    'voter-records-interchange',
    'NIST_V0_voter_records_interchange.json',
  );
}

// JSON Schema draft-04 needs ajv-draft-04; ajv-formats for uri and byte. NIST's own
// examples write dates as "2017-7-30" and "1993-11-12T00:00:00" (the schema came from XML,
// where xsd:date is looser than JSON Schema's RFC 3339 full-date), so "date" accepts an
// unpadded date with an optional time; the mapping below still checks it is a real date.
const VRI_DATE = /^\d{4}-\d{1,2}-\d{1,2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?$/;
let cached: { file: string; validators: Map<string, ValidateFunction> } | undefined;

/** The two document types imported, each validated against its own definition. */
const ROLL_TYPES = ['VRI.VoterRecordResults', 'VRI.VoterRecordsRequest'];

function vriValidators(file: string): Result<Map<string, ValidateFunction>, VigilError> {
  if (cached?.file === file) return ok(cached.validators);
  if (!existsSync(file)) {
    return err(
      new VigilError(
        'vri-schema-missing',
        `The NIST Voter Records Interchange schema is not at ${file}, so VRI files cannot be checked and none are imported.`,
        {
          hint: 'Set VIGIL_SHARED_DATA to the folder holding nist-cdf/voter-records-interchange, or import the roll as CSV.',
        },
      ),
    );
  }
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addFormat('date', VRI_DATE);
  ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object, 'vri');
  // The schema's root is a oneOf over five document types told apart by "@type"; checking
  // the chosen type's definition is the same test, and its errors point at the fault
  // instead of listing why the document is none of the other four.
  const validators = new Map<string, ValidateFunction>();
  for (const type of ROLL_TYPES) {
    const fn = ajv.getSchema(`vri#/definitions/${type}`);
    if (fn === undefined) throw new Error(`the VRI schema at ${file} has no definition ${type}`);
    validators.set(type, fn);
  }
  cached = { file, validators };
  return ok(validators);
}

export interface VriOptions {
  /** Precinct (and split) for records that name none, such as registration applications. */
  readonly precinctId?: string;
  readonly splitId?: string;
  /** The schema file; default from the shared data folder. */
  readonly schemaFile?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A leaf of the address model: a string, a number, or an object holding `Value`. */
function leaf(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if (isObject(v)) return leaf(v.Value);
  return '';
}

const join_ = (parts: readonly string[]) => parts.filter((p) => p !== '').join(' ');

const ADDRESS_NUMBER = ['AddressNumberPrefix', 'AddressNumber', 'AddressNumberSuffix'];
const STREET_NAME = [
  'StreetNamePreModifier',
  'StreetNamePreDirectional',
  'StreetNamePreType',
  'StreetName',
  'StreetNamePostType',
  'StreetNamePostDirectional',
  'StreetNamePostModifier',
];

/** A FGDC (United States Thoroughfare, Landmark, and Postal Address Data Standard) address as lines. */
function addressFields(
  a: unknown,
): Pick<RollFields, 'line1' | 'line2' | 'city' | 'state' | 'postalCode'> {
  if (!isObject(a)) return {};
  const number = isObject(a.CompleteAddressNumber)
    ? join_(ADDRESS_NUMBER.map((k) => leaf((a.CompleteAddressNumber as Json)[k])))
    : '';
  const street = isObject(a.CompleteStreetName)
    ? join_(STREET_NAME.map((k) => leaf((a.CompleteStreetName as Json)[k])))
    : '';
  const sub = isObject(a.CompleteSubaddress)
    ? join_(
        list(a.CompleteSubaddress.SubaddressElement).map((e) =>
          isObject(e) ? join_([leaf(e.SubaddressType), leaf(e.SubaddressIdentifier)]) : '',
        ),
      )
    : '';
  const places = isObject(a.CompletePlaceName1)
    ? list(a.CompletePlaceName1.PlaceName).filter(isObject)
    : [];
  const city =
    places.find((p) => p.PlaceNameType === 'MunicipalJurisdiction') ??
    places.find((p) => p.PlaceNameType !== 'County');
  const zip = join_([leaf(a.ZipCode), leaf(a.ZipPlus4)]).replace(' ', '-');
  return {
    line1: join_([number, street]),
    line2: sub,
    city: city === undefined ? '' : leaf(city.Value),
    state: leaf(a.StateName),
    postalCode: zip,
  };
}

/** Precinct and split from the record's reporting units (precinct / split-precinct). */
function precinctFields(record: Json): Pick<RollFields, 'precinctId' | 'splitId'> {
  const units = [...list(record.Locality), ...list(record.District), record.PollingLocation].filter(
    isObject,
  );
  const idOf = (u: Json): string =>
    leaf(
      list(u.ExternalIdentifier)
        .filter(isObject)
        .map((e) => e.Value)[0],
    ) || leaf(u.Name);
  const precinct = units.find((u) => u.Type === 'precinct');
  const split = units.find((u) => u.Type === 'split-precinct');
  return {
    ...(precinct === undefined ? {} : { precinctId: idOf(precinct) }),
    ...(split === undefined ? {} : { splitId: idOf(split) }),
  };
}

function voterRow(
  row: number,
  path: string,
  voter: Json,
  extra: { voterId?: string; status: string; precinct: Pick<RollFields, 'precinctId' | 'splitId'> },
): RollRow {
  const name = isObject(voter.Name) ? voter.Name : {};
  const ids = list(voter.VoterId).filter(isObject);
  const idOfType = (...types: string[]) =>
    types
      .map((t) =>
        ids.find((i) => i.Type === t && i.AttestNoSuchId !== true && leaf(i.StringValue) !== ''),
      )
      .find((i) => i !== undefined);
  const registration = idOfType('state-voter-registration-id', 'local-voter-registration-id');
  const document = idOfType('drivers-license', 'state-id');
  const party = isObject(voter.Party)
    ? leaf(voter.Party.Abbreviation) || leaf(voter.Party.Name)
    : '';
  const values: RollFields = {
    voterId: registration === undefined ? extra.voterId : leaf(registration.StringValue),
    givenName: leaf(name.FirstName),
    middleName: join_(list(name.MiddleName).map(leaf)),
    familyName: leaf(name.LastName),
    // The schema's date may carry a time (NIST's example: "1993-11-12T00:00:00").
    birthDate: leaf(voter.DateOfBirth).replace(/T.*$/, ''),
    ...addressFields(voter.ResidenceAddress),
    ...extra.precinct,
    status: extra.status,
    ...(document === undefined ? {} : { documentNumber: leaf(document.StringValue) }),
    ...(party === '' ? {} : { party }),
  };
  const at = (p: string) => `${path}.${p}`;
  const fieldNames: Record<RollField, string> = {
    voterId: at('VoterId'),
    givenName: at('Name.FirstName'),
    middleName: at('Name.MiddleName'),
    familyName: at('Name.LastName'),
    birthDate: at('DateOfBirth'),
    line1: at('ResidenceAddress'),
    line2: at('ResidenceAddress.CompleteSubaddress'),
    city: at('ResidenceAddress.CompletePlaceName1'),
    state: at('ResidenceAddress.StateName'),
    postalCode: at('ResidenceAddress.ZipCode'),
    precinctId: `${path.replace(/\.Voter$/, '')}.Locality (precinct)`,
    splitId: `${path.replace(/\.Voter$/, '')}.Locality (split-precinct)`,
    status: `${path.replace(/\.Voter$/, '')}.VoterStatus`,
    documentNumber: at('VoterId (drivers-license)'),
    party: at('Party'),
  };
  return { row, values, fieldNames };
}

function schemaProblems(errors: readonly ErrorObject[], request: boolean): RowProblem[] {
  const seen = new Set<string>();
  const out: RowProblem[] = [];
  // oneOf failures repeat the same fault once per alternative; the leaf errors say it.
  for (const e of errors.filter((x) => x.keyword !== 'oneOf')) {
    const m = /^\/VoterRecord\/(\d+)/.exec(e.instancePath);
    const row = m !== null ? Number(m[1]) + 1 : request ? 1 : 0;
    const field = e.instancePath === '' ? '(document)' : e.instancePath;
    const extra =
      e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    const message = `${e.message ?? 'is invalid'}${extra} (NIST SP 1500-102 schema).`;
    const key = `${row}|${field}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ row, field, message });
    }
  }
  return out.slice(0, 50);
}

/**
 * Reads a VRI JSON document into rows, after validating it against NIST's schema.
 * Err RollImportError for a document that is not JSON, breaks the schema or is not a
 * roll; err VigilError when the schema itself is missing (a deployment problem).
 */
export function readVriRoll(
  bytes: Uint8Array,
  options: VriOptions = {},
): Result<RollRow[], RollImportError | VigilError> {
  const validators = vriValidators(options.schemaFile ?? vriSchemaFile());
  if (!validators.ok) return validators;
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return err(
      new RollImportError(
        [{ row: 0, field: '(file)', message: `is not UTF-8 JSON: ${(e as Error).message}` }],
        'The VRI file',
      ),
    );
  }
  const type = isObject(doc) ? doc['@type'] : undefined;
  const validate = typeof type === 'string' ? validators.value.get(type) : undefined;
  if (validate === undefined) {
    return err(
      new RollImportError(
        [
          {
            row: 0,
            field: '@type',
            message: `is ${JSON.stringify(type)}: a roll is a VRI.VoterRecordResults or a registration VRI.VoterRecordsRequest.`,
          },
        ],
        'The VRI file',
      ),
    );
  }
  if (!validate(doc)) {
    return err(
      new RollImportError(
        schemaProblems(validate.errors ?? [], type === 'VRI.VoterRecordsRequest'),
        'The VRI file',
      ),
    );
  }
  const precinct = {
    ...(options.precinctId === undefined ? {} : { precinctId: options.precinctId }),
    ...(options.splitId === undefined ? {} : { splitId: options.splitId }),
  };
  if (isObject(doc) && type === 'VRI.VoterRecordResults') {
    return ok(
      list(doc.VoterRecord)
        .filter(isObject)
        .map((record, i) => {
          const status =
            record.VoterStatus === 'other'
              ? leaf(record.OtherStatus) || 'other'
              : leaf(record.VoterStatus);
          const fromRecord = precinctFields(record);
          return voterRow(i + 1, `VoterRecord[${i}].Voter`, record.Voter as Json, {
            status: status || 'active',
            precinct:
              fromRecord.precinctId === undefined ? { ...precinct, ...fromRecord } : fromRecord,
          });
        }),
    );
  }
  if (isObject(doc) && type === 'VRI.VoterRecordsRequest') {
    const types = list(doc.Type);
    if (!types.includes('registration')) {
      return err(
        new RollImportError(
          [
            {
              row: 1,
              field: 'Type',
              message: `is ${JSON.stringify(types)}: only a registration request adds a voter to the roll.`,
            },
          ],
          'The VRI file',
        ),
      );
    }
    const transaction = leaf(doc.TransactionId);
    return ok([
      voterRow(1, 'Subject', doc.Subject as Json, {
        ...(transaction === '' ? {} : { voterId: `vri-${transaction}` }),
        status: 'active',
        precinct,
      }),
    ]);
  }
  // validators hold only the two types handled above.
  throw new Error(`no VRI mapping for document type ${String(type)}`);
}
