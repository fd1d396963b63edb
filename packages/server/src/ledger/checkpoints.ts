import {
  addSignatures,
  parseNote,
  parseSignatureLine,
  signCheckpoint,
  type NoteSignature,
  type SignerKey,
} from '@vigil/ledger';
import { systemClock, type Clock } from '@vigil/core';
import type { Store, StoredLedgerHead } from '@vigil/store';

/**
 * Signs a checkpoint (C2SP tlog-checkpoint) over the ledger as it is now, and stores it.
 * When the latest head already covers the current size, that head is returned: a log
 * signs one head per size, so that two different roots for one size are proof of a fork.
 */
export async function signLedgerHead(
  store: Store,
  key: SignerKey,
  clock: Clock = systemClock,
): Promise<StoredLedgerHead> {
  return store.transaction(async (tx) => {
    const size = await tx.ledgerSize();
    const existing = await tx.ledgerHead(size);
    if (existing !== undefined) return existing;
    const rootHash = await tx.ledgerRoot(size);
    const checkpoint = signCheckpoint({ origin: key.name, size, rootHash, extensions: [] }, key);
    return tx.saveLedgerHead({ size, rootHash, checkpoint, signedAt: clock.now() });
  });
}

/** A witness the log asks for cosignatures (c2sp.org/tlog-witness). */
export interface WitnessEndpoint {
  /** The witness's submission prefix; `add-checkpoint` is appended. */
  readonly url: string;
}

export interface CosignOutcome {
  readonly url: string;
  readonly ok: boolean;
  /** The cosignature lines received, or why there are none. */
  readonly message: string;
}

/**
 * Submits `head` to each witness with a consistency proof from the size that witness last
 * cosigned, and adds the cosignatures returned to the stored head. A witness that
 * answers 409 with its own latest size (text/x.tlog.size) is asked again from that size.
 */
export async function requestCosignatures(
  store: Store,
  head: StoredLedgerHead,
  witnesses: readonly WitnessEndpoint[],
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<CosignOutcome[]> {
  const doFetch = options.fetch ?? fetch;
  const outcomes: CosignOutcome[] = [];
  const received: NoteSignature[] = [];
  for (const witness of witnesses) {
    const endpoint = `${witness.url.replace(/\/+$/, '')}/add-checkpoint`;
    let oldSize = 0;
    let outcome: CosignOutcome | undefined;
    for (let attempt = 0; attempt < 2 && outcome === undefined; attempt++) {
      const proof = oldSize === 0 ? [] : await store.ledgerConsistencyProof(oldSize, head.size);
      const body =
        `old ${oldSize}\n` +
        proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('') +
        `\n${head.checkpoint}`;
      let response: Response;
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          body,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (e) {
        outcome = {
          url: witness.url,
          ok: false,
          message: `unreachable: ${e instanceof Error ? e.message : String(e)}`,
        };
        break;
      }
      const text = await response.text();
      if (
        response.status === 409 &&
        /^\d+\n$/.test(text) &&
        Number(text) !== oldSize &&
        Number(text) <= head.size
      ) {
        oldSize = Number(text);
        continue;
      }
      if (!response.ok) {
        outcome = {
          url: witness.url,
          ok: false,
          message: `refused (${response.status}): ${text.trim().slice(0, 300)}`,
        };
        break;
      }
      const lines = text.split('\n').filter((l) => l !== '');
      const sigs: NoteSignature[] = [];
      for (const line of lines) {
        const parsed = parseSignatureLine(line);
        if (parsed.ok) sigs.push(parsed.value);
      }
      received.push(...sigs);
      outcome = {
        url: witness.url,
        ok: sigs.length > 0,
        message:
          sigs.length > 0 ? `${sigs.length} cosignature(s)` : 'answered without a signature line',
      };
    }
    outcomes.push(
      outcome ?? { url: witness.url, ok: false, message: 'no answer after a retry from its size' },
    );
  }
  if (received.length > 0) {
    // The text signed stays the same; only signature lines are added. The cosignatures
    // are checked by whoever verifies the head against the witness keys it trusts.
    // Read-modify-write in one transaction, so concurrent requests do not drop lines.
    await store.transaction(async (tx) => {
      const current = await tx.ledgerHead(head.size);
      if (current === undefined) return;
      const updated = addSignatures(current.checkpoint, received);
      if (parseNote(updated).ok) await tx.updateLedgerHeadCheckpoint(head.size, updated);
    });
  }
  return outcomes;
}
