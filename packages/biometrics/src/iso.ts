import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import {
  decodeOrientationField,
  encodeOrientationField,
  FIELD_BLOCK_TYPE,
  type OrientationField,
} from './orientation-field.ts';
import { MinutiaKind, type FingerprintTemplate } from './template.ts';

/**
 * ISO/IEC 19794-2:2005 finger minutiae record (FMR), the interchange form.
 *
 * Layout (big-endian), §7:
 * - record header, 24 bytes: "FMR\0", version " 20\0", total record length (4),
 *   capture equipment (2: 4 bits compliance, 12 bits id), image width (2), height (2),
 *   x and y resolution in pixels per centimetre (2 + 2), number of finger views (1),
 *   reserved (1);
 * - per finger view, 4 bytes: finger position (1), view number (4 bits) and impression
 *   type (4 bits), finger quality 0..100 (1), number of minutiae (1);
 * - per minutia, 6 bytes: type (2 bits: 01 ending, 10 bifurcation, 00 other) and x (14
 *   bits), reserved (2 bits) and y (14 bits), angle (1 byte, units of 360/256 = 1.40625
 *   degrees, counter-clockwise from the x axis), quality (1, 0..100);
 * - extended data block length (2), then that many bytes: blocks of type (2), data
 *   length (2) and data (§7.5; types 0x0100 and up are vendor-defined). Ours is the
 *   coarse orientation field (orientation-field.ts, type "VF"); other blocks are skipped.
 */

const HEADER = 24;
/** One ISO angle unit, 360/256 degrees, in radians. */
export const ANGLE_UNIT = (2 * Math.PI) / 256;

/** Rounds a direction to the ISO angle grid, so templates survive the ISO round trip. */
export function quantizeDirection(radians: number): number {
  const k = Math.round(radians / ANGLE_UNIT);
  return (((k % 256) + 256) % 256) * ANGLE_UNIT;
}
const VIEW = 4;
const MINUTIA = 6;
/** 500 dpi in pixels per centimetre, the unit of the ISO resolution fields. */
const PPCM_500 = 197;
/** Largest record we read: 255 minutiae in each of a few views is far under this. */
const MAX_RECORD = 64 * 1024;

export interface IsoOptions {
  /** ISO finger position code (0 unknown, 1 right thumb, ... 10 left little). */
  readonly fingerPosition?: number;
}

/** Writes the template as an ISO/IEC 19794-2:2005 record with one finger view. */
export function writeIsoTemplate(t: FingerprintTemplate, options: IsoOptions = {}): Uint8Array {
  const n = Math.min(255, t.x.length);
  const field =
    t.orientationField === undefined ? undefined : encodeOrientationField(t.orientationField);
  const extended = field === undefined ? 0 : 4 + field.length;
  const length = HEADER + VIEW + n * MINUTIA + 2 + extended;
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  out.set([0x46, 0x4d, 0x52, 0, 0x20, 0x32, 0x30, 0], 0);
  v.setUint32(8, length);
  v.setUint16(12, 0);
  v.setUint16(14, Math.min(0xffff, t.width));
  v.setUint16(16, Math.min(0xffff, t.height));
  v.setUint16(18, PPCM_500);
  v.setUint16(20, PPCM_500);
  out[22] = 1;
  out[23] = 0;
  out[24] = Math.max(0, Math.min(10, options.fingerPosition ?? 0));
  out[25] = 0; // view 0, impression type 0 (live-scan plain)
  out[26] = Math.max(0, Math.min(100, Math.round(t.quality)));
  out[27] = n;
  for (let i = 0; i < n; i++) {
    const p = HEADER + VIEW + i * MINUTIA;
    const x = Math.max(0, Math.min(0x3fff, Math.round(t.x[i]!)));
    const y = Math.max(0, Math.min(0x3fff, Math.round(t.y[i]!)));
    const kind = t.kind[i]! & 3;
    v.setUint16(p, (kind << 14) | x);
    v.setUint16(p + 2, y);
    // Image angles turn clockwise (y down); ISO angles turn counter-clockwise.
    const k = Math.round(t.direction[i]! / ANGLE_UNIT) & 0xff;
    out[p + 4] = (256 - k) & 0xff;
    out[p + 5] = Math.max(0, Math.min(100, Math.round(t.reliability[i]! * 100)));
  }
  const ext = HEADER + VIEW + n * MINUTIA;
  v.setUint16(ext, extended);
  if (field !== undefined) {
    v.setUint16(ext + 2, FIELD_BLOCK_TYPE);
    v.setUint16(ext + 4, field.length);
    out.set(field, ext + 6);
  }
  return out;
}

