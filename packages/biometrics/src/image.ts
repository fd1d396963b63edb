import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import { PNG } from 'pngjs';
import UTIF from 'utif2';

/** An 8-bit grayscale image, row-major, 0 = black. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/**
 * Largest side we accept. A fingerprint at 1000 dpi is under 1,000 pixels wide; a slap of
 * four fingers about 3,200. Anything bigger is refused from its header, before any pixel
 * is decoded, so a hostile or mistaken file cannot exhaust memory.
 */
export const MAX_IMAGE_SIDE = 4096;
/** Smallest side that can hold a few ridges at 500 dpi (about 1.5 mm of skin). */
export const MIN_IMAGE_SIDE = 32;

type ImageResult = Result<GrayImage, InvalidInputError>;

const bad = (message: string, hint?: string): ImageResult =>
  err(new InvalidInputError(message, hint === undefined ? undefined : { hint }));

const HINT_FORMAT = 'Give an 8-bit grayscale TIFF, PNG or BMP image of one fingerprint.';

/**
 * Decodes a fingerprint image from its bytes: 8-bit grayscale TIFF (utif2), PNG (pngjs)
 * or BMP (our own small bounds-checked reader). Colour, 16-bit and oversized images are
 * refused with a sentence saying why; nothing here throws on malformed input.
 *
 * @example
 *   const img = decodeImage(await readFile('101_1.tif'));
 *   if (!img.ok) console.error(img.error.message);
 */
export function decodeImage(bytes: Uint8Array): ImageResult {
  if (bytes.length < 8) return bad('The file is too short to be an image.', HINT_FORMAT);
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  try {
    if ((b0 === 0x49 && b1 === 0x49) || (b0 === 0x4d && b1 === 0x4d)) return decodeTiff(bytes);
    if (b0 === 0x89 && b1 === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      return decodePng(bytes);
    }
    if (b0 === 0x42 && b1 === 0x4d) return decodeBmp(bytes);
  } catch (e) {
    // The third-party decoders throw on some corrupt inputs; that is bad input, not a bug.
    const reason = e instanceof Error ? e.message : String(e);
    return bad(`The image file is damaged or truncated (${reason}).`, HINT_FORMAT);
  }
  return bad('The file is not a TIFF, PNG or BMP image.', HINT_FORMAT);
}

function checkSize(width: number, height: number): InvalidInputError | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return new InvalidInputError('The image header gives no valid width and height.', {
      hint: HINT_FORMAT,
    });
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    return new InvalidInputError(
      `The image is ${width}x${height} pixels; the largest accepted side is ${MAX_IMAGE_SIDE}.`,
      { hint: 'Crop the image to the fingerprint, or scan one finger at a time.' },
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    return new InvalidInputError(
      `The image is ${width}x${height} pixels; it is too small to hold a fingerprint (at least ${MIN_IMAGE_SIDE}x${MIN_IMAGE_SIDE}).`,
      { hint: HINT_FORMAT },
    );
  }
  return undefined;
}

/**
 * Tags we pass on to the TIFF decoder: what a baseline grayscale image needs. Everything
 * else (sub-IFDs, EXIF, maker notes, further pages) is dropped, because utif2 follows
 * those pointers without loop or size guards: a hostile file could make it loop forever
 * or allocate without bound.
 */
const TIFF_TAGS = new Set([
  256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 339,
]);
const TIFF_TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};
/** Most entries in one directory, and most values in one entry, we accept. */
const TIFF_MAX_ENTRIES = 1000;
const TIFF_MAX_VALUES = 1 << 20;

interface TiffDirectory {
  readonly little: boolean;
  /** Tag -> its numeric values (SHORT or LONG), for the kept tags. */
  readonly tags: Map<number, number[]>;
}

/**
 * Reads the first image directory of a TIFF with every offset and count checked against
 * the file (TIFF 6.0 §2), keeping only the tags in TIFF_TAGS.
 */
function readTiffDirectory(bytes: Uint8Array): TiffDirectory | string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  if (v.getUint16(2, little) !== 42) return 'it is not a classic TIFF (BigTIFF is not read).';
  const ifd = v.getUint32(4, little);
  if (ifd < 8 || ifd + 2 > bytes.length) return 'its image directory lies outside the file.';
  const entries = v.getUint16(ifd, little);
  if (entries === 0 || entries > TIFF_MAX_ENTRIES || ifd + 2 + entries * 12 > bytes.length) {
    return 'its image directory is damaged or truncated.';
  }
  const tags = new Map<number, number[]>();
  for (let k = 0; k < entries; k++) {
    const e = ifd + 2 + k * 12;
    const tag = v.getUint16(e, little);
    const type = v.getUint16(e + 2, little);
    const count = v.getUint32(e + 4, little);
    if (!TIFF_TAGS.has(tag)) continue;
    if (type !== 3 && type !== 4) return `its tag ${tag} has an unexpected type ${type}.`;
    const size = TIFF_TYPE_SIZE[type]! * count;
    if (count === 0 || count > TIFF_MAX_VALUES) return `its tag ${tag} has ${count} values.`;
    const at = size <= 4 ? e + 8 : v.getUint32(e + 8, little);
    if (at + size > bytes.length) return `the values of its tag ${tag} lie outside the file.`;
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      values.push(type === 3 ? v.getUint16(at + 2 * i, little) : v.getUint32(at + 4 * i, little));
    }
    tags.set(tag, values);
  }
  return { little, tags };
}

