import { VigilError, err, ok, type Result } from '@vigil/core';
import { HASH_SIZE } from './merkle.ts';
import {
  SIGNATURE_TYPE,
  decodeBase64,
  encodeBase64,
  formatNote,
  openNote,
  parseNote,
  signNoteText,
  type Note,
  type NoteErrorReason,
  type NoteSignature,
  type OpenedNote,
  type SignerKey,
  type VerifierKey,
} from './note.ts';

/**
 * Transparency log checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is
 * `<origin>\n<tree size>\n<base64 root hash>\n` and optional extension lines. The log
 * signs it with a plain Ed25519 note signature; witnesses add cosignature/v1 lines.
 */
export interface Checkpoint {
  /** The log's identity, e.g. `vigil.example/state-ledger`. */
  readonly origin: string;
  readonly size: number;
  /** RFC 9162 root hash of the tree at `size`. */
  readonly rootHash: Uint8Array;
  /** Opaque extra lines; NOT RECOMMENDED by the spec, kept for round-tripping. */
  readonly extensions: readonly string[];
}

export type CheckpointErrorReason =
  | NoteErrorReason
  | 'malformed-checkpoint'
  | 'wrong-origin'
  | 'not-signed-by-log'
  | 'quorum-not-met'
  | 'invalid-policy';

/** Why a checkpoint was refused. `reason` is stable; the message is for people. */
export class CheckpointError extends VigilError {
  readonly reason: CheckpointErrorReason;
  constructor(reason: CheckpointErrorReason, message: string, options?: { hint?: string }) {
    super(reason, message, options);
    this.name = 'CheckpointError';
    this.reason = reason;
  }
}

function fail<T>(
  reason: CheckpointErrorReason,
  message: string,
  hint?: string,
): Result<T, CheckpointError> {
  return err(new CheckpointError(reason, message, hint === undefined ? undefined : { hint }));
}

/** The checkpoint's note text. Throws a CheckpointError for fields a checkpoint cannot carry. */
export function formatCheckpoint(cp: Checkpoint): string {
  const bad = (why: string): never => {
    throw new CheckpointError('malformed-checkpoint', `cannot write the checkpoint: ${why}`);
  };
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  const lineOk = (s: string): boolean => s.length > 0 && !/[\u0000-\u001f]/.test(s);
  if (!lineOk(cp.origin)) bad('the origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) bad(`size ${cp.size} is not a tree size`);
  if (cp.rootHash.length !== HASH_SIZE) bad(`the root hash has ${cp.rootHash.length} bytes`);
  for (const e of cp.extensions) if (!lineOk(e)) bad('extension lines must be non-empty lines');
  const lines = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint's note text (no signatures). */
export function parseCheckpoint(text: string): Result<Checkpoint, CheckpointError> {
  const malformed = (why: string): Result<Checkpoint, CheckpointError> =>
    fail('malformed-checkpoint', `the checkpoint is malformed: ${why}`);
  if (!text.endsWith('\n')) return malformed('its text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    return malformed('it needs an origin line, a size line and a root hash line');
  }
  if (origin.length === 0) return malformed('the origin line is empty');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine)) {
    return malformed(`the size line "${sizeLine}" is not a decimal number without leading zeros`);
  }
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) return malformed(`tree size ${sizeLine} is too large`);
  const rootHash = decodeBase64(rootLine);
  if (rootHash?.length !== HASH_SIZE) {
    return malformed('the root hash line is not the base64 of a 32-byte hash');
  }
  if (extensions.some((e) => e.length === 0)) return malformed('an extension line is empty');
  return ok({ origin, size, rootHash, extensions });
}

/** Signs a checkpoint with the log's key; returns the signed note. */
export function signCheckpoint(cp: Checkpoint, logKey: SignerKey): string {
  const text = formatCheckpoint(cp);
  return formatNote({ text, signatures: [signNoteText(text, logKey)] });
}

/**
 * Adds signature lines (typically cosignatures a witness returned) to a signed note,
 * skipping exact duplicates. Throws a NoteError if the note does not parse.
 */
export function addSignatures(signedNote: string, lines: readonly NoteSignature[]): string {
  const parsed = parseNote(signedNote);
  if (!parsed.ok) throw parsed.error;
  const seen = new Set(parsed.value.signatures.map(sigKey));
  const signatures = [...parsed.value.signatures];
  for (const s of lines) {
    if (!seen.has(sigKey(s))) {
      seen.add(sigKey(s));
      signatures.push(s);
    }
  }
  const note: Note = { text: parsed.value.text, signatures };
  return formatNote(note);
}

function sigKey(s: NoteSignature): string {
  return `${s.name}+${s.keyId}+${Buffer.from(s.signature).toString('base64')}`;
}

