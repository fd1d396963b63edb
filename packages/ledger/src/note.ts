import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import {
  VigilError,
  concatBytes,
  constantTimeEqual,
  err,
  ok,
  sha256,
  type Result,
} from '@vigil/core';

/**
 * C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, and
 * one or more signature lines `— <key name> <base64(4-byte key ID || signature)>`.
 * Ed25519 keys are held by node:crypto (OpenSSL). Keys travel as the strings the Go
 * ecosystem uses (golang.org/x/mod/sumdb/note): a verifier key (vkey)
 * `<name>+<8 hex key ID>+<base64(type || public key)>` and a signer key (skey)
 * `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>`.
 */

/** Signature type bytes assigned by signed-note. */
export const SIGNATURE_TYPE = {
  /** Plain Ed25519 note signatures (signed-note). */
  ed25519: 0x01,
  /** Timestamped Ed25519 witness cosignatures (tlog-cosignature, cosignature/v1). */
  cosignatureV1: 0x04,
} as const;
export type SignatureType = (typeof SIGNATURE_TYPE)[keyof typeof SIGNATURE_TYPE];

/** Verifiers must accept at least 16 signatures; more than this marks a malformed note. */
export const MAX_NOTE_SIGNATURES = 100;

export type NoteErrorReason =
  'malformed-note' | 'malformed-key' | 'ambiguous-key' | 'invalid-signature' | 'unverified-note';

/** Why a note or key was refused. `reason` is stable; the message is for people. */
export class NoteError extends VigilError {
  readonly reason: NoteErrorReason;
  constructor(reason: NoteErrorReason, message: string, options?: { hint?: string }) {
    super(reason, message, options);
    this.name = 'NoteError';
    this.reason = reason;
  }
}

/** One signature line of a note. `signature` is what follows the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  /** The key ID as an unsigned 32-bit integer (big-endian on the wire). */
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/** A parsed note: its text (ending in a newline) and its signature lines, in order. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A public key that can check note signatures, as given by a vkey string. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: SignatureType;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

// ---------------------------------------------------------------------------------------
// Encoding helpers.

const EM_DASH_PREFIX = '\u2014 ';
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Standard base64 (RFC 4648 §4), refusing anything that does not re-encode identically. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function keyIdBytes(keyId: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, keyId, false);
  return out;
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * A key name per signed-note: non-empty, no Unicode spaces, no '+', and (since notes may
 * not carry them) no control characters.
 */
export function isValidKeyName(name: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return name.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(name);
}

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(encoder.encode(name), new Uint8Array([0x0a, type]), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

// ---------------------------------------------------------------------------------------
// Notes.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a note text (non-empty, ends in '\n', no other controls), if anything. */
function checkText(text: string): string | undefined {
  if (text.length === 0 || !text.endsWith('\n')) return 'the note text must end with a newline';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    return 'the note contains a control character other than newline';
  }
  if (LONE_SURROGATE.test(text)) return 'the note is not valid Unicode text';
  return undefined;
}

/** Parses a signed note (string, or UTF-8 bytes). Does not check any signature. */
export function parseNote(input: string | Uint8Array): Result<Note, NoteError> {
  let s: string;
  if (typeof input === 'string') {
    s = input;
  } else {
    try {
      s = utf8.decode(input);
    } catch {
      return err(new NoteError('malformed-note', 'the note is not valid UTF-8'));
    }
  }
  const split = s.lastIndexOf('\n\n');
  if (split < 0) {
    return err(new NoteError('malformed-note', 'the note has no blank line before its signatures'));
  }
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0) {
    return err(new NoteError('malformed-note', 'the note has no signature lines'));
  }
  const problem = checkText(text) ?? checkText(block);
  if (problem !== undefined) return err(new NoteError('malformed-note', problem));
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    return err(
      new NoteError(
        'malformed-note',
        `the note has ${lines.length} signatures; at most ${MAX_NOTE_SIGNATURES} are accepted`,
      ),
    );
  }
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    const parsed = parseSignatureLine(line);
    if (!parsed.ok) {
      return err(new NoteError('malformed-note', `signature line ${i + 1}: ${parsed.error}`));
    }
    signatures.push(parsed.value);
  }
  return ok({ text, signatures });
}