type IsoResult = Result<FingerprintTemplate, InvalidInputError>;

const invalid = (message: string): IsoResult =>
  err(
    new InvalidInputError(`Not a valid ISO/IEC 19794-2:2005 template: ${message}`, {
      hint: 'Export the template again in ISO/IEC 19794-2:2005 format, or give the image.',
    }),
  );

/** True if the bytes start like an ISO/IEC 19794-2 finger minutiae record. */
export function looksLikeIsoTemplate(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x46 &&
    bytes[1] === 0x4d &&
    bytes[2] === 0x52 &&
    bytes[3] === 0
  );
}

/**
 * Reads an ISO/IEC 19794-2:2005 record. Every length and count is checked against the
 * bytes actually present before it is used; the first finger view is taken. Coordinates
 * are rescaled to 500 dpi when the record gives another resolution. Never throws.
 */
export function readIsoTemplate(bytes: Uint8Array): IsoResult {
  if (bytes.length < HEADER + VIEW + 2) return invalid(`it is only ${bytes.length} bytes long.`);
  if (bytes.length > MAX_RECORD) return invalid(`it is ${bytes.length} bytes long, too long.`);
  if (!looksLikeIsoTemplate(bytes)) return invalid('it does not start with "FMR".');
  if (bytes[4] !== 0x20 || bytes[5] !== 0x32 || bytes[6] !== 0x30 || bytes[7] !== 0) {
    return invalid('its version is not " 20" (2005).');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = v.getUint32(8);
  if (total !== bytes.length) {
    return invalid(`its header gives ${total} bytes but ${bytes.length} are present.`);
  }
  const width = v.getUint16(14);
  const height = v.getUint16(16);
  const xres = v.getUint16(18);
  const yres = v.getUint16(20);
  const views = bytes[22]!;
  if (views === 0) return invalid('it holds no finger view.');
  if (xres === 0 || yres === 0) return invalid('its resolution is zero.');
  const sx = PPCM_500 / xres;
  const sy = PPCM_500 / yres;
  const quality = bytes[HEADER + 2]!;
  const n = bytes[HEADER + 3]!;
  const minutiaeEnd = HEADER + VIEW + n * MINUTIA;
  if (minutiaeEnd + 2 > bytes.length) {
    return invalid(`it declares ${n} minutiae but is too short to hold them.`);
  }
  const extLength = v.getUint16(minutiaeEnd);
  if (minutiaeEnd + 2 + extLength > bytes.length) {
    return invalid('its extended data runs past the end of the record.');
  }
  if (quality > 100) return invalid(`its finger quality is ${quality}, above 100.`);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const direction = new Float32Array(n);
  const kind = new Uint8Array(n);
  const reliability = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = HEADER + VIEW + i * MINUTIA;
    const a = v.getUint16(p);
    const b = v.getUint16(p + 2);
    const k = a >> 14;
    if (k === 3) return invalid(`minutia ${i + 1} has the reserved type 11.`);
    kind[i] = k === 1 ? MinutiaKind.Ending : k === 2 ? MinutiaKind.Bifurcation : MinutiaKind.Other;
    x[i] = (a & 0x3fff) * sx;
    y[i] = (b & 0x3fff) * sy;
    // Counter-clockwise ISO units back to clockwise image units, computed the way
    // quantizeDirection does so a written and re-read template is bit-identical.
    direction[i] = ((256 - bytes[p + 4]!) % 256) * ANGLE_UNIT;
    reliability[i] = Math.min(100, bytes[p + 5]!) / 100;
  }
  // Our field is in 500 dpi cells; a record at another resolution is someone else's.
  const field =
    xres === PPCM_500 && yres === PPCM_500
      ? findOrientationField(bytes.subarray(minutiaeEnd + 2, minutiaeEnd + 2 + extLength))
      : undefined;
  return ok({
    width: Math.round(width * sx),
    height: Math.round(height * sy),
    quality,
    x,
    y,
    direction,
    kind,
    reliability,
    ...(field === undefined ? {} : { orientationField: field }),
  });
}

/** Walks the extended data blocks for the orientation field; a malformed chain just ends
 * the walk (the blocks are optional evidence, the minutiae stand without them). */
function findOrientationField(ext: Uint8Array): OrientationField | undefined {
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  let at = 0;
  while (at + 4 <= ext.length) {
    const type = v.getUint16(at);
    const length = v.getUint16(at + 2);
    if (at + 4 + length > ext.length) return undefined;
    if (type === FIELD_BLOCK_TYPE)
      return decodeOrientationField(ext.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return undefined;
}
