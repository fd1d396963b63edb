import { InvalidInputError } from '@vigil/core';
import {
  HASH_SIZE,
  checkConsistencyArgs,
  checkInclusionArgs,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  type GetNode,
} from './merkle.ts';

/** One level of complete nodes, packed in a growable byte array (32 bytes per node). */
class HashLevel {
  private bytes = new Uint8Array(HASH_SIZE * 64);
  count = 0;

  push(hash: Uint8Array): void {
    const offset = this.count * HASH_SIZE;
    if (offset + HASH_SIZE > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, offset);
    this.count += 1;
  }

  /** A view (not a copy) of node `index`; undefined past the end. */
  get(index: number): Uint8Array | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const offset = index * HASH_SIZE;
    return this.bytes.subarray(offset, offset + HASH_SIZE);
  }

  /** Drops the spare capacity; returns the bytes released. */
  trim(): number {
    const used = this.count * HASH_SIZE;
    const spare = this.bytes.length - used;
    if (spare > 0) this.bytes = this.bytes.slice(0, used);
    return spare;
  }

  get byteLength(): number {
    return this.bytes.length;
  }
}

/**
 * An append-only RFC 9162 Merkle tree held in memory: every complete node of every level
 * (about 2 x 32 bytes per leaf), so that roots and proofs for any earlier size cost
 * O(log n) node reads. It is the in-memory counterpart of a stored node table, and
 * serves the same `getNode` functions.
 *
 * @example
 *   const tree = new MerkleTree();
 *   tree.append(new TextEncoder().encode('first entry'));
 *   const proof = tree.inclusionProof(0, tree.size);
 *   verifyInclusion(tree.leafHash(0), 0, tree.size, proof, tree.root()); // true
 */
export class MerkleTree {
  private readonly levels: HashLevel[] = [new HashLevel()];

  /**
   * Reads a complete node, as a view into the tree's memory (do not modify it); pass it
   * to the function-based API in merkle.ts, whose results are copies.
   */
  readonly getNode: GetNode = (level, index) => this.levels[level]?.get(index);

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]!.count;
  }

  /** Appends an entry (hashed as a leaf) and returns its index. */
  append(entry: Uint8Array): number {
    return this.appendLeafHash(leafHash(entry));
  }

  /** Appends an already computed leaf hash and returns its index. */
  appendLeafHash(hash: Uint8Array): number {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new InvalidInputError(
        `a leaf hash is ${HASH_SIZE} bytes; got ${hash instanceof Uint8Array ? hash.length : typeof hash}`,
      );
    }
    const index = this.size;
    if (!Number.isSafeInteger(index + 1)) {
      throw new InvalidInputError('the tree is full: its size would exceed 2^53 - 1');
    }
    this.levels[0]!.push(hash);
    // Each new node at an odd position completes its parent.
    let level = 0;
    let current = hash;
    for (;;) {
      const row = this.levels[level]!;
      if (row.count % 2 !== 0) break;
      const left = row.get(row.count - 2)!;
      current = nodeHash(left, current);
      level += 1;
      let parentRow = this.levels[level];
      if (parentRow === undefined) {
        parentRow = new HashLevel();
        this.levels.push(parentRow);
      }
      parentRow.push(current);
    }
    return index;
  }

  /** The leaf hash at `index` (a copy). */
  leafHash(index: number): Uint8Array {
    checkInclusionArgs(index, this.size);
    return this.levels[0]!.get(index)!.slice();
  }

  /** The root of the tree as it was at `size` leaves (default: now). */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size);
    return rootHash(size, this.getNode);
  }

  /** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    checkInclusionArgs(index, size);
    this.checkSize(size);
    return inclusionProof(index, size, this.getNode);
  }

  /** Consistency proof from `oldSize` to `newSize` leaves (RFC 9162 §2.1.4.1). */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    checkConsistencyArgs(oldSize, newSize);
    this.checkSize(newSize);
    return consistencyProof(oldSize, newSize, this.getNode);
  }

  /** Bytes held for node hashes, including spare capacity. */
  get byteLength(): number {
    return this.levels.reduce((sum, l) => sum + l.byteLength, 0);
  }

  /** Releases spare capacity after a bulk load; returns the bytes released. */
  trim(): number {
    return this.levels.reduce((sum, l) => sum + l.trim(), 0);
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InvalidInputError(`tree size must be a whole number, not ${String(size)}`);
    }
    if (size > this.size) {
      throw new InvalidInputError(
        `tree size ${size} is larger than the tree, which has ${this.size} leaves`,
      );
    }
  }
}