/**
 * A clean copy for the decoder: the original bytes (so strip offsets stay valid) with a
 * new first directory appended that holds only the kept tags, all as LONG, and no next
 * directory.
 */
function sanitisedTiff(bytes: Uint8Array, dir: TiffDirectory): ArrayBuffer {
  const entries = [...dir.tags.entries()].sort((a, b) => a[0] - b[0]);
  const ifdAt = bytes.length + (bytes.length % 2);
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = 0;
  for (const [, values] of entries) if (values.length > 1) extra += values.length * 4;
  const out = new Uint8Array(ifdAt + ifdSize + extra);
  out.set(bytes);
  const v = new DataView(out.buffer);
  const le = dir.little;
  v.setUint32(4, ifdAt, le);
  v.setUint16(ifdAt, entries.length, le);
  let arrays = ifdAt + ifdSize;
  entries.forEach(([tag, values], k) => {
    const e = ifdAt + 2 + k * 12;
    v.setUint16(e, tag, le);
    v.setUint16(e + 2, 4, le);
    v.setUint32(e + 4, values.length, le);
    if (values.length === 1) {
      v.setUint32(e + 8, values[0]!, le);
    } else {
      v.setUint32(e + 8, arrays, le);
      for (const value of values) {
        v.setUint32(arrays, value, le);
        arrays += 4;
      }
    }
  });
  v.setUint32(ifdAt + 2 + entries.length * 12, 0, le);
  return out.buffer;
}

function decodeTiff(bytes: Uint8Array): ImageResult {
  const dir = readTiffDirectory(bytes);
  if (typeof dir === 'string') return bad(`The TIFF file is damaged: ${dir}`, HINT_FORMAT);
  const first = (tag: number): number | undefined => dir.tags.get(tag)?.[0];
  // Size and type come from the directory, before any pixel is decoded.
  const sizeError = checkSize(first(256) ?? 0, first(257) ?? 0);
  if (sizeError !== undefined) return err(sizeError);
  const w = first(256)!;
  const h = first(257)!;
  const bits = first(258) ?? 1;
  const samples = first(277) ?? 1;
  const photometric = first(262) ?? 1;
  if (samples !== 1 || photometric > 1) {
    return bad(
      `The TIFF image is in colour (${samples} samples per pixel); a fingerprint must be grayscale.`,
      'Convert the image to 8-bit grayscale, or configure the scanner for grayscale.',
    );
  }
  if (bits !== 8) {
    return bad(
      `The TIFF image has ${bits} bits per pixel; only 8-bit grayscale is accepted.`,
      'Convert the image to 8-bit grayscale.',
    );
  }
  const offsets = dir.tags.get(273) ?? dir.tags.get(324) ?? [];
  const counts = dir.tags.get(279) ?? dir.tags.get(325) ?? [];
  if (offsets.length === 0 || offsets.length !== counts.length) {
    return bad('The TIFF file is damaged: it does not say where its pixels are.');
  }
  for (let i = 0; i < offsets.length; i++) {
    if (offsets[i]! + counts[i]! > bytes.length) {
      return bad('The TIFF file is truncated: its pixel data ends before the image does.');
    }
  }
  const clean = sanitisedTiff(bytes, dir);
  const ifd = UTIF.decode(clean)[0];
  if (ifd === undefined) return bad('The TIFF file holds no image.', HINT_FORMAT);
  UTIF.decodeImage(clean, ifd);
  const data = (ifd as { data?: unknown }).data;
  if (!(data instanceof Uint8Array) || data.length < w * h) {
    return bad('The TIFF file is truncated: it holds fewer pixels than its header says.');
  }
  // The bytes of an 8-bit single-sample image are the gray levels; WhiteIsZero is inverted.
  const pixels = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) pixels[i] = photometric === 0 ? 255 - data[i]! : data[i]!;
  return ok({ width: w, height: h, pixels });
}

