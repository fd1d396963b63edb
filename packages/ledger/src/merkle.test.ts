import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IntegrityError, InvalidInputError, fromHex, sha256, toHex } from '@vigil/core';
import {
  EMPTY_ROOT,
  MAX_PROOF_LENGTH,
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  nodeHash,
  nodesCompletedBy,
  nodesForAppend,
  rootFromInclusionProof,
  rootHash,
  rootNodes,
  verifyConsistency,
  verifyInclusion,
  type GetNode,
} from './merkle.ts';
import { MerkleTree } from './tree.ts';
import {
  referenceConsistency,
  referenceConsistencyShape,
  referencePath,
  referencePathShape,
  referenceRoot,
} from './testing/rfc9162-reference.ts';
import {
  CONSISTENCY_VECTORS,
  INCLUSION_VECTORS,
  LEAF_INPUTS_HEX,
  NODE_HASHES_HEX,
  ROOTS_HEX,
} from './testing/vectors.ts';

const hexes = (hashes: readonly Uint8Array[]): string[] => hashes.map(toHex);
const unhex = (hashes: readonly string[]): Uint8Array[] => hashes.map(fromHex);

function vectorTree(): MerkleTree {
  const tree = new MerkleTree();
  for (const input of LEAF_INPUTS_HEX) tree.append(fromHex(input));
  return tree;
}

/** Entries for generated trees: distinct, and of varying length. */
function entries(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    new TextEncoder().encode(`entry ${i} ${'x'.repeat(i % 7)}`),
  );
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
}

describe('hashing (RFC 9162 §2.1.1)', () => {
  it('hashes the empty tree, leaves and nodes with the RFC prefixes', () => {
    expect(toHex(EMPTY_ROOT)).toBe(ROOTS_HEX[0]);
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(NODE_HASHES_HEX[0]![0]);
    expect(leafHash(fromHex('00'))).toEqual(sha256(fromHex('0000')));
    const [l, r] = [fromHex(NODE_HASHES_HEX[0]![0]!), fromHex(NODE_HASHES_HEX[0]![1]!)];
    expect(toHex(nodeHash(l, r))).toBe(NODE_HASHES_HEX[1]![0]);
  });
});

