import { hash as oneShotHash } from 'node:crypto';
import { IntegrityError, InvalidInputError, constantTimeEqual } from '@vigil/core';

/**
 * RFC 9162 §2.1 Merkle hash trees over SHA-256, as used by Certificate Transparency and
 * every C2SP transparency log.
 *
 * Storage model. A tree of size n is built from *complete* subtrees: the node at
 * (level L, index i) is the root of the perfect subtree over leaves
 * [i * 2^L, (i + 1) * 2^L). Level 0 holds the leaf hashes. Such a node exists (is
 * complete) once the tree holds (i + 1) * 2^L leaves, and its hash never changes after
 * that, so a store can keep every complete node in one append-only table keyed by
 * (level, index). Every root, inclusion proof and consistency proof of any size up to
 * the current one is a function of O(log n) of those nodes: the functions below take a
 * synchronous `getNode(level, index)` and only ever ask for complete nodes.
 *
 * For asynchronous storage, the `*Nodes` planners list exactly which nodes a result
 * needs, so a store can fetch them in one query and then serve `getNode` from a map.
 */

/** Length of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/**
 * Longest inclusion or consistency proof for any tree of at most 2^53 - 1 leaves
 * (sizes are JavaScript safe integers). Longer proofs are rejected unread.
 */
export const MAX_PROOF_LENGTH = 64;

/** Identifies a complete subtree: leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * Reads the stored hash of a complete node. It may return undefined when the node is
 * missing, which the proof functions turn into an IntegrityError naming the node.
 */
export type GetNode = (level: number, index: number) => Uint8Array | undefined;

/** A node with its hash, as produced when leaves are appended. */
export interface NodeHash extends NodeId {
  readonly hash: Uint8Array;
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

function sha256Of(data: Uint8Array): Uint8Array {
  // One-shot hashing to a binary (latin1) string, copied into a small typed array, is over twice
  // as fast as a Buffer digest: it allocates no ArrayBuffer per hash, which is what
  // dominates building a tree of millions of leaves (createHash().digest() is slower still).
  const digest = oneShotHash('sha256', data, 'binary');
  const out = new Uint8Array(HASH_SIZE);
  for (let i = 0; i < HASH_SIZE; i++) out[i] = digest.charCodeAt(i);
  return out;
}

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256Of(new Uint8Array(0));

/** MTH({d(0)}) = SHA-256(0x00 || d(0)) — the hash of one entry (RFC 9162 §2.1.1). */
export function leafHash(entry: Uint8Array): Uint8Array {
  const input = new Uint8Array(entry.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(entry, 1);
  return sha256Of(input);
}

// Reused input buffer for node hashes: hashing is synchronous and copies its input, and
// not allocating 65 bytes per node makes building a large tree about a third faster.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** SHA-256(0x01 || left || right) — the hash of an interior node (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256Of(nodeInput);
  }
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256Of(input);
}

// ---------------------------------------------------------------------------------------
// Integer helpers. Sizes may exceed 2^32, so no bitwise operators on them.

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let x = n;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/** Largest power of two <= n, for n >= 1. */
function largestPowerOfTwoAtMost(n: number): number {
  if (n < 0x100000000) return 2 ** (31 - Math.clz32(n));
  let p = 0x100000000;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Largest power of two strictly less than n, for n >= 2 (the k of RFC 9162 §2.1.1). */
function splitPoint(n: number): number {
  return largestPowerOfTwoAtMost(n - 1);
}

function log2Exact(p: number): number {
  let level = 0;
  let x = p;
  while (x > 1) {
    x /= 2;
    level += 1;
  }
  return level;
}

// ---------------------------------------------------------------------------------------
// Input validation at the boundary.

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(
      `${what} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not ${String(value)}`,
    );
  }
}

/** Throws an InvalidInputError unless 0 <= index < size. */
export function checkInclusionArgs(index: number, size: number): void {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  if (index >= size) {
    throw new InvalidInputError(
      size === 0
        ? `leaf index ${index} is out of range: the tree is empty`
        : `leaf index ${index} is out of range: a tree of size ${size} has leaves 0 to ${size - 1}`,
    );
  }
}

