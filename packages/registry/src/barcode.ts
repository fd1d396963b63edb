import { InvalidInputError, err, ok, type Result } from '@vigil/core';

/**
 * The text payload of the PDF417 barcode on a North American driver's licence or ID
 * card (AAMVA DL/ID Card Design Standard, 2020, Annex D): a header, then subfiles of
 * data elements, each a three-letter element id followed by its value, separated by line
 * feeds. The barcode reader decodes the PDF417 symbol; this reads the text it returns.
 *
 * Header (D.12.3): "@", LF, RS, CR, file type "ANSI " ("AAMVA" before 2003), issuer
 * identification number (6 digits), AAMVA version (2), jurisdiction version (2, from
 * version 2), number of entries (2), then per subfile: type ("DL", "ID", "Z?"), offset
 * (4) and length (4).
 *
 * Elements read: DAQ document number; DCS family name (DAB in version 1); DAC given name
 * (version 4 on) or DCT given names (versions 2 and 3); DAA full name (version 1); DBB
 * date of birth, MMDDCCYY in the USA and CCYYMMDD in Canada and in version 1; DCG country.
 */

export interface IdCardData {
  /** Issuer identification number: which jurisdiction issued the card. */
  readonly iin: string;
  readonly aamvaVersion: number;
  /** DAQ, as printed (normalise before comparing). */
  readonly documentNumber: string;
  readonly familyName?: string;
  readonly givenName?: string;
  /** YYYY-MM-DD. */
  readonly birthDate?: string;
  /** DCG: USA or CAN. */
  readonly country?: string;
}

const HINT =
  'Scan the barcode on the back of the card again; if it still fails, search by name and date of birth.';

function invalid(message: string): Result<never, InvalidInputError> {
  return err(
    new InvalidInputError(`This is not a readable ID card barcode: ${message}`, { hint: HINT }),
  );
}

function isoDate(y: string, m: string, d: string): string | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day) {
    return undefined;
  }
  return `${y}-${m}-${d}`;
}

/** DBB in the order the card's country and version use, else the other order if only it is a date. */
function readDate(value: string, yearFirst: boolean): string | undefined {
  if (!/^\d{8}$/.test(value)) return undefined;
  const mdy = isoDate(value.slice(4, 8), value.slice(0, 2), value.slice(2, 4));
  const ymd = isoDate(value.slice(0, 4), value.slice(4, 6), value.slice(6, 8));
  return yearFirst ? (ymd ?? mdy) : (mdy ?? ymd);
}

/**
 * Reads the payload. Err InvalidInputError, saying what is missing, when the text has no
 * AAMVA header, no DL or ID subfile, or neither a document number nor name and birth date.
 *
 * @example
 *   const card = parseAamvaPayload('@\n\x1e\rANSI 636014090102DL00410279ZC03200024DLDAQD1234567\nDCSNUNEZ\n...');
 */
export function parseAamvaPayload(payload: string): Result<IdCardData, InvalidInputError> {
  const s = payload.replace(/^\s+(?=@)/, '');
  if (!s.startsWith('@'))
    return invalid('it does not start with the AAMVA compliance indicator "@".');
  const at = s.slice(0, 12).search(/ANSI |AAMVA/);
  if (at < 0) return invalid('its header has no file type "ANSI ".');
  let p = at + 5;
  const iin = s.slice(p, p + 6);
  const version = Number(s.slice(p + 6, p + 8));
  if (!/^\d{6}$/.test(iin) || !/^\d{2}$/.test(s.slice(p + 6, p + 8))) {
    return invalid('its header does not give an issuer number and an AAMVA version.');
  }
  p += version >= 2 ? 10 : 8; // the jurisdiction version exists from version 2 on
  const entries = Number(s.slice(p, p + 2));
  if (!/^\d{2}$/.test(s.slice(p, p + 2)) || entries < 1) {
    return invalid('its header does not say how many subfiles follow.');
  }
  p += 2;
  let subfile: { type: string; offset: number; length: number } | undefined;
  for (let k = 0; k < entries; k++) {
    const d = s.slice(p + k * 10, p + k * 10 + 10);
    const m = /^([A-Z]{2})(\d{4})(\d{4})$/.exec(d);
    if (m === null) return invalid(`subfile designator ${k + 1} of the header is damaged.`);
    if (subfile === undefined && (m[1] === 'DL' || m[1] === 'ID')) {
      subfile = { type: m[1], offset: Number(m[2]), length: Number(m[3]) };
    }
  }
  if (subfile === undefined) return invalid('it holds no DL or ID subfile.');
  const designatorsEnd = p + entries * 10;
  // Readers often drop or rewrite the control characters, which shifts the offsets: when
  // the subfile is not where the header says, take it where it starts after the header.
  let start = s.startsWith(subfile.type, subfile.offset) ? subfile.offset : -1;
  if (start < 0) start = s.indexOf(subfile.type, designatorsEnd);
  if (start < 0) return invalid(`its ${subfile.type} subfile is missing.`);
  const body = s.slice(start + 2, start === subfile.offset ? start + subfile.length : undefined);

  const elements = new Map<string, string>();
  // eslint-disable-next-line no-control-regex -- LF, CR and RS are the AAMVA separators
  for (const line of body.split(/[\n\r\x1e]+/)) {
    const m = /^(D[A-Z]{2})(.*)$/.exec(line);
    if (m !== null && !elements.has(m[1]!)) elements.set(m[1]!, m[2]!.trim());
  }
  const get = (id: string): string | undefined => {
    const v = elements.get(id);
    return v === undefined || v === '' || /^(NONE|UNAVL)$/i.test(v) ? undefined : v;
  };
  const documentNumber = get('DAQ') ?? '';
  let familyName = get('DCS') ?? get('DAB');
  let givenName = get('DAC') ?? get('DCT')?.split(/[ ,]/)[0];
  const fullName = get('DAA');
  if (fullName !== undefined && (familyName === undefined || givenName === undefined)) {
    // Version 1: "FAMILY,GIVEN,MIDDLE".
    const [family, given] = fullName.split(',');
    familyName ??= family?.trim() || undefined;
    givenName ??= given?.trim() || undefined;
  }
  const country = get('DCG');
  const dbb = get('DBB');
  const birthDate = dbb === undefined ? undefined : readDate(dbb, country === 'CAN' || version < 2);
  if (dbb !== undefined && birthDate === undefined) {
    return invalid(`its date of birth (DBB) "${dbb}" is not a date.`);
  }
  if (documentNumber === '' && (familyName === undefined || birthDate === undefined)) {
    return invalid(
      'it has no document number (DAQ), and no family name (DCS) with a date of birth (DBB).',
    );
  }
  return ok({
    iin,
    aamvaVersion: version,
    documentNumber,
    ...(familyName === undefined ? {} : { familyName }),
    ...(givenName === undefined ? {} : { givenName }),
    ...(birthDate === undefined ? {} : { birthDate }),
    ...(country === undefined ? {} : { country }),
  });
}