describe('published vectors (transparency-dev/merkle testonly and proof/verify_test.go)', () => {
  const tree = vectorTree();

  it('gives the published root for every size 0..8', () => {
    ROOTS_HEX.forEach((root, size) => {
      expect(toHex(tree.root(size))).toBe(root);
    });
  });

  it('stores the published hash for every complete node', () => {
    NODE_HASHES_HEX.forEach((row, level) => {
      row.forEach((hash, index) => {
        expect(toHex(tree.getNode(level, index)!)).toBe(hash);
      });
    });
    expect(tree.getNode(4, 0)).toBeUndefined();
    expect(tree.getNode(0, 8)).toBeUndefined();
  });

  it('generates and verifies the published inclusion proofs', () => {
    for (const v of INCLUSION_VECTORS) {
      expect(hexes(tree.inclusionProof(v.index, v.size))).toEqual(v.proof);
      const leaf = leafHash(fromHex(LEAF_INPUTS_HEX[v.index]!));
      const root = fromHex(ROOTS_HEX[v.size]!);
      expect(verifyInclusion(leaf, v.index, v.size, unhex(v.proof), root)).toBe(true);
    }
  });

  it('generates and verifies the published consistency proofs', () => {
    for (const v of CONSISTENCY_VECTORS) {
      expect(hexes(tree.consistencyProof(v.oldSize, v.newSize))).toEqual(v.proof);
      const ok = verifyConsistency(
        v.oldSize,
        v.newSize,
        unhex(v.proof),
        fromHex(ROOTS_HEX[v.oldSize]!),
        fromHex(ROOTS_HEX[v.newSize]!),
      );
      expect(ok).toBe(true);
    }
  });

  it('rejects every corruption of the published inclusion proofs that verify_test.go probes', () => {
    const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');
    for (const v of INCLUSION_VECTORS.filter((x) => x.proof.length > 0)) {
      const leaf = leafHash(fromHex(LEAF_INPUTS_HEX[v.index]!));
      const root = fromHex(ROOTS_HEX[v.size]!);
      const proof = unhex(v.proof);
      const probes: [number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        [v.index - 1, v.size, leaf, root, proof],
        [v.index + 1, v.size, leaf, root, proof],
        [v.index ^ 2, v.size, leaf, root, proof],
        [v.index, v.size * 2, leaf, root, proof],
        [v.index, Math.floor(v.size / 2), leaf, root, proof],
        [v.index, v.size, new TextEncoder().encode('WrongLeaf'), root, proof],
        [v.index, v.size, leaf, EMPTY_ROOT, proof],
        [v.index, v.size, leaf, someHash, proof],
        [v.index, v.size, leaf, root, [...proof, new Uint8Array(0)]],
        [v.index, v.size, leaf, root, [...proof, root]],
        [v.index, v.size, leaf, root, [new Uint8Array(0), ...proof]],
        [v.index, v.size, leaf, root, [root, ...proof]],
        [v.index, v.size, leaf, root, proof.slice(0, -1)],
        ...proof.map((_, i): [number, number, Uint8Array, Uint8Array, Uint8Array[]] => [
          v.index,
          v.size,
          leaf,
          root,
          proof.map((p, j) => (j === i ? flipBit(p, 3) : p)),
        ]),
      ];
      if (proof.length > 1) {
        probes.push([v.index, v.size, leaf, root, [proof[0]!, someHash, ...proof.slice(1)]]);
      }
      for (const [index, size, l, r, p] of probes) {
        expect(verifyInclusion(l, index, size, p, r)).toBe(false);
      }
    }
  });

  it('rejects every corruption of the published consistency proofs that verify_test.go probes', () => {
    for (const v of CONSISTENCY_VECTORS.filter((x) => x.proof.length > 0)) {
      const [m, n] = [v.oldSize, v.newSize];
      const r1 = fromHex(ROOTS_HEX[m]!);
      const r2 = fromHex(ROOTS_HEX[n]!);
      const proof = unhex(v.proof);
      const wrongRoot = new TextEncoder().encode('WrongRoot');
      const probes: [number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        [m - 1, n, proof, r1, r2],
        [m + 1, n, proof, r1, r2],
        [m ^ 2, n, proof, r1, r2],
        [m, n * 2, proof, r1, r2],
        [m, Math.floor(n / 2), proof, r1, r2],
        [m, n, proof, wrongRoot, r2],
        [m, n, proof, r1, wrongRoot],
        [m, n, proof, r2, r1],
        [m, n, [], r1, r2],
        [m, n, [...proof, new Uint8Array(0)], r1, r2],
        [m, n, [...proof, r1], r1, r2],
        [m, n, [...proof, r2], r1, r2],
        [m, n, [new Uint8Array(0), ...proof], r1, r2],
        [m, n, [r1, ...proof], r1, r2],
        [m, n, [r2, ...proof], r1, r2],
        [m, n, [proof[0]!, ...proof], r1, r2],
        [m, n, proof.slice(0, -1), r1, r2],
        ...proof.map((_, i): [number, number, Uint8Array[], Uint8Array, Uint8Array] => [
          m,
          n,
          proof.map((p, j) => (j === i ? flipBit(p, 4) : p)),
          r1,
          r2,
        ]),
      ];
      for (const [a, b, p, x, y] of probes) {
        expect(verifyConsistency(a, b, p, x, y)).toBe(false);
      }
    }
  });

  it('handles the edge sizes as verify_test.go does, requiring 32-byte roots', () => {
    const [a, b] = [fromHex(ROOTS_HEX[1]!), fromHex(ROOTS_HEX[2]!)];
    // Sizes that are always consistent given equal roots / an empty old tree.
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(1, 1, [], a, a)).toBe(true);
    expect(verifyConsistency(0, 1, [], EMPTY_ROOT, a)).toBe(true);
    // Roots that differ at equal sizes, time travel, empty proofs, stray proof hashes.
    expect(verifyConsistency(1, 1, [], a, b)).toBe(false);
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, a)).toBe(false);
    expect(verifyConsistency(1, 0, [], a, b)).toBe(false);
    expect(verifyConsistency(2, 1, [], b, a)).toBe(false);
    expect(verifyConsistency(1, 2, [], a, b)).toBe(false);
    expect(verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, a)).toBe(false);
    expect(verifyConsistency(1, 1, [EMPTY_ROOT], a, a)).toBe(false);
    // The only root of the empty tree is SHA-256 of nothing.
    expect(verifyConsistency(0, 1, [], a, a)).toBe(false);
    // Inclusion in an empty or too small tree, and a one-leaf tree.
    const leaf = leafHash(new TextEncoder().encode('data'));
    expect(verifyInclusion(leaf, 0, 0, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(leaf, 1, 1, [], leaf)).toBe(false);
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 1, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(new Uint8Array(0), 0, 1, [], leaf)).toBe(false);
  });

  it('returns false rather than throwing on nonsense input', () => {
    const leaf = leafHash(new Uint8Array(0));
    const junk = [
      [Number.NaN, 1],
      [-1, 2],
      [0.5, 2],
      [0, Number.POSITIVE_INFINITY],
      [0, 2 ** 60],
    ];
    for (const [i, s] of junk) {
      expect(verifyInclusion(leaf, i!, s!, [], leaf)).toBe(false);
      expect(verifyConsistency(i!, s!, [leaf], leaf, leaf)).toBe(false);
    }
    const long = Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => leaf);
    expect(verifyInclusion(leaf, 0, 2, long, leaf)).toBe(false);
    expect(verifyConsistency(1, 2, long, leaf, leaf)).toBe(false);
    const notBytes = ['00'] as unknown as Uint8Array[];
    expect(verifyInclusion(leaf, 0, 2, notBytes, leaf)).toBe(false);
    expect(verifyConsistency(1, 2, notBytes, leaf, leaf)).toBe(false);
    expect(verifyInclusion(leaf, 0, 2, null as unknown as Uint8Array[], leaf)).toBe(false);
  });
});