function decodePng(bytes: Uint8Array): ImageResult {
  // IHDR is the first chunk: width and height at bytes 16..23, bit depth 24, colour type 25.
  if (bytes.length < 33) return bad('The PNG file is truncated.', HINT_FORMAT);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const sizeError = checkSize(width, height);
  if (sizeError !== undefined) return err(sizeError);
  const depth = bytes[24]!;
  const colourType = bytes[25]!;
  if (colourType !== 0) {
    return bad(
      'The PNG image is in colour (or has an alpha channel); a fingerprint must be grayscale.',
      'Convert the image to 8-bit grayscale.',
    );
  }
  if (depth !== 8) {
    return bad(
      `The PNG image has ${depth} bits per pixel; only 8-bit grayscale is accepted.`,
      'Convert the image to 8-bit grayscale.',
    );
  }
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const pixels = new Uint8Array(width * height);
  // pngjs expands to RGBA; the gray level is in the red channel.
  for (let i = 0; i < width * height; i++) pixels[i] = png.data[i * 4]!;
  return ok({ width, height, pixels });
}

function decodeBmp(bytes: Uint8Array): ImageResult {
  // BITMAPFILEHEADER (14 bytes) then at least a BITMAPINFOHEADER (40 bytes).
  if (bytes.length < 54) return bad('The BMP file is truncated.', HINT_FORMAT);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) return bad('The BMP file uses an unsupported old header.', HINT_FORMAT);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  const sizeError = checkSize(width, height);
  if (sizeError !== undefined) return err(sizeError);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (bits !== 8) {
    return bad(
      `The BMP image has ${bits} bits per pixel; only 8-bit grayscale (palette) is accepted.`,
      'Convert the image to 8-bit grayscale.',
    );
  }
  if (compression !== 0)
    return bad('The BMP image is compressed; only uncompressed BMP is accepted.');
  let paletteSize = view.getUint32(46, true);
  if (paletteSize === 0) paletteSize = 256;
  const paletteOffset = 14 + headerSize;
  if (paletteSize > 256 || paletteOffset + paletteSize * 4 > bytes.length) {
    return bad('The BMP palette is damaged or truncated.');
  }
  const gray = new Uint8Array(256);
  for (let i = 0; i < paletteSize; i++) {
    const p = paletteOffset + i * 4;
    const blue = bytes[p]!;
    const green = bytes[p + 1]!;
    const red = bytes[p + 2]!;
    if (blue !== green || green !== red) {
      return bad(
        'The BMP image has a colour palette; a fingerprint must be grayscale.',
        'Convert the image to 8-bit grayscale.',
      );
    }
    gray[i] = red;
  }
  const stride = (width + 3) & ~3;
  if (dataOffset + stride * height > bytes.length || dataOffset < paletteOffset) {
    return bad('The BMP file is truncated: it holds fewer pixels than its header says.');
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + stride * (topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) pixels[y * width + x] = gray[bytes[row + x]!]!;
  }
  return ok({ width, height, pixels });
}

/** Encodes an 8-bit grayscale BMP (used by tests and tools to produce sample inputs). */
export function encodeBmp(image: GrayImage): Uint8Array {
  const stride = (image.width + 3) & ~3;
  const dataOffset = 14 + 40 + 256 * 4;
  const out = new Uint8Array(dataOffset + stride * image.height);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, out.length, true);
  view.setUint32(10, dataOffset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, image.width, true);
  view.setInt32(22, image.height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 8, true);
  view.setUint32(46, 256, true);
  for (let i = 0; i < 256; i++) {
    out[54 + i * 4] = i;
    out[55 + i * 4] = i;
    out[56 + i * 4] = i;
  }
  for (let y = 0; y < image.height; y++) {
    const row = dataOffset + stride * (image.height - 1 - y);
    out.set(image.pixels.subarray(y * image.width, (y + 1) * image.width), row);
  }
  return out;
}

/**
 * Resamples to 500 dpi, the resolution every later stage is tuned for (ISO/IEC 19794-4
 * names 500 ppi as the common resolution). Bilinear interpolation: scanner resolutions
 * lie within a factor of two of 500 dpi, where bilinear loses no ridge detail.
 */
export function resampleTo500(image: GrayImage, dpi: number): GrayImage {
  if (Math.abs(dpi - 500) < 1) return image;
  const scale = 500 / dpi;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const out = new Uint8Array(width * height);
  const src = image.pixels;
  const sw = image.width;
  const sh = image.height;
  const inv = 1 / scale;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(sh - 1.001, Math.max(0, (y + 0.5) * inv - 0.5));
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(sw - 1.001, Math.max(0, (x + 0.5) * inv - 0.5));
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const i = y0 * sw + x0;
      const top = src[i]! * (1 - fx) + src[i + 1]! * fx;
      const bottom = src[i + sw]! * (1 - fx) + src[i + sw + 1]! * fx;
      out[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, pixels: out };
}
