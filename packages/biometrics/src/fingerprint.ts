import { err, type InvalidInputError, type Result } from '@vigil/core';
import { extractMinutiae } from './extract.ts';
import { decodeImage, resampleTo500 } from './image.ts';
import type { FingerprintTemplate } from './template.ts';

export interface ExtractOptions {
  /** Resolution of the image in dots per inch (default 500). */
  readonly dpi?: number;
}

/**
 * Image bytes (TIFF, PNG or BMP) to a template: decode, resample to 500 dpi, extract.
 *
 * @example
 *   const t = extractTemplate(await readFile('101_1.tif'), { dpi: 500 });
 *   if (t.ok) console.log(t.value.x.length, 'minutiae, quality', t.value.quality);
 */
export function extractTemplate(
  bytes: Uint8Array,
  options: ExtractOptions = {},
): Result<FingerprintTemplate, InvalidInputError> {
  const dpi = options.dpi ?? 500;
  const image = decodeImage(bytes);
  if (!image.ok) return image;
  const scaled = resampleTo500(image.value, dpi);
  const extraction = extractMinutiae(scaled);
  if (!extraction.ok) return err(extraction.error);
  return { ok: true, value: extraction.value.template };
}
