import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An 8-bit RGB image, row-major, 3 bytes a pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Largest side accepted. A capture camera gives at most about 4,000 pixels a side; larger
 * images are refused from their header before any pixel is decoded, so a hostile or
 * mistaken file (a 10,000 x 10,000 JPEG is 300 MB of RGB) cannot exhaust memory.
 */
export const MAX_FACE_IMAGE_SIDE = 4096;
/** Smallest side that can hold a face the detector can find (it needs about 40 pixels). */
export const MIN_FACE_IMAGE_SIDE = 48;
/** Files larger than this are refused before decoding. */
export const MAX_FACE_FILE_BYTES = 32 * 1024 * 1024;

const HINT = 'Give a JPEG or PNG photograph of one face, at least 48 pixels a side.';

const bad = (message: string): Result<never, InvalidInputError> =>
  err(new InvalidInputError(message, { hint: HINT }));

/** Width and height read from a JPEG (SOFn marker) or PNG (IHDR) header, without decoding. */
export function readImageSize(
  bytes: Uint8Array,
): Result<{ format: 'jpeg' | 'png'; width: number; height: number }, InvalidInputError> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) return bad('The file is not a JPEG or PNG image.');
  if (bytes.length < 24) return bad('The file is too short to be an image.');
  if (
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47 &&
    bytes[12] === 0x49 &&
    bytes[13] === 0x48
  ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return ok({ format: 'png', width: view.getUint32(16), height: view.getUint32(20) });
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the JPEG segments (ITU T.81 §B.1.1) to the first start-of-frame marker.
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return bad('The JPEG file is damaged: no frame header was found.');
      const marker = bytes[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
      const isSof =
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        const height = (bytes[i + 5]! << 8) | bytes[i + 6]!;
        const width = (bytes[i + 7]! << 8) | bytes[i + 8]!;
        return ok({ format: 'jpeg', width, height });
      }
      if (length < 2) return bad('The JPEG file is damaged: a segment has an invalid length.');
      i += 2 + length;
    }
    return bad('The JPEG file is damaged or truncated: no frame header was found.');
  }
  return bad('The file is not a JPEG or PNG image.');
}

/**
 * Decodes a JPEG or PNG photograph to RGB. The size is checked from the header first;
 * nothing here throws on malformed input.
 *
 * @example
 *   const img = decodeFaceImage(await readFile('voter.jpg'));
 *   if (!img.ok) console.error(img.error.message);
 */
export function decodeFaceImage(bytes: Uint8Array): Result<RgbImage, InvalidInputError> {
  if (bytes.length > MAX_FACE_FILE_BYTES) {
    return bad(`The file is ${bytes.length} bytes; face images above 32 MB are refused.`);
  }
  const size = readImageSize(bytes);
  if (!size.ok) return size;
  const { width, height, format } = size.value;
  if (width > MAX_FACE_IMAGE_SIDE || height > MAX_FACE_IMAGE_SIDE) {
    return bad(
      `The image is ${width} x ${height} pixels; images above ${MAX_FACE_IMAGE_SIDE} pixels a side are refused.`,
    );
  }
  if (width < MIN_FACE_IMAGE_SIDE || height < MIN_FACE_IMAGE_SIDE) {
    return bad(`The image is ${width} x ${height} pixels, too small to hold a face.`);
  }
  try {
    if (format === 'jpeg') {
      const d = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: (MAX_FACE_IMAGE_SIDE * MAX_FACE_IMAGE_SIDE) / 1e6,
        maxMemoryUsageInMB: 256,
      });
      return checkDecoded(d.width, d.height, d.data, 3);
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return checkDecoded(png.width, png.height, png.data, 4);
  } catch (e) {
    // The third-party decoders throw on corrupt input; that is bad input, not a bug.
    const reason = e instanceof Error ? e.message : String(e);
    return bad(`The image file is damaged or truncated (${reason}).`);
  }
}

function checkDecoded(
  width: number,
  height: number,
  data: Uint8Array,
  channels: 3 | 4,
): Result<RgbImage, InvalidInputError> {
  if (data.length < width * height * channels) return bad('The image file is truncated.');
  if (channels === 3) return ok({ width, height, data });
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = data[p]!;
    rgb[q + 1] = data[p + 1]!;
    rgb[q + 2] = data[p + 2]!;
  }
  return ok({ width, height, data: rgb });
}
