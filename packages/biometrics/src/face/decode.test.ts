import { describe, expect, it } from 'vitest';
import { decodeFaceImage, readImageSize } from './decode.ts';
import { flatPng, jpegHeaderOnly } from './testing.ts';

describe('decodeFaceImage: bad input gets a sentence, never a throw', () => {
  it('refuses a text file', () => {
    const r = decodeFaceImage(
      new TextEncoder().encode('This is a voter list, not a photograph.\n'),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/not a JPEG or PNG/);
  });
  it('refuses an empty or tiny file', () => {
    const r = decodeFaceImage(new Uint8Array(3));
    expect(r.ok).toBe(false);
  });
  it('refuses a 1 x 1 image as too small to hold a face', () => {
    const r = decodeFaceImage(flatPng(1, 1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/1 x 1 pixels, too small/);
  });
  it('refuses a 10000 x 10000 JPEG from its header, before decoding', () => {
    const bytes = jpegHeaderOnly(10_000, 10_000);
    expect(readImageSize(bytes)).toEqual({
      ok: true,
      value: { format: 'jpeg', width: 10_000, height: 10_000 },
    });
    const r = decodeFaceImage(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/10000 x 10000 pixels; images above 4096/);
  });
  it('refuses a 10000 x 10000 PNG from its header', () => {
    const png = flatPng(64, 64);
    const view = new DataView(png.buffer);
    view.setUint32(16, 10_000);
    view.setUint32(20, 10_000);
    const r = decodeFaceImage(png);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/refused/);
  });
  it('reports a truncated JPEG as damaged', () => {
    const r = decodeFaceImage(jpegHeaderOnly(200, 200));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/damaged|truncated/);
  });
  it('decodes a PNG to RGB', () => {
    const r = decodeFaceImage(flatPng(60, 50, 200));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect([r.value.width, r.value.height, r.value.data.length]).toEqual([60, 50, 60 * 50 * 3]);
      expect(r.value.data[0]).toBe(200);
    }
  });
});