/** Parses one `— <name> <base64>` line (without its newline). */
export function parseSignatureLine(line: string): Result<NoteSignature, string> {
  if (!line.startsWith(EM_DASH_PREFIX)) {
    return err('a signature line starts with an em dash (U+2014) and a space');
  }
  const parts = line.slice(EM_DASH_PREFIX.length).split(' ');
  if (parts.length !== 2) return err('a signature line is a key name, a space, and base64');
  const [name, b64] = parts as [string, string];
  if (!isValidKeyName(name)) return err(`"${name}" is not a valid key name`);
  const bytes = decodeBase64(b64);
  if (bytes === undefined) return err('the signature is not valid base64');
  if (bytes.length < 5) return err('the signature is shorter than a key ID and one byte');
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return ok({ name, keyId, signature: bytes.slice(4) });
}

/** One signature line, with its trailing newline. */
export function formatSignatureLine(sig: NoteSignature): string {
  return `${EM_DASH_PREFIX}${sig.name} ${encodeBase64(concatBytes(keyIdBytes(sig.keyId), sig.signature))}\n`;
}

/** The wire form of a note: text, blank line, signature lines. */
export function formatNote(note: Note): string {
  const problem = checkText(note.text);
  if (problem !== undefined) throw new NoteError('malformed-note', problem);
  if (note.signatures.length === 0) {
    throw new NoteError('malformed-note', 'a signed note needs at least one signature');
  }
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

// ---------------------------------------------------------------------------------------
// Ed25519 keys.

// DER prefixes for a raw 32-byte Ed25519 seed (PKCS #8) and public key (SPKI), RFC 8410.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

const publicKeyObjects = new WeakMap<Uint8Array, KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  let key = publicKeyObjects.get(publicKey);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: Buffer.concat([SPKI_ED25519, publicKey]),
        format: 'der',
        type: 'spki',
      });
    } catch {
      key = null;
    }
    publicKeyObjects.set(publicKey, key);
  }
  return key;
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return edVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

function rawPublicKey(privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_ED25519.length));
}

function rawSeed(privateKey: KeyObject): Uint8Array {
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return new Uint8Array(pkcs8.subarray(PKCS8_ED25519.length));
}

/** Builds the verifier key for a name, signature type and raw public key. */
export function verifierKey(name: string, type: SignatureType, publicKey: Uint8Array): VerifierKey {
  if (!isValidKeyName(name)) {
    throw new NoteError('malformed-key', `"${name}" is not a valid key name`, {
      hint: 'use a schema-less URL such as vigil.example/county-log, without spaces or "+"',
    });
  }
  if (publicKey.length !== 32) {
    throw new NoteError(
      'malformed-key',
      `an Ed25519 public key is 32 bytes, not ${publicKey.length}`,
    );
  }
  return { name, type, publicKey: publicKey.slice(), keyId: computeKeyId(name, type, publicKey) };
}

/** `<name>+<hex key ID>+<base64(type || public key)>`. */
export function formatVerifierKey(key: VerifierKey): string {
  const material = concatBytes(new Uint8Array([key.type]), key.publicKey);
  return `${key.name}+${hex8(key.keyId)}+${encodeBase64(material)}`;
}

/** Splits at the first `count` '+' signs into count + 1 parts, or undefined if too few. */
function chop(s: string, count: number): string[] | undefined {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** Parses a vkey string, checking that its key ID matches its name and key. */
export function parseVerifierKey(vkey: string): Result<VerifierKey, NoteError> {
  const bad = (why: string): Result<VerifierKey, NoteError> =>
    err(new NoteError('malformed-key', `verifier key "${vkey}" is malformed: ${why}`));
  // The name holds no '+', but base64 may: split at the first two only.
  const parts = chop(vkey, 2);
  if (parts === undefined) return bad('it must be <name>+<key ID>+<key>');
  const [name, id, b64] = parts as [string, string, string];
  if (!isValidKeyName(name)) return bad('the key name is empty or contains a space');
  if (!/^[0-9a-f]{8}$/.test(id)) return bad('the key ID must be 8 lowercase hex digits');
  const material = decodeBase64(b64);
  if (material === undefined) return bad('the key is not valid base64');
  const type = material[0];
  if (type !== SIGNATURE_TYPE.ed25519 && type !== SIGNATURE_TYPE.cosignatureV1) {
    return bad(
      `signature type ${type === undefined ? 'is missing' : `0x${type.toString(16).padStart(2, '0')} is not supported`}; Vigil uses Ed25519 (0x01) and cosignature/v1 (0x04)`,
    );
  }
  const publicKey = material.slice(1);
  if (publicKey.length !== 32) return bad(`an Ed25519 key is 32 bytes, not ${publicKey.length}`);
  const key = verifierKey(name, type, publicKey);
  if (hex8(key.keyId) !== id) return bad(`the key ID should be ${hex8(key.keyId)}`);
  return ok(key);
}

/** The cosignature/v1 form of a key (type 0x04, its own key ID) from its note form. */
export function asCosignatureKey(key: VerifierKey): VerifierKey {
  return verifierKey(key.name, SIGNATURE_TYPE.cosignatureV1, key.publicKey);
}

/**
 * A private Ed25519 key with its name. Both plain note signers and witness cosigners are
 * made from it; the private key stays inside a node:crypto KeyObject.
 */
export interface SignerKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
  /** @internal */
  readonly privateKey: KeyObject;
}

