import { concatBytes, sha256 } from '@vigil/core';

/**
 * A deliberately naive transcription of the RFC 9162 §2.1 recursions (MTH, PATH, PROOF
 * and SUBPROOF) over the list of entries, with its own hashing. It recomputes everything
 * from the leaves on each call, so it is slow but obviously right: tests compare the
 * fast node-table implementation against it.
 */

const hashLeaf = (d: Uint8Array): Uint8Array => sha256(concatBytes(new Uint8Array([0]), d));
const hashChildren = (l: Uint8Array, r: Uint8Array): Uint8Array =>
  sha256(concatBytes(new Uint8Array([1]), l, r));

/** The largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) (RFC 9162 §2.1.1). */
export function referenceRoot(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256(new Uint8Array(0));
  if (d.length === 1) return hashLeaf(d[0]!);
  const split = k(d.length);
  return hashChildren(referenceRoot(d.slice(0, split)), referenceRoot(d.slice(split)));
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1). */
export function referencePath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const split = k(d.length);
  if (m < split) {
    return [...referencePath(m, d.slice(0, split)), referenceRoot(d.slice(split))];
  }
  return [...referencePath(m - split, d.slice(split)), referenceRoot(d.slice(0, split))];
}

/**
 * Where each sibling of PATH(m, D[n]) sits: 'L' when the sibling is on the left. Two
 * (index, size) pairs with the same shape make the verifier do the same computation.
 */
export function referencePathShape(m: number, n: number): string {
  if (n <= 1) return '';
  const split = k(n);
  if (m < split) return referencePathShape(m, split) + 'R';
  return referencePathShape(m - split, n - split) + 'L';
}

function subproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [referenceRoot(d)];
  const split = k(d.length);
  if (m <= split) {
    return [...subproof(m, d.slice(0, split), b), referenceRoot(d.slice(split))];
  }
  return [...subproof(m - split, d.slice(split), false), referenceRoot(d.slice(0, split))];
}

/** PROOF(m, D[n]) (RFC 9162 §2.1.4.1), for 0 < m <= n. */
export function referenceConsistency(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, d, true);
}

function subproofShape(m: number, n: number, b: boolean): string {
  if (m === n) return b ? '' : 'S';
  const split = k(n);
  if (m <= split) return subproofShape(m, split, b) + 'R';
  return subproofShape(m - split, n - split, false) + 'L';
}

/**
 * The structure of PROOF(m, D[n]): which side each hash joins on. Two size pairs with
 * the same shape make the consistency verifier do the same computation.
 */
export function referenceConsistencyShape(m: number, n: number): string {
  return subproofShape(m, n, true);
}
