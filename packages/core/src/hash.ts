import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of the given bytes (or UTF-8 of a string). */
export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** SHA-256 as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Bytes of a hex string. Throws a RangeError naming the problem on odd length or a
 * non-hex character, because silently dropping characters (as Buffer.from does) hides
 * corrupt input.
 */
export function fromHex(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) {
    throw new RangeError(
      hex.length % 2 === 1
        ? `hex string has an odd number of characters (${hex.length}); each byte takes two`
        : 'hex string contains a character other than 0-9 and a-f',
    );
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** True when the two byte strings are equal, in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