describe('against the naive RFC 9162 recursions', () => {
  const data = entries(200);
  const tree = new MerkleTree();
  for (const d of data) tree.append(d);

  it('agrees on every root for sizes 0..200', () => {
    for (let n = 0; n <= 200; n++) {
      expect(toHex(tree.root(n))).toBe(toHex(referenceRoot(data.slice(0, n))));
    }
  });

  it('agrees on every inclusion and consistency proof for sizes up to 64', () => {
    for (let n = 1; n <= 64; n++) {
      const d = data.slice(0, n);
      for (let m = 0; m < n; m++) {
        expect(hexes(tree.inclusionProof(m, n))).toEqual(hexes(referencePath(m, d)));
      }
      for (let m = 1; m <= n; m++) {
        expect(hexes(tree.consistencyProof(m, n))).toEqual(hexes(referenceConsistency(m, d)));
      }
    }
  });

  it('agrees on proofs at the edges and a sample of positions for sizes up to 200', () => {
    for (let n = 65; n <= 200; n++) {
      const d = data.slice(0, n);
      const positions = new Set([0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 2, n - 1]);
      for (const m of positions) {
        expect(hexes(tree.inclusionProof(m, n))).toEqual(hexes(referencePath(m, d)));
        if (m > 0) {
          expect(hexes(tree.consistencyProof(m, n))).toEqual(hexes(referenceConsistency(m, d)));
        }
      }
    }
  });
});

