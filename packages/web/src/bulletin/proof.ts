/**
 * Checking, in the voter's own browser, that a ballot is in the public ledger: the
 * ledger entry's leaf hash, the RFC 9162 §2.1.3.2 inclusion proof up to a root, and that
 * root against the log's signed checkpoint (c2sp.org/tlog-checkpoint, a C2SP signed note
 * whose Ed25519 signature is checked with WebCrypto against the log's verifier key).
 * Everything is recomputed here with SHA-256 from WebCrypto; the server's own claims
 * (its leaf hash, its status) are only compared against, never trusted.
 */

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0x00]), entry));
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0x01]), left, right));
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) for plain JSON values: members sorted by their
 * names' UTF-16 code units, no whitespace, strings and numbers as ECMAScript's
 * JSON.stringify writes them (which is what RFC 8785 §3.2.2 prescribes).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('RFC 8785 allows only finite numbers');
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${members.join(',')}}`;
}

/**
 * The leaf bytes of a Vigil ledger entry: its RFC 8785 canonical JSON with the format
 * version `v` (1), as @vigil/ledger's encodeEntry writes them.
 */
export function entryBytes(entry: Readonly<Record<string, unknown>>): Uint8Array {
  return new TextEncoder().encode(canonicalJson('v' in entry ? entry : { v: 1, ...entry }));
}

/** One step of the walk from the leaf to the root, for showing. */
export interface ProofStep {
  /** 1-based. */
  readonly step: number;
  /** The proof hash combined at this step. */
  readonly sibling: string;
  /** Whether the sibling sits left of the running hash (so: H(0x01 || sibling || r)). */
  readonly siblingOnLeft: boolean;
  /** The running hash after this step. */
  readonly result: string;
  /** fn and sn before the step (RFC 9162's names). */
  readonly fn: number;
  readonly sn: number;
}

export type InclusionOutcome =
  | { readonly ok: true; readonly root: string; readonly steps: readonly ProofStep[] }
  | { readonly ok: false; readonly reason: string; readonly steps: readonly ProofStep[] };

/**
 * RFC 9162 §2.1.3.2: the root that `proof` implies for the leaf hash at `index` in a tree
 * of `size` leaves, with every step, or why the proof cannot belong to such a tree.
 */
export async function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Promise<InclusionOutcome> {
  const steps: ProofStep[] = [];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return { ok: false, reason: `index ${index} is not inside a tree of ${size} leaves`, steps };
  }
  if (leaf.length !== 32 || proof.some((p) => p.length !== 32)) {
    return { ok: false, reason: 'every hash of the proof must be 32 bytes (SHA-256)', steps };
  }
  // fn and sn exceed 2^31 in a big ledger: shift by division, not with >>.
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) {
      return { ok: false, reason: 'the proof has more hashes than the tree has levels', steps };
    }
    const before = { fn, sn };
    const siblingOnLeft = fn % 2 === 1 || fn === sn;
    if (siblingOnLeft) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    steps.push({
      step: steps.length + 1,
      sibling: toHex(p),
      siblingOnLeft,
      result: toHex(r),
      ...before,
    });
  }
  if (sn !== 0) {
    return {
      ok: false,
      reason: 'the proof has fewer hashes than the path to the root needs',
      steps,
    };
  }
  return { ok: true, root: toHex(r), steps };
}

/** A parsed C2SP signed note: its text and signature lines. */
export interface SignedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignatureLine[];
}

export interface NoteSignatureLine {
  readonly name: string;
  readonly keyId: number;
  /** The bytes after the 4-byte key id. */
  readonly signature: Uint8Array;
}

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
}

/** c2sp.org/signed-note: text, a blank line, then `— <name> <base64(key id || sig)>` lines. */
export function parseSignedNote(note: string): SignedNote | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return undefined;
  const text = note.slice(0, split + 1);
  const signatures: NoteSignatureLine[] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    const bytes = match === null ? undefined : fromBase64(match[2]!);
    if (match === null || bytes === undefined || bytes.length < 5) return undefined;
    const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
    signatures.push({ name: match[1]!, keyId, signature: bytes.slice(4) });
  }
  return { text, signatures };
}

/** c2sp.org/tlog-checkpoint: origin, decimal size, base64 root hash. */
export function parseCheckpointBody(text: string): CheckpointBody | undefined {
  const [origin, size, root] = text.split('\n');
  const rootBytes = root === undefined ? undefined : fromBase64(root);
  if (origin === undefined || origin === '' || size === undefined || !/^(0|[1-9]\d*)$/.test(size)) {
    return undefined;
  }
  if (rootBytes?.length !== 32) return undefined;
  return { origin, size: Number(size), root: rootBytes };
}

/** A verifier key `<name>+<hex key id>+<base64(type || public key)>` (signed-note). */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

export function parseVerifierKey(vkey: string): VerifierKey | undefined {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  const bytes = match === null ? undefined : fromBase64(match[3]!);
  if (match === null || bytes?.length !== 33) return undefined;
  return {
    name: match[1]!,
    keyId: Number.parseInt(match[2]!, 16),
    type: bytes[0]!,
    publicKey: bytes.slice(1),
  };
}

/** Signature type bytes of signed-note: plain Ed25519, and witness cosignature/v1. */
export const ED25519_NOTE = 0x01;
export const COSIGNATURE_V1 = 0x04;

/** True when `signature` is the log's Ed25519 signature (RFC 8032) over the note text. */
export async function verifyNoteSignature(
  text: string,
  key: VerifierKey,
  signature: NoteSignatureLine,
): Promise<boolean> {
  if (key.type !== ED25519_NOTE || signature.keyId !== key.keyId || signature.name !== key.name) {
    return false;
  }
  if (signature.signature.length !== 64) return false;
  try {
    const publicKey = await crypto.subtle.importKey(
      'raw',
      Uint8Array.from(key.publicKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      publicKey,
      Uint8Array.from(signature.signature),
      new TextEncoder().encode(text),
    );
  } catch {
    return false;
  }
}

/**
 * A cosignature/v1 line (c2sp.org/tlog-cosignature): 8-byte big-endian timestamp, then
 * the 64-byte Ed25519 signature. Returns the time it claims, or undefined if it is not one.
 */
export function cosignatureTime(signature: NoteSignatureLine): Date | undefined {
  if (signature.signature.length !== 72) return undefined;
  const view = new DataView(signature.signature.buffer, signature.signature.byteOffset, 8);
  const seconds = Number(view.getBigUint64(0, false));
  return Number.isSafeInteger(seconds) ? new Date(seconds * 1000) : undefined;
}

/** Byte-for-byte equality; the values compared here are public, so timing does not matter. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