/** Throws an InvalidInputError unless 0 <= oldSize <= newSize. */
export function checkConsistencyArgs(oldSize: number, newSize: number): void {
  checkCount(oldSize, 'old tree size');
  checkCount(newSize, 'new tree size');
  if (oldSize > newSize) {
    throw new InvalidInputError(
      `old tree size ${oldSize} is larger than new tree size ${newSize}; a log only grows`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Planning: which complete nodes make up a hash.

/**
 * The complete nodes whose left-to-right fold is MTH(D[start:end]). Valid for the ranges
 * RFC 9162's recursion produces, whose start is a multiple of a power of two at least as
 * large as the range: the range splits into perfect subtrees by the binary digits of
 * its length, largest first.
 */
function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let at = start;
  while (at < end) {
    const width = largestPowerOfTwoAtMost(end - at);
    if (at % width !== 0) {
      throw new Error(`internal error: range [${start}, ${end}) is not aligned at ${at}`);
    }
    out.push({ level: log2Exact(width), index: at / width });
    at += width;
  }
  return out;
}

/** The complete nodes that make up the root of a tree of `size` leaves, largest first. */
export function rootNodes(size: number): NodeId[] {
  checkCount(size, 'tree size');
  return rangeNodes(0, size);
}

/**
 * The nodes behind each hash of the inclusion proof of leaf `index` in a tree of `size`
 * (RFC 9162 §2.1.3.1, PATH): element j of the proof is the fold of plan[j].
 */
export function inclusionProofNodes(index: number, size: number): NodeId[][] {
  checkInclusionArgs(index, size);
  // PATH(m, D[a:b]) descends from the root; each step records the sibling subtree, so the
  // siblings come out top first and are reversed to the RFC's leaf-first order.
  const plan: NodeId[][] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      plan.push(rangeNodes(start + k, end));
      end = start + k;
    } else {
      plan.push(rangeNodes(start, start + k));
      start += k;
    }
  }
  return plan.reverse();
}

/**
 * The nodes behind each hash of the consistency proof from `oldSize` to `newSize`
 * (RFC 9162 §2.1.4.1, PROOF and SUBPROOF). Empty when oldSize is 0 or equals newSize:
 * RFC 9162 defines proofs only for 0 < m < n, and C2SP tlog-witness requires the
 * proof from size 0 to be empty.
 */