/** Generates a fresh Ed25519 key; returns it with its skey and note vkey strings. */
export function generateSignerKey(name: string): {
  key: SignerKey;
  skey: string;
  vkey: string;
} {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key: SignerKey = { name, privateKey, publicKey: rawPublicKey(privateKey) };
  const vkey = verifierKey(name, SIGNATURE_TYPE.ed25519, key.publicKey);
  return { key, skey: formatSignerKey(key), vkey: formatVerifierKey(vkey) };
}

/** `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`, as Go's note.GenerateKey. */
export function formatSignerKey(key: SignerKey): string {
  const id = computeKeyId(key.name, SIGNATURE_TYPE.ed25519, key.publicKey);
  const seed = rawSeed(key.privateKey);
  const material = concatBytes(new Uint8Array([SIGNATURE_TYPE.ed25519]), seed);
  seed.fill(0);
  return `PRIVATE+KEY+${key.name}+${hex8(id)}+${encodeBase64(material)}`;
}

/** Parses an skey string, checking its key ID. */
export function parseSignerKey(skey: string): Result<SignerKey, NoteError> {
  // Never echo the key itself in an error: it is a secret.
  const bad = (why: string): Result<SignerKey, NoteError> =>
    err(new NoteError('malformed-key', `the signer key is malformed: ${why}`));
  const parts = chop(skey, 4);
  if (parts?.[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    return bad('it must be PRIVATE+KEY+<name>+<key ID>+<key>');
  }
  const [, , name, id, b64] = parts as [string, string, string, string, string];
  if (!isValidKeyName(name)) return bad('the key name is empty or contains a space');
  if (!/^[0-9a-f]{8}$/.test(id)) return bad('the key ID must be 8 lowercase hex digits');
  const material = decodeBase64(b64);
  if (material?.length !== 33 || material[0] !== SIGNATURE_TYPE.ed25519) {
    return bad('the key must be base64 of 0x01 and a 32-byte Ed25519 seed');
  }
  const seed = material.subarray(1);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  } finally {
    material.fill(0);
  }
  const publicKey = rawPublicKey(privateKey);
  if (hex8(computeKeyId(name, SIGNATURE_TYPE.ed25519, publicKey)) !== id) {
    return bad('its key ID does not match its name and key');
  }
  return ok({ name, privateKey, publicKey });
}

/** The plain Ed25519 verifier key (type 0x01) of a signer key. */
export function noteVerifierKey(key: SignerKey): VerifierKey {
  return verifierKey(key.name, SIGNATURE_TYPE.ed25519, key.publicKey);
}

/** Signs a note text with a plain Ed25519 note signature (signed-note). */
export function signNoteText(text: string, key: SignerKey): NoteSignature {
  const problem = checkText(text);
  if (problem !== undefined) throw new NoteError('malformed-note', problem);
  const signature = new Uint8Array(edSign(null, encoder.encode(text), key.privateKey));
  const keyId = computeKeyId(key.name, SIGNATURE_TYPE.ed25519, key.publicKey);
  return { name: key.name, keyId, signature };
}

/** Signs a text and returns the whole signed note. */
export function signNote(text: string, key: SignerKey): string {
  return formatNote({ text, signatures: [signNoteText(text, key)] });
}

// ---------------------------------------------------------------------------------------
// Cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1).

/** The largest timestamp cosignature/v1 allows (2^63 - 1), capped to a safe integer. */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** `cosignature/v1\ntime <t>\n` followed by the checkpoint text. */
export function cosignatureMessage(text: string, timestamp: number): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

