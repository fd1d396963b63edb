import { constantTimeEqual, toHex } from '@vigil/core';
import {
  MerkleTree,
  decodeEntry,
  leafHash,
  verifyCheckpoint,
  type CheckpointPolicy,
} from '@vigil/ledger';
import type { Store } from '@vigil/store';

/** What `auditLedger` found. `problems` is empty when everything holds. */
export interface LedgerAudit {
  readonly size: number;
  readonly root: Uint8Array;
  readonly entriesChecked: number;
  readonly nodesChecked: number;
  readonly headsChecked: number;
  /** Per head: its size and how many trusted witnesses cosigned it. */
  readonly heads: readonly { readonly size: number; readonly cosignatures: number }[];
  readonly problems: readonly string[];
}

/** Entries and nodes are read in pages, so memory stays at the tree's node hashes. */
const PAGE = 10_000;
/** More problems than this are summarised: a wholesale rewrite need not print a million lines. */
const MAX_PROBLEMS = 100;

/**
 * Recomputes the whole stored ledger from its entries and checks everything stored
 * against it: every entry decodes and sits at its index with no gap (RFC 9162 leaves are
 * ordered, so a removed or reordered entry changes every later root); every stored
 * node hash equals the recomputed one; every signed head verifies under `policy` (the
 * log's key, and a quorum of trusted witness cosignatures) and its root equals the root
 * recomputed at its size. A log that passes is the log everyone holding those heads saw.
 */
export async function auditLedger(store: Store, policy: CheckpointPolicy): Promise<LedgerAudit> {
  const problems: string[] = [];
  let suppressed = 0;
  const problem = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
    else suppressed += 1;
  };

  const size = await store.ledgerSize();
  const tree = new MerkleTree();
  let expected = 0;
  for (let from = 0; from < size; from += PAGE) {
    const page = await store.ledgerEntries(from, Math.min(from + PAGE, size));
    for (const entry of page) {
      while (expected < entry.index) {
        problem(
          `entry ${expected} is missing: the log jumps from ${expected - 1} to ${entry.index}`,
        );
        // Keep positions aligned with the stored indices so later checks stay meaningful.
        tree.appendLeafHash(new Uint8Array(32));
        expected += 1;
      }
      const decoded = decodeEntry(entry.bytes);
      if (!decoded.ok)
        problem(`entry ${entry.index} is not a valid ledger entry: ${decoded.error.message}`);
      tree.appendLeafHash(leafHash(entry.bytes));
      expected += 1;
    }
  }
  while (expected < size) {
    problem(`entry ${expected} is missing: the ledger says it holds ${size} entries`);
    tree.appendLeafHash(new Uint8Array(32));
    expected += 1;
  }
  const extra = await store.ledgerEntries(size, Number.MAX_SAFE_INTEGER);
  if (extra.length > 0) {
    problem(
      `${extra.length} entries lie beyond the recorded size ${size}, from index ${extra[0]!.index}`,
    );
  }

  // Every stored complete node must equal the recomputed one; a missing node would make
  // proofs fail, an altered one would make them lie.
  let nodesChecked = 0;
  let expectedNodes = 0;
  for (let level = 0; 2 ** level <= size; level++) expectedNodes += Math.floor(size / 2 ** level);
  const maxKey = size * 64 + 64;
  for (let fromKey = 0; fromKey < maxKey; fromKey += PAGE * 64) {
    const rows = await store.ledgerNodeHashes(fromKey, Math.min(fromKey + PAGE * 64, maxKey));
    for (const { key, hash } of rows) {
      const level = key % 64;
      const index = (key - level) / 64;
      const recomputed = tree.getNode(level, index);
      if (recomputed === undefined || (index + 1) * 2 ** level > size) {
        problem(
          `stored node (level ${level}, index ${index}) lies outside a tree of ${size} entries`,
        );
      } else if (!constantTimeEqual(recomputed, hash)) {
        problem(
          level === 0
            ? `entry ${index} does not match its stored leaf hash: the entry was altered, or entries were reordered`
            : `stored node (level ${level}, index ${index}) does not match the entries below it`,
        );
      }
      nodesChecked += 1;
    }
  }
  if (nodesChecked < expectedNodes) {
    problem(
      `${expectedNodes - nodesChecked} Merkle nodes are missing from storage (expected ${expectedNodes})`,
    );
  }

  const heads = await store.listLedgerHeads();
  const headReport: { size: number; cosignatures: number }[] = [];
  for (const head of heads) {
    const verified = verifyCheckpoint(head.checkpoint, policy);
    if (!verified.ok) {
      problem(`the head at size ${head.size} does not verify: ${verified.error.message}`);
      headReport.push({ size: head.size, cosignatures: 0 });
      continue;
    }
    const cp = verified.value.checkpoint;
    headReport.push({ size: head.size, cosignatures: verified.value.cosignatures.length });
    if (cp.size !== head.size) {
      problem(`the head stored at size ${head.size} signs size ${cp.size}`);
      continue;
    }
    if (cp.size > size) {
      problem(
        `the head at size ${cp.size} is larger than the ledger (${size} entries): entries were removed`,
      );
      continue;
    }
    const root = tree.root(cp.size);
    if (!constantTimeEqual(root, cp.rootHash)) {
      problem(
        `the signed root at size ${cp.size} is ${toHex(cp.rootHash)}, but the entries give ${toHex(root)}: ` +
          'the history was rewritten after it was signed',
      );
    }
    if (!constantTimeEqual(head.rootHash, cp.rootHash)) {
      problem(`the stored root of the head at size ${cp.size} differs from the root it signs`);
    }
  }
  if (suppressed > 0) problems.push(`… and ${suppressed} more problems`);

  return {
    size,
    root: tree.root(),
    entriesChecked: size,
    nodesChecked,
    headsChecked: heads.length,
    heads: headReport,
    problems,
  };
}
