import {
  VigilError,
  constantTimeEqual,
  err,
  ok,
  systemClock,
  type Clock,
  type Result,
} from '@vigil/core';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { MAX_PROOF_LENGTH, verifyConsistency } from './merkle.ts';
import {
  SIGNATURE_TYPE,
  cosignText,
  formatSignatureLine,
  openNote,
  parseNote,
  verifierKey,
  type NoteSignature,
  type SignerKey,
  type VerifierKey,
} from './note.ts';

/**
 * A transparency-log witness (c2sp.org/tlog-witness semantics, without the HTTP): it
 * remembers the latest checkpoint it cosigned for each log and cosigns a new one only
 * when the log signed it and a consistency proof shows it extends what it saw before.
 * Its state is plain data, so a service can persist it and rebuild the witness.
 */

export type WitnessErrorReason =
  | 'malformed-request'
  | 'unknown-origin'
  | 'invalid-log-signature'
  | 'not-signed-by-log'
  | 'bad-old-size'
  | 'old-size-mismatch'
  | 'rollback'
  | 'root-mismatch'
  | 'inconsistent';

/** Why a witness refused to cosign. `reason` is stable; the message is for people. */
export class WitnessError extends VigilError {
  readonly reason: WitnessErrorReason;
  /** The size this witness last cosigned for the origin, when that is the point. */
  readonly latestSize: number | undefined;
  constructor(reason: WitnessErrorReason, message: string, latestSize?: number) {
    super(reason, message);
    this.name = 'WitnessError';
    this.reason = reason;
    this.latestSize = latestSize;
  }
}

/**
 * The HTTP status tlog-witness prescribes for each refusal; on 409 with `latestSize`
 * the body is that size in decimal and a newline, as `text/x.tlog.size`.
 */
export function witnessErrorStatus(reason: WitnessErrorReason): 400 | 403 | 404 | 409 | 422 {
  switch (reason) {
    case 'malformed-request':
    case 'bad-old-size':
      return 400;
    case 'invalid-log-signature':
    case 'not-signed-by-log':
      return 403;
    case 'unknown-origin':
      return 404;
    case 'old-size-mismatch':
    case 'rollback':
    case 'root-mismatch':
      return 409;
    case 'inconsistent':
      return 422;
  }
}

/** What the witness remembers about one log. */
export interface WitnessedHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note it last cosigned, as received. */
  readonly note: string;
}

/** A log the witness follows: its origin line and the keys that may sign for it. */
export interface WitnessedLog {
  readonly origin: string;
  readonly logKeys: readonly VerifierKey[];
}

export interface WitnessOptions {
  /** The witness's own private key; its name is the cosigner name. */
  readonly key: SignerKey;
  readonly logs: readonly WitnessedLog[];
  /** Latest cosigned head per origin, as returned by `state()` earlier. */
  readonly state?: ReadonlyMap<string, WitnessedHead>;
  readonly clock?: Clock;
}

/** A cosignature issued by the witness. */
export interface IssuedCosignature {
  readonly checkpoint: Checkpoint;
  readonly signature: NoteSignature;
  /** The signature line, ending in a newline, to append to the checkpoint note. */
  readonly line: string;
  /** POSIX seconds. */
  readonly timestamp: number;
}

export class Witness {
  /** The cosignature/v1 verifier key (type 0x04) that clients trust for this witness. */
  readonly verifierKey: VerifierKey;
  private readonly key: SignerKey;
  private readonly logs: ReadonlyMap<string, readonly VerifierKey[]>;
  private readonly heads: Map<string, WitnessedHead>;
  private readonly clock: Clock;

  constructor(options: WitnessOptions) {
    this.key = options.key;
    this.verifierKey = verifierKey(
      options.key.name,
      SIGNATURE_TYPE.cosignatureV1,
      options.key.publicKey,
    );
    this.logs = new Map(options.logs.map((l) => [l.origin, l.logKeys]));
    this.heads = new Map(options.state ?? []);
    this.clock = options.clock ?? systemClock;
  }

