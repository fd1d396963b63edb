import { randomFillSync } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { seededRandom } from '@vigil/core';
import { MerkleTree, leafHash, verifyConsistency, verifyInclusion } from '../src/index.ts';

/**
 * Benchmark of the in-memory Merkle tree: build time and memory at 1M and 10M leaves
 * (leaf hashes appended directly), then the median time to generate an inclusion proof
 * and a consistency proof at random positions, and to verify each. Run it with
 * `node --import tsx packages/ledger/bench/proofs.bench.ts`, or call benchProofs().
 */

export interface ProofBenchResult {
  readonly leaves: number;
  readonly buildSeconds: number;
  /** Bytes of node hashes held (all complete nodes, ~64 bytes per leaf). */
  readonly treeBytes: number;
  readonly inclusionMedianMicros: number;
  readonly consistencyMedianMicros: number;
  readonly verifyInclusionMedianMicros: number;
  readonly verifyConsistencyMedianMicros: number;
}

export interface ProofBenchOptions {
  readonly sizes?: readonly number[];
  /** Random samples per measurement. */
  readonly samples?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

async function buildTree(leaves: number): Promise<{ tree: MerkleTree; seconds: number }> {
  const tree = new MerkleTree();
  const chunk = new Uint8Array(32 * 65536);
  const start = process.hrtime.bigint();
  let added = 0;
  while (added < leaves) {
    randomFillSync(chunk);
    const n = Math.min(65536, leaves - added);
    for (let i = 0; i < n; i++) tree.appendLeafHash(chunk.subarray(i * 32, i * 32 + 32));
    added += n;
    if (added % (1 << 20) === 0) await yieldToLoop();
  }
  tree.trim();
  return { tree, seconds: micros(start) / 1e6 };
}

async function measure(leaves: number, samples: number, seed: number): Promise<ProofBenchResult> {
  const { tree, seconds } = await buildTree(leaves);
  const random = seededRandom(seed);
  const pick = (below: number): number => Math.floor(random() * below);
  // Warm the JIT on the code paths measured.
  for (let i = 0; i < 200; i++) {
    tree.inclusionProof(pick(leaves), leaves);
    tree.consistencyProof(1 + pick(leaves - 1), leaves);
  }

  const inclusion: number[] = [];
  const consistency: number[] = [];
  const verifyIncl: number[] = [];
  const verifyCons: number[] = [];
  const rootCache = new Map<number, Uint8Array>();
  const rootAt = (size: number): Uint8Array => {
    let r = rootCache.get(size);
    if (r === undefined) {
      r = tree.root(size);
      rootCache.set(size, r);
    }
    return r;
  };
  for (let s = 0; s < samples; s++) {
    const size = 1 + pick(leaves);
    const index = pick(size);
    let t = process.hrtime.bigint();
    const proof = tree.inclusionProof(index, size);
    inclusion.push(micros(t));
    const leaf = tree.leafHash(index);
    const root = rootAt(size);
    t = process.hrtime.bigint();
    const included = verifyInclusion(leaf, index, size, proof, root);
    verifyIncl.push(micros(t));

    const newSize = 2 + pick(leaves - 1);
    const oldSize = 1 + pick(newSize - 1);
    t = process.hrtime.bigint();
    const cproof = tree.consistencyProof(oldSize, newSize);
    consistency.push(micros(t));
    const [oldRoot, newRoot] = [rootAt(oldSize), rootAt(newSize)];
    t = process.hrtime.bigint();
    const consistent = verifyConsistency(oldSize, newSize, cproof, oldRoot, newRoot);
    verifyCons.push(micros(t));
    if (!included || !consistent) {
      throw new Error(`a proof failed to verify at size ${size}, index ${index} / ${oldSize}`);
    }
    rootCache.clear();
    if (s % 1000 === 999) await yieldToLoop();
  }
  return {
    leaves,
    buildSeconds: seconds,
    treeBytes: tree.byteLength,
    inclusionMedianMicros: median(inclusion),
    consistencyMedianMicros: median(consistency),
    verifyInclusionMedianMicros: median(verifyIncl),
    verifyConsistencyMedianMicros: median(verifyCons),
  };
}

function table(rows: readonly ProofBenchResult[]): string {
  const head = [
    'leaves',
    'build',
    'tree memory',
    'inclusion proof',
    'consistency proof',
    'verify incl.',
    'verify cons.',
  ];
  const body = rows.map((r) => [
    r.leaves.toLocaleString('en-US'),
    `${r.buildSeconds.toFixed(1)} s`,
    `${(r.treeBytes / 2 ** 20).toFixed(0)} MiB`,
    `${r.inclusionMedianMicros.toFixed(1)} µs`,
    `${r.consistencyMedianMicros.toFixed(1)} µs`,
    `${r.verifyInclusionMedianMicros.toFixed(1)} µs`,
    `${r.verifyConsistencyMedianMicros.toFixed(1)} µs`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * Builds trees of each size (default 1M and 10M leaves) and times proofs on them
 * (medians over `samples` random positions, default 2000). Prints a table and returns
 * the figures.
 */
export async function benchProofs(options: ProofBenchOptions = {}): Promise<ProofBenchResult[]> {
  const sizes = options.sizes ?? [1_000_000, 10_000_000];
  const samples = options.samples ?? 2000;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  log(`ledger proofs: in-memory RFC 9162 tree, medians over ${samples} random samples`);
  // Sanity: the hashing is the RFC's (the empty entry's leaf hash is a published vector).
  const emptyLeaf = '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d';
  if (Buffer.from(leafHash(new Uint8Array(0))).toString('hex') !== emptyLeaf) {
    throw new Error('leaf hashing is not RFC 9162');
  }
  const results: ProofBenchResult[] = [];
  for (const [i, size] of sizes.entries()) {
    results.push(await measure(size, samples, 0x5eed + i));
    log(`  built and measured ${size.toLocaleString('en-US')} leaves`);
  }
  log(table(results));
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchProofs();
}