describe('the getNode interface a node table serves', () => {
  /** A store of complete nodes, filled only through nodesForAppend. */
  function nodeStore(data: readonly Uint8Array[]): { getNode: GetNode; reads: () => number } {
    const nodes = new Map<string, Uint8Array>();
    let reads = 0;
    const getNode: GetNode = (level, index) => {
      reads += 1;
      return nodes.get(`${level}/${index}`);
    };
    data.forEach((d, i) => {
      for (const n of nodesForAppend(i, leafHash(d), getNode)) {
        nodes.set(`${n.level}/${n.index}`, n.hash);
      }
    });
    reads = 0;
    return { getNode, reads: () => reads };
  }

  it('builds the same nodes as the in-memory tree, and the published roots', () => {
    const data = LEAF_INPUTS_HEX.map(fromHex);
    const { getNode } = nodeStore(data);
    NODE_HASHES_HEX.forEach((row, level) => {
      row.forEach((hash, index) => {
        expect(toHex(getNode(level, index)!)).toBe(hash);
      });
    });
    ROOTS_HEX.forEach((root, size) => {
      expect(toHex(rootHash(size, getNode))).toBe(root);
    });
    for (const v of INCLUSION_VECTORS) {
      expect(hexes(inclusionProof(v.index, v.size, getNode))).toEqual(v.proof);
    }
    for (const v of CONSISTENCY_VECTORS) {
      expect(hexes(consistencyProof(v.oldSize, v.newSize, getNode))).toEqual(v.proof);
    }
  });

  it('lists the nodes each leaf completes', () => {
    expect(nodesCompletedBy(0)).toEqual([{ level: 0, index: 0 }]);
    expect(nodesCompletedBy(7)).toEqual([
      { level: 0, index: 7 },
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
    expect(nodesCompletedBy(2 ** 40 - 1)).toHaveLength(41);
  });

  it('plans proofs in O(log n) node reads even at ten million leaves and beyond', () => {
    for (const size of [10_000_000, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
      expect(rootNodes(size).length).toBeLessThanOrEqual(53);
      for (const index of [0, Math.floor(size / 2), size - 1]) {
        const plan = inclusionProofNodes(index, size);
        expect(plan.length).toBeLessThanOrEqual(MAX_PROOF_LENGTH);
        expect(plan.flat().length).toBeLessThanOrEqual(2 * 54);
        // Every planned node is complete at this size.
        for (const { level, index: i } of plan.flat()) {
          expect((i + 1) * 2 ** level).toBeLessThanOrEqual(size);
        }
      }
      const cplan = consistencyProofNodes(Math.floor(size / 3), size);
      expect(cplan.flat().length).toBeLessThanOrEqual(2 * 54);
    }
    const { getNode, reads } = nodeStore(entries(1000));
    inclusionProof(517, 999, getNode);
    expect(reads()).toBeLessThanOrEqual(2 * 10);
  });

  it('names a missing or malformed node instead of computing a wrong proof', () => {
    const { getNode } = nodeStore(entries(5));
    const holed: GetNode = (level, index) =>
      level === 1 && index === 0 ? undefined : getNode(level, index);
    expect(() => inclusionProof(3, 5, holed)).toThrow(IntegrityError);
    expect(() => inclusionProof(3, 5, holed)).toThrow(/level 1, index 0\) is missing/);
    const short: GetNode = () => new Uint8Array(31);
    expect(() => rootHash(3, short)).toThrow(/has 31 bytes/);
  });
});

describe('argument checks at the boundary', () => {
  const tree = vectorTree();

  it('refuses an index outside the tree or a size beyond it, saying which', () => {
    expect(() => tree.inclusionProof(8, 8)).toThrow(InvalidInputError);
    expect(() => tree.inclusionProof(8, 8)).toThrow(/leaf index 8 is out of range.*0 to 7/);
    expect(() => tree.inclusionProof(0, 0)).toThrow(/the tree is empty/);
    expect(() => tree.inclusionProof(0, 9)).toThrow(/tree size 9 is larger than the tree.*8/);
    expect(() => tree.inclusionProof(-1, 3)).toThrow(/leaf index must be a whole number/);
    expect(() => tree.inclusionProof(1.5, 3)).toThrow(/whole number/);
    expect(() => tree.consistencyProof(5, 3)).toThrow(/old tree size 5 is larger than new/);
    expect(() => tree.consistencyProof(3, 9)).toThrow(/larger than the tree/);
    expect(() => tree.root(9)).toThrow(/larger than the tree/);
    expect(() => tree.leafHash(8)).toThrow(/out of range/);
    expect(() => tree.appendLeafHash(new Uint8Array(31))).toThrow(/32 bytes; got 31/);
    expect(tree.consistencyProof(0, 8)).toEqual([]);
    expect(tree.consistencyProof(8, 8)).toEqual([]);
  });

  it('hands out copies, so a caller cannot damage the tree', () => {
    const t = vectorTree();
    const proof = t.inclusionProof(0, 8);
    proof[0]![0]! ^= 0xff;
    t.leafHash(0)[0]! ^= 0xff;
    t.root()[0]! ^= 0xff;
    expect(toHex(t.root())).toBe(ROOTS_HEX[8]);
    expect(hexes(t.inclusionProof(0, 8))).toEqual(INCLUSION_VECTORS[0]!.proof);
  });
});

describe('properties (fast-check)', () => {
  const N = 1500;
  const tree = new MerkleTree();
  for (const d of entries(N)) tree.append(d);
  const roots = Array.from({ length: N + 1 }, (_, n) => tree.root(n));

  const sizeAndIndex = fc
    .integer({ min: 1, max: N })
    .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
  const oldAndNew = fc
    .integer({ min: 1, max: N })
    .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));

  it('every inclusion proof verifies, and no single-bit flip of proof, root or leaf does', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), ([size, index], bitSeed) => {
        const proof = tree.inclusionProof(index, size);
        const leaf = tree.leafHash(index);
        const root = roots[size]!;
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(toHex(rootFromInclusionProof(leaf, index, size, proof)!)).toBe(toHex(root));
        const bit = bitSeed % 256;
        expect(verifyInclusion(flipBit(leaf, bit), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipBit(root, bit))).toBe(false);
        proof.forEach((_, j) => {
          const bad = proof.map((p, i) => (i === j ? flipBit(p, bit) : p));
          expect(verifyInclusion(leaf, index, size, bad, root)).toBe(false);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a changed index never verifies; a changed size verifies only where the path is identical', () => {
    fc.assert(
      fc.property(
        sizeAndIndex,
        fc.integer({ min: 0, max: 2 * N }),
        fc.integer({ min: 1, max: 2 * N }),
        ([size, index], otherIndex, otherSize) => {
          const proof = tree.inclusionProof(index, size);
          const leaf = tree.leafHash(index);
          const root = roots[size]!;
          if (otherIndex !== index) {
            expect(verifyInclusion(leaf, otherIndex, size, proof, root)).toBe(false);
          }
          if (otherSize !== size) {
            // The proof does not bind the size: the signed checkpoint does. A verifier
            // given another size does the same hashing exactly when the sibling sides
            // along the path are the same (e.g. leaf 0 of 3 and of 4 leaves).
            const sameShape =
              index < otherSize &&
              referencePathShape(index, otherSize) === referencePathShape(index, size);
            expect(verifyInclusion(leaf, index, otherSize, proof, root)).toBe(sameShape);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies, and no single-bit flip of proof or roots does', () => {
    fc.assert(
      fc.property(oldAndNew, fc.nat(), ([m, n], bitSeed) => {
        const proof = tree.consistencyProof(m, n);
        const [r1, r2] = [roots[m]!, roots[n]!];
        expect(verifyConsistency(m, n, proof, r1, r2)).toBe(true);
        const bit = bitSeed % 256;
        expect(verifyConsistency(m, n, proof, flipBit(r1, bit), r2)).toBe(false);
        expect(verifyConsistency(m, n, proof, r1, flipBit(r2, bit))).toBe(false);
        proof.forEach((_, j) => {
          const bad = proof.map((p, i) => (i === j ? flipBit(p, bit) : p));
          expect(verifyConsistency(m, n, bad, r1, r2)).toBe(false);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a changed old size never verifies; a changed new size only where the proof shape is identical', () => {
    fc.assert(
      fc.property(
        oldAndNew,
        fc.integer({ min: 0, max: 2 * N }),
        fc.integer({ min: 0, max: 2 * N }),
        ([m, n], otherOld, otherNew) => {
          const proof = tree.consistencyProof(m, n);
          const [r1, r2] = [roots[m]!, roots[n]!];
          if (otherOld !== m) expect(verifyConsistency(otherOld, n, proof, r1, r2)).toBe(false);
          if (otherNew !== n && m !== n) {
            const sameShape =
              m <= otherNew &&
              referenceConsistencyShape(m, otherNew) === referenceConsistencyShape(m, n);
            expect(verifyConsistency(m, otherNew, proof, r1, r2)).toBe(sameShape);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