/** Who must have signed a checkpoint for a client to trust it. */
export interface CheckpointPolicy {
  /** The log's plain Ed25519 key (type 0x01). */
  readonly logKey: VerifierKey;
  /** Trusted witnesses' cosignature/v1 keys (type 0x04). */
  readonly witnessKeys?: readonly VerifierKey[];
  /** How many distinct trusted witnesses must have cosigned (default 0). */
  readonly quorum?: number;
  /** The expected origin line (default: the log key's name, as tlog-checkpoint advises). */
  readonly origin?: string;
}

/** A cosignature that verified. */
export interface WitnessCosignature {
  readonly witness: VerifierKey;
  /** POSIX seconds at which the witness cosigned. */
  readonly timestamp: number;
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The exact note text that was signed. */
  readonly text: string;
  /** One per distinct trusted witness, the latest if a witness signed twice. */
  readonly cosignatures: readonly WitnessCosignature[];
  readonly note: OpenedNote;
}

/**
 * Accepts a checkpoint only when the log's signature verifies, the origin is the one
 * expected, and at least `quorum` distinct trusted witnesses cosigned it. Unknown
 * signature lines are ignored; a line from a trusted key that fails to verify rejects
 * the checkpoint (signed-note).
 *
 * @example
 *   const r = verifyCheckpoint(note, { logKey, witnessKeys, quorum: 2 });
 *   if (r.ok) trustRoot(r.value.checkpoint.size, r.value.checkpoint.rootHash);
 */
export function verifyCheckpoint(
  signedNote: string | Uint8Array,
  policy: CheckpointPolicy,
): Result<VerifiedCheckpoint, CheckpointError> {
  const witnessKeys = policy.witnessKeys ?? [];
  const quorum = policy.quorum ?? 0;
  if (policy.logKey.type !== SIGNATURE_TYPE.ed25519) {
    return fail('invalid-policy', `the log key ${policy.logKey.name} is not a type 0x01 note key`);
  }
  const badWitness = witnessKeys.find((k) => k.type !== SIGNATURE_TYPE.cosignatureV1);
  if (badWitness !== undefined) {
    return fail(
      'invalid-policy',
      `the witness key ${badWitness.name} is not a cosignature/v1 (type 0x04) key`,
      'convert a witness note key with asCosignatureKey',
    );
  }
  const distinctWitnesses = new Set(witnessKeys.map((k) => `${k.name}+${k.keyId}`)).size;
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > distinctWitnesses) {
    return fail(
      'invalid-policy',
      `a quorum of ${quorum} cannot be met by ${distinctWitnesses} trusted witnesses`,
    );
  }

  const opened = openNote(signedNote, [policy.logKey, ...witnessKeys]);
  if (!opened.ok) {
    if (opened.error.reason === 'unverified-note') {
      return fail(
        'not-signed-by-log',
        `the checkpoint is not signed by the log key ${policy.logKey.name}`,
      );
    }
    return err(new CheckpointError(opened.error.reason, opened.error.message));
  }
  const note = opened.value;
  const { logKey } = policy;
  const signedByLog = note.verified.some(
    (v) =>
      v.key.type === SIGNATURE_TYPE.ed25519 &&
      v.key.name === logKey.name &&
      v.key.keyId === logKey.keyId,
  );
  if (!signedByLog) {
    return fail(
      'not-signed-by-log',
      `the checkpoint is not signed by the log key ${policy.logKey.name}`,
    );
  }
  const parsed = parseCheckpoint(note.text);
  if (!parsed.ok) return parsed;
  const checkpoint = parsed.value;
  const origin = policy.origin ?? policy.logKey.name;
  if (checkpoint.origin !== origin) {
    return fail(
      'wrong-origin',
      `the checkpoint is for origin "${checkpoint.origin}", not "${origin}"`,
    );
  }

  const latest = new Map<string, WitnessCosignature>();
  for (const v of note.verified) {
    if (v.key.type !== SIGNATURE_TYPE.cosignatureV1 || v.timestamp === undefined) continue;
    const id = `${v.key.name}+${v.key.keyId}`;
    const prior = latest.get(id);
    if (prior === undefined || prior.timestamp < v.timestamp) {
      latest.set(id, { witness: v.key, timestamp: v.timestamp });
    }
  }
  if (latest.size < quorum) {
    return fail(
      'quorum-not-met',
      `the checkpoint has cosignatures from ${latest.size} trusted witnesses; ${quorum} are required`,
      'ask more witnesses to cosign, or wait for them to do so',
    );
  }
  return ok({ checkpoint, text: note.text, cosignatures: [...latest.values()], note });
}
