import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Shared test data (faces), or undefined when it is not on this machine. */
export const sharedFaces = (() => {
  const root =
    process.env.VIGIL_SHARED_DATA ?? join(import.meta.dirname, '../../../../../shared/data');
  const dir = join(root, 'faces', 'LFW_deepfunneled_min20_first8');
  return existsSync(dir) ? dir : undefined;
})();

/** A PNG of one flat grey, `width` x `height` (no face in it). */
export function flatPng(width: number, height: number, grey = 128): Uint8Array {
  const png = new PNG({ width, height });
  png.data.fill(grey);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return new Uint8Array(PNG.sync.write(png));
}

/** The start of a JPEG whose frame header claims `width` x `height`; no pixel data. */
export function jpegHeaderOnly(width: number, height: number): Uint8Array {
  return new Uint8Array([
    0xff,
    0xd8, // SOI
    0xff,
    0xe0,
    0x00,
    0x10,
    0x4a,
    0x46,
    0x49,
    0x46,
    0x00,
    0x01,
    0x01,
    0x00,
    0x00,
    0x01,
    0x00,
    0x01,
    0x00,
    0x00, // APP0
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01, // SOF0
    0xff,
    0xd9,
  ]);
}
