import { fromHex, toHex } from '@vigil/core';
import {
  encodeEntry,
  leafHash,
  noteVerifierKey,
  validateEntry,
  verifyCheckpoint,
  verifyInclusion,
} from '@vigil/ledger';
import { auditLedger, type BulletinBallotView, type LogKey } from '@vigil/server';
import type { Store } from '@vigil/store';
import type { DemoApi } from './api.ts';

/**
 * The ledger head at the end of the day: a signed checkpoint over every entry (asked of
 * the ledger API, which signs one when the ledger grew), then the whole stored ledger
 * recomputed and checked as `vigil ledger verify` does (every entry, node and signed
 * head), against the log's own verifier key. And, as a voter would, a few confirmation
 * codes looked up on the bulletin board, each inclusion proof checked against a
 * checkpoint signed by the log (RFC 9162 §2.1.3.2, the size taken from the checkpoint).
 */

export interface LedgerFigures {
  readonly size: number;
  readonly root: string;
  readonly origin: string | null;
  readonly checkpoint: string;
  readonly verified: boolean;
  readonly entriesChecked: number;
  readonly headsChecked: number;
  readonly problems: readonly string[];
  /** Confirmation codes looked up on the bulletin board, and how many proofs held. */
  readonly bulletin: { readonly looked: number; readonly included: number };
}

export async function ledgerHead(
  api: DemoApi,
  store: Store,
  ledgerKey: LogKey,
  codes: readonly string[],
): Promise<LedgerFigures> {
  const logKey = noteVerifierKey(ledgerKey.key);
  const looked = sampleCodes(codes);
  let included = 0;
  for (const code of looked) {
    if (await onBulletinBoard(api, code, logKey)) included++;
  }
  const checkpoint = await api.get<string>('/api/ledger/checkpoint');
  const summary = await api.get<{ origin: string | null; size: number; root: string }>(
    '/api/ledger',
  );
  const report = await auditLedger(store, { logKey, witnessKeys: [], quorum: 0 });
  return {
    size: summary.size,
    root: summary.root,
    origin: summary.origin,
    checkpoint,
    verified: report.problems.length === 0,
    entriesChecked: report.entriesChecked,
    headsChecked: report.headsChecked,
    problems: report.problems,
    bulletin: { looked: looked.length, included },
  };
}

/** The first, the last and every hundredth code: a handful of voters checking. */
function sampleCodes(codes: readonly string[]): string[] {
  const picked = new Set<string>();
  codes.forEach((code, i) => {
    if (i === 0 || i === codes.length - 1 || i % 100 === 0) picked.add(code);
  });
  return [...picked];
}

/**
 * Whether a cast ballot's confirmation code is on the bulletin board with a ledger entry
 * whose bytes hash to the leaf, included in the tree of a checkpoint the log signed.
 */
async function onBulletinBoard(
  api: DemoApi,
  code: string,
  logKey: ReturnType<typeof noteVerifierKey>,
): Promise<boolean> {
  const found = await api.get<BulletinBallotView>(`/api/bulletin/ballots/${code}`);
  const head = verifyCheckpoint(found.checkpoint.text, { logKey });
  const entry = validateEntry(found.ledger.entry);
  if (!head.ok || !entry.ok || found.status !== 'cast') return false;
  const leaf = leafHash(encodeEntry(entry.value));
  const { size, rootHash } = head.value.checkpoint;
  return (
    toHex(leaf) === found.ledger.leafHash &&
    size === found.inclusion.treeSize &&
    verifyInclusion(leaf, found.ledger.index, size, found.inclusion.hashes.map(fromHex), rootHash)
  );
}