  /** The latest cosigned head for each origin, to persist. */
  state(): ReadonlyMap<string, WitnessedHead> {
    return new Map(this.heads);
  }

  /** The latest head this witness cosigned for `origin`, if any. */
  latest(origin: string): WitnessedHead | undefined {
    return this.heads.get(origin);
  }

  /**
   * Cosigns `signedCheckpoint` if the log signed it and `consistencyProof` proves it
   * extends the latest head this witness cosigned for that log (from size 0 when it has
   * seen none: the proof is then empty). `oldSize` is the size the submitter believes
   * the witness holds, as in tlog-witness's `old` line; it defaults to the witness's
   * own. On success the witness records the new head.
   */
  cosign(
    signedCheckpoint: string,
    consistencyProof: readonly Uint8Array[],
    options: { oldSize?: number } = {},
  ): Result<IssuedCosignature, WitnessError> {
    const refuse = (reason: WitnessErrorReason, message: string, latestSize?: number) =>
      err(new WitnessError(reason, message, latestSize));

    const parsedNote = parseNote(signedCheckpoint);
    if (!parsedNote.ok) return refuse('malformed-request', parsedNote.error.message);
    const parsed = parseCheckpoint(parsedNote.value.text);
    if (!parsed.ok) return refuse('malformed-request', parsed.error.message);
    const cp = parsed.value;

    const logKeys = this.logs.get(cp.origin);
    if (logKeys === undefined) {
      return refuse('unknown-origin', `this witness does not follow the log "${cp.origin}"`);
    }
    const opened = openNote(parsedNote.value, logKeys);
    if (!opened.ok) {
      return opened.error.reason === 'invalid-signature'
        ? refuse('invalid-log-signature', opened.error.message)
        : refuse('not-signed-by-log', `the checkpoint is not signed by a key of "${cp.origin}"`);
    }

    if (consistencyProof.length > MAX_PROOF_LENGTH) {
      return refuse('malformed-request', 'the consistency proof is longer than any tree needs');
    }
    const latest = this.heads.get(cp.origin);
    const latestSize = latest?.size ?? 0;
    const oldSize = options.oldSize ?? latestSize;
    if (!Number.isSafeInteger(oldSize) || oldSize < 0) {
      return refuse('bad-old-size', `old size ${oldSize} is not a tree size`);
    }
    if (oldSize > cp.size) {
      return options.oldSize === undefined
        ? refuse(
            'rollback',
            `the checkpoint has ${cp.size} leaves, fewer than the ${latestSize} this witness already cosigned for "${cp.origin}"`,
            latestSize,
          )
        : refuse(
            'bad-old-size',
            `old size ${oldSize} is larger than the checkpoint size ${cp.size}`,
          );
    }
    if (oldSize !== latestSize) {
      return refuse(
        'old-size-mismatch',
        `this witness last cosigned "${cp.origin}" at size ${latestSize}, not ${oldSize}`,
        latestSize,
      );
    }
    if (latest?.size === cp.size && !constantTimeEqual(latest.rootHash, cp.rootHash)) {
      return refuse(
        'root-mismatch',
        `"${cp.origin}" signed two different roots for size ${cp.size}: the log has forked`,
        latestSize,
      );
    }
    if (latest === undefined) {
      if (consistencyProof.length !== 0) {
        return refuse('inconsistent', 'the consistency proof from size 0 must be empty');
      }
    } else if (
      !verifyConsistency(latest.size, cp.size, consistencyProof, latest.rootHash, cp.rootHash)
    ) {
      return refuse(
        'inconsistent',
        `the consistency proof from size ${latest.size} to ${cp.size} of "${cp.origin}" does not verify`,
      );
    }

    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const signature = cosignText(parsedNote.value.text, this.key, timestamp);
    this.heads.set(cp.origin, { size: cp.size, rootHash: cp.rootHash, note: signedCheckpoint });
    return ok({ checkpoint: cp, signature, line: formatSignatureLine(signature), timestamp });
  }
}
