import { G, P, Q } from './group.ts';
import { elP, elQ, hashH, tag, u32, VERSION_BYTES } from './hash.ts';

/** H_P = H(H_V; 0x00, p, q, g) (spec 2.0 eq. 4). */
export function parameterBaseHash(): Buffer {
  return hashH(VERSION_BYTES, tag(0x00), elP(P), elQ(Q), elP(G));
}

/** H_M = H(H_P; 0x01, manifest bytes) (spec 2.0 eq. 5). */
export function manifestHash(hp: Uint8Array, manifestBytes: Uint8Array): Buffer {
  return hashH(hp, tag(0x01), manifestBytes);
}

/** H_B = H(H_P; 0x02, H_M, n, k) (spec 2.0 eq. 6). */
export function electionBaseHash(hp: Uint8Array, hm: Uint8Array, n: number, k: number): Buffer {
  return hashH(hp, tag(0x02), hm, u32(n), u32(k));
}

/** H_E = H(H_B; 0x12, K) (spec 2.0 eq. 23). */
export function extendedBaseHash(hb: Uint8Array, jointKey: bigint): Buffer {
  return hashH(hb, tag(0x12), elP(jointKey));
}
