import { createHmac } from 'node:crypto';
import { bigToBytes, P_BYTES, Q_BYTES } from './group.ts';

/**
 * ElectionGuard 2.0's hash H(key; data) = HMAC-SHA-256(key, data) (spec 2.0 §5.1). The data
 * is the concatenation of the parts: one domain-separation byte first, then elements of Z_p
 * as 512 bytes and of Z_q (and hash values) as 32 bytes, big-endian, integers as 4 bytes,
 * strings as their UTF-8 bytes, exactly as egk serializes them so record hashes reproduce.
 */
export type HashPart = Uint8Array | string;

export function hashH(key: Uint8Array, ...parts: readonly HashPart[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** The domain-separation byte that opens each hash (spec 2.0 §5.1, e.g. 0x21 for range proofs). */
export function tag(value: number): Uint8Array {
  return Uint8Array.of(value);
}

/** An element of Z_p as 512 big-endian bytes. */
export function elP(x: bigint): Uint8Array {
  return bigToBytes(x, P_BYTES);
}

/** An element of Z_q as 32 big-endian bytes. */
export function elQ(x: bigint): Uint8Array {
  return bigToBytes(x, Q_BYTES);
}

/** A 32-bit integer (guardian index, contest index, n, k) as 4 big-endian bytes. */
export function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The version bytes H_V: "v2.0.0" in UTF-8 padded with zeros to 32 bytes (spec 2.0 §3.1.2). */
export const VERSION_BYTES: Uint8Array = (() => {
  const b = Buffer.alloc(32);
  b.write('v2.0.0', 'utf8');
  return b;
})();