/** Cosigns a checkpoint text at `timestamp` (POSIX seconds) with a type 0x04 key ID. */
export function cosignText(text: string, key: SignerKey, timestamp: number): NoteSignature {
  const problem = checkText(text);
  if (problem !== undefined) throw new NoteError('malformed-note', problem);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new NoteError('malformed-note', `cosignature time ${timestamp} is not POSIX seconds`);
  }
  const sig = edSign(null, cosignatureMessage(text, timestamp), key.privateKey);
  const stamped = new Uint8Array(8 + 64);
  new DataView(stamped.buffer).setBigUint64(0, BigInt(timestamp), false);
  stamped.set(sig, 8);
  const keyId = computeKeyId(key.name, SIGNATURE_TYPE.cosignatureV1, key.publicKey);
  return { name: key.name, keyId, signature: stamped };
}

/** The timestamp of a cosignature/v1 signature, or undefined when it is not one. */
export function cosignatureTimestamp(sig: NoteSignature): number | undefined {
  if (sig.signature.length !== 72) return undefined;
  const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8);
  const t = view.getBigUint64(0, false);
  return t > BigInt(MAX_TIMESTAMP) ? undefined : Number(t);
}

// ---------------------------------------------------------------------------------------
// Verification.

/** A signature that verified, with the key that made it and, for cosignatures, its time. */
export interface VerifiedSignature {
  readonly key: VerifierKey;
  readonly signature: NoteSignature;
  /** POSIX seconds, for cosignature/v1 only. */
  readonly timestamp?: number;
}

/** Checks one signature over `text` with `key` (whose name and key ID it must carry). */
export function verifySignature(
  text: string,
  sig: NoteSignature,
  key: VerifierKey,
): { valid: boolean; timestamp?: number } {
  if (sig.name !== key.name || sig.keyId !== key.keyId) return { valid: false };
  switch (key.type) {
    case SIGNATURE_TYPE.ed25519:
      return { valid: ed25519Verify(key.publicKey, encoder.encode(text), sig.signature) };
    case SIGNATURE_TYPE.cosignatureV1: {
      const timestamp = cosignatureTimestamp(sig);
      if (timestamp === undefined) return { valid: false };
      const message = cosignatureMessage(text, timestamp);
      const valid = ed25519Verify(key.publicKey, message, sig.signature.subarray(8));
      return valid ? { valid, timestamp } : { valid };
    }
  }
}

/** A note whose text is vouched for by at least one trusted key. */
export interface OpenedNote {
  readonly text: string;
  readonly verified: readonly VerifiedSignature[];
  /** Lines from keys not in the trusted list: ignored, kept for forwarding. */
  readonly unverified: readonly NoteSignature[];
}

function sameKey(a: VerifierKey, b: VerifierKey): boolean {
  return a.type === b.type && constantTimeEqual(a.publicKey, b.publicKey);
}

/**
 * Opens a signed note against trusted keys, as signed-note prescribes: lines whose name
 * and key ID match no trusted key are ignored; a line that matches a trusted key but
 * does not verify rejects the whole note; a note with no verified line is refused.
 */
export function openNote(
  input: string | Uint8Array | Note,
  trusted: readonly VerifierKey[],
): Result<OpenedNote, NoteError> {
  let note: Note;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const parsed = parseNote(input);
    if (!parsed.ok) return parsed;
    note = parsed.value;
  } else {
    note = input;
  }
  const byId = new Map<string, VerifierKey>();
  for (const key of trusted) {
    const id = `${key.name}+${hex8(key.keyId)}`;
    const known = byId.get(id);
    if (known !== undefined && !sameKey(known, key)) {
      return err(
        new NoteError('ambiguous-key', `two different trusted keys are both named ${id}`, {
          hint: 'give each trusted key its own name',
        }),
      );
    }
    byId.set(id, key);
  }
  const verified: VerifiedSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const sig of note.signatures) {
    const id = `${sig.name}+${hex8(sig.keyId)}`;
    const key = byId.get(id);
    if (key === undefined) {
      unverified.push(sig);
      continue;
    }
    const result = verifySignature(note.text, sig, key);
    if (!result.valid) {
      return err(
        new NoteError('invalid-signature', `the signature by ${id} does not verify`, {
          hint: 'the note was altered or signed with another key; do not trust it',
        }),
      );
    }
    verified.push(
      result.timestamp === undefined
        ? { key, signature: sig }
        : { key, signature: sig, timestamp: result.timestamp },
    );
  }
  if (verified.length === 0) {
    return err(
      new NoteError('unverified-note', 'the note carries no signature from a trusted key'),
    );
  }
  return ok({ text: note.text, verified, unverified });
}