export function consistencyProofNodes(oldSize: number, newSize: number): NodeId[][] {
  checkConsistencyArgs(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return [];
  const m = oldSize;
  const plan: NodeId[][] = [];
  let start = 0;
  let end = newSize;
  // `complete` is SUBPROOF's b: true while D[start:m] is a subtree the verifier already
  // has as the old root, so it need not be sent.
  let complete = true;
  for (;;) {
    if (m === end) {
      if (!complete) plan.push(rangeNodes(start, end));
      break;
    }
    const k = splitPoint(end - start);
    if (m <= start + k) {
      plan.push(rangeNodes(start + k, end));
      end = start + k;
    } else {
      plan.push(rangeNodes(start, start + k));
      start += k;
      complete = false;
    }
  }
  return plan.reverse();
}

/**
 * Every complete node that becomes available when the leaf at `leafIndex` is appended:
 * the leaf itself (level 0), and each ancestor whose subtree that leaf completes.
 */
export function nodesCompletedBy(leafIndex: number): NodeId[] {
  checkCount(leafIndex, 'leaf index');
  const out: NodeId[] = [{ level: 0, index: leafIndex }];
  let level = 0;
  let index = leafIndex;
  while (index % 2 === 1) {
    index = (index - 1) / 2;
    level += 1;
    out.push({ level, index });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Computing from stored nodes.

function readNode(getNode: GetNode, id: NodeId): Uint8Array {
  const h = getNode(id.level, id.index);
  if (h?.length !== HASH_SIZE) {
    throw new IntegrityError(
      h === undefined
        ? `Merkle node (level ${id.level}, index ${id.index}) is missing from storage`
        : `Merkle node (level ${id.level}, index ${id.index}) has ${h.length} bytes, not ${HASH_SIZE}`,
      {
        hint: 'the ledger store is incomplete or corrupt; rebuild its node table from the entries',
      },
    );
  }
  return h;
}

/** Folds perfect subtrees, largest (leftmost) first, into the hash of their union. */
export function foldNodes(ids: readonly NodeId[], getNode: GetNode): Uint8Array {
  const last = ids[ids.length - 1];
  if (last === undefined) return EMPTY_ROOT.slice();
  let acc = readNode(getNode, last);
  for (let i = ids.length - 2; i >= 0; i--) {
    acc = nodeHash(readNode(getNode, ids[i]!), acc);
  }
  // Copy so the caller never holds a view into the store's memory.
  return acc.slice();
}

/** MTH(D[0:size]) from stored complete nodes (RFC 9162 §2.1.1). */
export function rootHash(size: number, getNode: GetNode): Uint8Array {
  return foldNodes(rootNodes(size), getNode);
}

/** The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 §2.1.3.1). */
export function inclusionProof(index: number, size: number, getNode: GetNode): Uint8Array[] {
  return inclusionProofNodes(index, size).map((ids) => foldNodes(ids, getNode));
}

/** The consistency proof from `oldSize` to `newSize` (RFC 9162 §2.1.4.1). */
export function consistencyProof(oldSize: number, newSize: number, getNode: GetNode): Uint8Array[] {
  return consistencyProofNodes(oldSize, newSize).map((ids) => foldNodes(ids, getNode));
}

/**
 * The nodes to store when appending the leaf with hash `leaf` at `leafIndex`, given the
 * nodes already stored: the leaf, then each parent it completes (bottom up).
 *
 * @example
 *   for (const n of nodesForAppend(size, leafHash(bytes), getNode)) insert(n);
 */
export function nodesForAppend(leafIndex: number, leaf: Uint8Array, getNode: GetNode): NodeHash[] {
  if (leaf.length !== HASH_SIZE) {
    throw new InvalidInputError(`a leaf hash has ${HASH_SIZE} bytes, not ${leaf.length}`);
  }
  const ids = nodesCompletedBy(leafIndex);
  const out: NodeHash[] = [];
  let acc: Uint8Array = leaf.slice();
  for (const id of ids) {
    if (id.level > 0) {
      const left = readNode(getNode, { level: id.level - 1, index: id.index * 2 });
      acc = nodeHash(left, acc);
    }
    out.push({ level: id.level, index: id.index, hash: acc });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Verification. These never throw: malformed input is simply not a valid proof.

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function isProof(proof: unknown): proof is readonly Uint8Array[] {
  return Array.isArray(proof) && proof.length <= MAX_PROOF_LENGTH && proof.every(isHash);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Shifts fn and sn right together until fn is odd or zero (RFC 9162 §2.1.3.2 step 4b-ii). */
function shiftWhileEven(fn: number, sn: number): [number, number] {
  let f = fn;
  let s = sn;
  while (f % 2 === 0 && f !== 0) {
    f /= 2;
    s = Math.floor(s / 2);
  }
  return [f, s];
}

/**
 * The root that an inclusion proof implies, or undefined when the proof cannot belong to
 * a tree of that size (RFC 9162 §2.1.3.2 steps 1 to 4).
 */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!isHash(leaf) || !isCount(index) || !isCount(size) || !isProof(proof)) return undefined;
  if (index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * True when `proof` proves that the leaf with hash `leaf` sits at `index` in the tree of
 * `size` leaves whose root is `root` (RFC 9162 §2.1.3.2). Returns false, never throws,
 * for any malformed input. The size itself is bound by the signed checkpoint that
 * carries the root, not by the proof: check the size against the checkpoint.
 *
 * @example
 *   verifyInclusion(leafHash(entryBytes), 5, 8, proof, checkpoint.rootHash) // true
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(root)) return false;
  const computed = rootFromInclusionProof(leaf, index, size, proof);
  return computed !== undefined && constantTimeEqual(computed, root);
}

/**
 * True when `proof` proves that the tree of `oldSize` leaves with root `oldRoot` is a
 * prefix of the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2).
 * Returns false, never throws, for any malformed input.
 *
 * Sizes outside RFC 9162's 0 < m < n: equal sizes need an empty proof and equal roots;
 * from size 0 the proof must be empty and the old root must be the empty-tree root.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isCount(oldSize) || !isCount(newSize) || !isProof(proof)) return false;
  if (!isHash(oldRoot) || !isHash(newRoot)) return false;
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && constantTimeEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && constantTimeEqual(oldRoot, EMPTY_ROOT);

  // Step 1: a proof between distinct non-empty sizes is never empty.
  const first = proof[0];
  if (first === undefined) return false;
  // Step 2: when the old tree is a perfect subtree, its root is the proof's implicit head.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  // Steps 3 and 4.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = fr;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7. Both comparisons run whatever the first one says.
  const oldMatches = constantTimeEqual(fr, oldRoot);
  const newMatches = constantTimeEqual(sr, newRoot);
  return sn === 0 && oldMatches && newMatches;
}
