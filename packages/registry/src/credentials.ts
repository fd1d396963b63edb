import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  VigilError,
  concatBytes,
  err,
  ok,
  sha256Hex,
  type Clock,
  type Result,
} from '@vigil/core';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type { Store, StoreOperations } from '@vigil/store';
import { MASTER_KEY_BYTES, keyringFromKey, type Keyring } from './keys.ts';

/**
 * One-time ballot credentials by RSA blind signatures (RFC 9474), variant
 * RSABSSA-SHA384-PSS-Randomized (§5), through @cloudflare/blindrsa-ts.
 *
 * - The registry holds one key pair per ballot style, so the signature itself says
 *   which ballot style the holder may cast, though the signer never sees the token.
 * - The station makes a random 32-byte token, prepares and blinds it (§4.1, §4.2) and
 *   sends only the blinded message; the registry signs it once, for a voter it has just
 *   locked as having voted (`checkin.ts`); the station finalises (§4.4).
 * - The ballot side verifies (§4.5) under the ballot style's public key and spends the
 *   token once, keyed by its hash.
 *
 * Blindness (§6.1) means the signer's view (the blinded message) is independent of the
 * final (message, signature): nothing the registry stores or logs can be joined to the
 * credential the ballot side sees. The registry therefore stores neither the token nor
 * any signature, only that a credential was issued for the check-in.
 */

/** The RFC 9474 variant, as the RFC names it. */
export const CREDENTIAL_SUITE_NAME = 'RSABSSA-SHA384-PSS-Randomized';
const suite = RSABSSA.SHA384.PSS.Randomized();

/** RFC 9474 §5 (and NIST SP 800-57) ask for at least 2048-bit moduli. */
export const MIN_MODULUS_BITS = 2048;
/**
 * 2048 bits, RFC 9474's floor. A credential key lives for one election (its signatures
 * matter from check-in to the ballot box, the same day), well inside NIST SP 800-57
 * Part 1's acceptance of 2048-bit RSA through 2030; signing is about five times faster
 * than at 3072 bits (0.4 against 1.9 ms here), which matters with 50 stations at once.
 * Pass `modulusBits: 3072` for keys that must outlive 2030.
 */
export const DEFAULT_MODULUS_BITS = 2048;
export const TOKEN_BYTES = 32;

const MESSAGE_DOMAIN = 'vigil-ballot-credential-v1';
const TOKEN_HASH_DOMAIN = 'vigil-spent-token-v1';
const SEAL_DOMAIN = 'vigil-credential-key-v1';
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
/** A data key wrapped by the keyring: nonce (12) ‖ key (32) ‖ tag (16). */
const WRAPPED_KEY_BYTES = 60;
const RSA_PSS_SHA384 = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

const encoder = new TextEncoder();

/** A ballot style's public verification key, as published to stations and the ballot side. */
export interface CredentialPublicKey {
  readonly electionId: string;
  readonly ballotStyleId: string;
  /** SHA-256 (hex) of `spki`. */
  readonly keyId: string;
  /** SubjectPublicKeyInfo DER of the RSA-PSS public key. */
  readonly spki: Uint8Array;
}

/** A finished credential: what a voter carries from the station to the ballot box. */
export interface BallotCredential {
  readonly electionId: string;
  readonly ballotStyleId: string;
  /** The signed input: RFC 9474's 32 random prefix bytes, then the credential message. */
  readonly preparedMessage: Uint8Array;
  readonly signature: Uint8Array;
}

/** What a station keeps between blinding and finalising; secret to the station. */
export interface PendingCredential {
  readonly key: CredentialPublicKey;
  readonly preparedMessage: Uint8Array;
  readonly inverse: Uint8Array;
}

/** Every refusal of a credential says why, and none names the token. */
export type CredentialRejection =
  | 'malformed'
  | 'wrong-election'
  | 'wrong-ballot-style'
  | 'unknown-ballot-style'
  | 'bad-signature'
  | 'already-spent';

export class CredentialRejectedError extends VigilError {
  readonly reason: CredentialRejection;
  constructor(reason: CredentialRejection, message: string, options?: { hint?: string }) {
    super(`credential-${reason}`, message, options);
    this.name = 'CredentialRejectedError';
    this.reason = reason;
  }
}

/** The keyring that seals credential keys, or the raw 32-byte master key it is made from. */
export type CredentialKeyProtector = Keyring | Uint8Array;

function keyringOf(protector: CredentialKeyProtector): Keyring {
  if (!(protector instanceof Uint8Array)) return protector;
  if (protector.length !== MASTER_KEY_BYTES) {
    throw new InvalidInputError(
      `The key that seals credential keys must be ${MASTER_KEY_BYTES} bytes (AES-256); it was ${protector.length}.`,
      {
        path: 'masterKey',
        hint: 'Use the registry master key (VIGIL_MASTER_KEY or its key file).',
      },
    );
  }
  return keyringFromKey(protector);
}

function sealAad(
  electionId: string,
  ballotStyleId: string,
  keyId: string,
  layer: string,
): Uint8Array {
  // The associated data binds the sealed key to its row: a sealed key moved to another
  // ballot style, election or public key no longer opens (NIST SP 800-38D §5.2.1).
  return encoder.encode(`${SEAL_DOMAIN}\0${layer}\0${electionId}\0${ballotStyleId}\0${keyId}`);
}

/**
 * Envelope encryption (AES-256-GCM, NIST SP 800-38D) of a private key: a fresh data key
 * encrypts it, the keyring wraps the data key. Layout: wrapped data key (60) ‖ nonce (12)
 * ‖ ciphertext ‖ tag (16).
 */
function sealPrivateKey(
  keyring: Keyring,
  aad: (layer: string) => Uint8Array,
  pkcs8: Uint8Array,
): Uint8Array {
  const dataKey = randomBytes(MASTER_KEY_BYTES);
  try {
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(aad('data'));
    const body = concatBytes(cipher.update(pkcs8), cipher.final(), cipher.getAuthTag());
    return concatBytes(keyring.wrapKey(dataKey, aad('key')), nonce, body);
  } finally {
    dataKey.fill(0);
  }
}

function openPrivateKey(
  keyring: Keyring,
  aad: (layer: string) => Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  const bodyAt = WRAPPED_KEY_BYTES + GCM_NONCE_BYTES;
  if (sealed.length < bodyAt + GCM_TAG_BYTES) return undefined;
  const dataKey = keyring.unwrapKey(sealed.subarray(0, WRAPPED_KEY_BYTES), aad('key'));
  if (!dataKey.ok) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      dataKey.value,
      sealed.subarray(WRAPPED_KEY_BYTES, bodyAt),
      { authTagLength: GCM_TAG_BYTES },
    );
    decipher.setAAD(aad('data'));
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    return concatBytes(
      decipher.update(sealed.subarray(bodyAt, sealed.length - GCM_TAG_BYTES)),
      decipher.final(),
    );
  } catch {
    return undefined;
  } finally {
    dataKey.value.fill(0);
  }
}

/**
 * Creates the signing key of each ballot style that has none yet, stores the private
 * key sealed under the keyring (AES-256-GCM envelope; never in plaintext in the database) and
 * returns every ballot style's public key. Running it again creates nothing new.
 */
export async function createCredentialKeys(
  store: Store,
  input: {
    readonly electionId: string;
    readonly ballotStyleIds: readonly string[];
    /** The registry keyring (keys.ts), or a raw 32-byte master key. */
    readonly keyring: CredentialKeyProtector;
    readonly clock: Clock;
    readonly modulusBits?: number;
  },
): Promise<readonly CredentialPublicKey[]> {
  const keyring = keyringOf(input.keyring);
  const bits = input.modulusBits ?? DEFAULT_MODULUS_BITS;
  if (!Number.isInteger(bits) || bits < MIN_MODULUS_BITS || bits % 8 !== 0) {
    throw new InvalidInputError(
      `A credential key needs a modulus of at least ${MIN_MODULUS_BITS} bits, a multiple of 8; ${bits} was asked.`,
      { path: 'modulusBits' },
    );
  }
  const existing = new Set(
    (await store.listCredentialKeys(input.electionId)).map((k) => k.ballotStyleId),
  );
  for (const ballotStyleId of new Set(input.ballotStyleIds)) {
    if (existing.has(ballotStyleId)) continue;
    const pair = await suite.generateKey({
      publicExponent: Uint8Array.from([1, 0, 1]),
      modulusLength: bits,
    });
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    const keyId = sha256Hex(spki);
    const sealed = sealPrivateKey(
      keyring,
      (layer) => sealAad(input.electionId, ballotStyleId, keyId, layer),
      pkcs8,
    );
    pkcs8.fill(0);
    // A concurrent creator may have stored this ballot style's key first; that key wins.
    await store.saveCredentialKey({
      electionId: input.electionId,
      ballotStyleId,
      keyId,
      publicKey: spki,
      sealedPrivateKey: sealed,
      createdAt: input.clock.now(),
    });
  }
  return credentialPublicKeys(store, input.electionId);
}

/** Every ballot style's public key of an election, for stations and the ballot side. */
export async function credentialPublicKeys(
  store: StoreOperations,
  electionId: string,
): Promise<readonly CredentialPublicKey[]> {
  const keys = await store.listCredentialKeys(electionId);
  return keys.map((k) => ({
    electionId: k.electionId,
    ballotStyleId: k.ballotStyleId,
    keyId: k.keyId,
    spki: k.publicKey,
  }));
}

/** The registry's signing side, with the private keys opened in memory. */
export interface CredentialSigner {
  readonly electionId: string;
  readonly publicKeys: ReadonlyMap<string, CredentialPublicKey>;
  /**
   * RFC 9474 §4.3 BlindSign for the ballot style's key. Err for an unknown ballot style
   * or a blinded message that is not an integer below the modulus. Call it only through
   * `issueCredential` (or `checkIn`), which allows one signature per check-in.
   */
  blindSign(ballotStyleId: string, blindedMessage: Uint8Array): Result<Uint8Array, VigilError>;
}

/**
 * Opens the sealed signing keys of an election. Err IntegrityError when a key does not
 * open under the keyring (the wrong key, or the row was tampered with) or does not match
 * its public key; err NotFoundError when the election has no credential keys.
 */
export async function openCredentialSigner(
  store: StoreOperations,
  electionId: string,
  protector: CredentialKeyProtector,
): Promise<Result<CredentialSigner, IntegrityError | NotFoundError>> {
  const keyring = keyringOf(protector);
  const rows = await store.listCredentialKeys(electionId);
  if (rows.length === 0) {
    return err(
      new NotFoundError(`Election "${electionId}" has no credential keys.`, {
        hint: 'Create them with createCredentialKeys before polls open.',
      }),
    );
  }
  const keys = new Map<
    string,
    { readonly privateKey: KeyObject; readonly publicKey: KeyObject; readonly bytes: number }
  >();
  const publicKeys = new Map<string, CredentialPublicKey>();
  for (const row of rows) {
    const pkcs8 = openPrivateKey(
      keyring,
      (layer) => sealAad(row.electionId, row.ballotStyleId, row.keyId, layer),
      row.sealedPrivateKey,
    );
    if (pkcs8 === undefined) {
      return err(
        new IntegrityError(
          `The credential key of ballot style "${row.ballotStyleId}" does not open with this master key.`,
          { hint: 'Check that the registry runs with the master key the keys were created under.' },
        ),
      );
    }
    // A view, not a copy, so that zeroing pkcs8 leaves no copy of the key behind.
    const der = Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    pkcs8.fill(0);
    const publicKey = createPublicKey({
      key: Buffer.from(row.publicKey),
      format: 'der',
      type: 'spki',
    });
    const derived = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    if (sha256Hex(derived) !== row.keyId || sha256Hex(row.publicKey) !== row.keyId) {
      return err(
        new IntegrityError(
          `The credential key of ballot style "${row.ballotStyleId}" does not match its public key ${row.keyId}.`,
        ),
      );
    }
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    keys.set(row.ballotStyleId, { privateKey, publicKey, bytes: Math.ceil(bits / 8) });
    publicKeys.set(row.ballotStyleId, {
      electionId: row.electionId,
      ballotStyleId: row.ballotStyleId,
      keyId: row.keyId,
      spki: row.publicKey,
    });
  }
  return ok({
    electionId,
    publicKeys,
    blindSign(ballotStyleId: string, blindedMessage: Uint8Array): Result<Uint8Array, VigilError> {
      const key = keys.get(ballotStyleId);
      if (key === undefined) {
        return err(
          new NotFoundError(
            `Ballot style "${ballotStyleId}" has no credential key in election "${electionId}".`,
          ),
        );
      }
      if (blindedMessage.length !== key.bytes) {
        return err(
          new InvalidInputError(
            `A blinded message for ballot style "${ballotStyleId}" must be ${key.bytes} bytes (the modulus length); it was ${blindedMessage.length}.`,
            { path: 'blindedMessage' },
          ),
        );
      }
      // §4.3 step 2, s = RSASP1(sk, m): raw RSA through OpenSSL (CRT, with OpenSSL's
      // own base blinding against timing attacks), which gives the same bytes as the
      // library's blindSign (RSA signing is deterministic; a test finalises and verifies it) in well under a millisecond instead of ~300 ms
      // of BigInt arithmetic. OpenSSL refuses m >= n ("data too large for modulus").
      let s: Buffer;
      try {
        s = privateDecrypt(
          { key: key.privateKey, padding: constants.RSA_NO_PADDING },
          blindedMessage,
        );
      } catch {
        return err(
          new InvalidInputError(
            'The blinded message is not a number below the key modulus; the station must blind again.',
            { path: 'blindedMessage' },
          ),
        );
      }
      // §4.3 steps 3-4: m' = RSAVP1(pk, s) must equal m, so that a faulty computation
      // never leaks a signature that would reveal the private key (the CRT fault attack).
      const back = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, s);
      if (!back.equals(blindedMessage)) {
        throw new Error(`signing failure for ballot style ${ballotStyleId} (RFC 9474 §4.3 step 4)`);
      }
      return ok(new Uint8Array(s));
    },
  });
}

/** The credential message: a domain label, the election, the ballot style and the token. */
function credentialMessage(
  electionId: string,
  ballotStyleId: string,
  token: Uint8Array,
): Uint8Array {
  return concatBytes(encoder.encode(`${MESSAGE_DOMAIN}\n${electionId}\n${ballotStyleId}\n`), token);
}

function parseCredentialMessage(
  prepared: Uint8Array,
): { electionId: string; ballotStyleId: string; token: Uint8Array } | undefined {
  // RFC 9474 §4.1: the Randomized variant's prepared message is 32 random bytes, then msg.
  const message = prepared.subarray(32);
  if (message.length <= TOKEN_BYTES) return undefined;
  const header = new TextDecoder().decode(message.subarray(0, message.length - TOKEN_BYTES));
  const parts = header.split('\n');
  if (parts.length !== 4 || parts[0] !== MESSAGE_DOMAIN || parts[3] !== '') return undefined;
  return {
    electionId: parts[1]!,
    ballotStyleId: parts[2]!,
    token: message.subarray(message.length - TOKEN_BYTES),
  };
}

async function importVerifyKey(spki: Uint8Array): Promise<CryptoKey> {
  // Extractable because the library reads the modulus from the key's JWK form.
  return crypto.subtle.importKey('spki', new Uint8Array(spki), RSA_PSS_SHA384, true, ['verify']);
}

/**
 * Station side, before asking for a signature: a fresh random 32-byte token, prepared
 * (§4.1) and blinded (§4.2) under the ballot style's public key. Send `blindedMessage`
 * to the registry; keep `pending` on the station until the blind signature comes back.
 */
export async function requestCredential(
  key: CredentialPublicKey,
): Promise<{ readonly pending: PendingCredential; readonly blindedMessage: Uint8Array }> {
  const token = new Uint8Array(randomBytes(TOKEN_BYTES));
  const preparedMessage = suite.prepare(
    credentialMessage(key.electionId, key.ballotStyleId, token),
  );
  const { blindedMsg, inv } = await suite.blind(await importVerifyKey(key.spki), preparedMessage);
  return { pending: { key, preparedMessage, inverse: inv }, blindedMessage: blindedMsg };
}

/**
 * Station side, with the registry's blind signature: unblinds it (§4.4 Finalize, which
 * also verifies it). Err IntegrityError when the signature does not verify: the registry
 * signed with another key or the answer was altered.
 */
export async function finishCredential(
  pending: PendingCredential,
  blindSignature: Uint8Array,
): Promise<Result<BallotCredential, IntegrityError>> {
  try {
    const signature = await suite.finalize(
      await importVerifyKey(pending.key.spki),
      pending.preparedMessage,
      blindSignature,
      pending.inverse,
    );
    return ok({
      electionId: pending.key.electionId,
      ballotStyleId: pending.key.ballotStyleId,
      preparedMessage: pending.preparedMessage,
      signature,
    });
  } catch (cause) {
    return err(
      new IntegrityError(
        `The registry's blind signature does not verify under ballot style "${pending.key.ballotStyleId}"'s key.`,
        { hint: 'Ask for a new credential; the check-in itself stands.', cause },
      ),
    );
  }
}

/** The ballot side's record of a token: a domain-separated SHA-256, never the token. */
export function spentTokenHash(token: Uint8Array): string {
  return sha256Hex(concatBytes(encoder.encode(`${TOKEN_HASH_DOMAIN}\n`), token));
}

/** The day of an instant, as the UTC midnight a day-only ledger time carries. */
function dayOf(instant: Date): string {
  return `${instant.toISOString().slice(0, 10)}T00:00:00Z`;
}

/**
 * Ballot side: checks a credential for a ballot of `ballotStyleId` and spends it, once.
 * Verifies the signature (§4.5) under that ballot style's key, so a credential issued for
 * another ballot style, another election or by another key is refused; then records the
 * token's hash with a conditional insert, so a second spend or a replay is refused even
 * when two ballot boxes race. Every refusal is a `credential.rejected` ledger entry, every
 * spend a `credential.spent` entry: both carry the day only and no token or hash.
 */
export async function spendCredential(
  store: Store,
  input: {
    readonly credential: BallotCredential;
    /** The ballot style of the ballot being cast. */
    readonly ballotStyleId: string;
    readonly electionId: string;
    readonly publicKeys: readonly CredentialPublicKey[];
    readonly ballotBoxId: string;
    readonly clock: Clock;
  },
): Promise<Result<{ readonly ballotStyleId: string }, CredentialRejectedError>> {
  const { credential, ballotStyleId, electionId } = input;
  const day = dayOf(input.clock.now());
  const reject = async (
    reason: CredentialRejection,
    message: string,
  ): Promise<Result<never, CredentialRejectedError>> => {
    await store.appendLedgerEntries([
      {
        eventId: eventIdOf('credential.rejected'),
        actorId: 'system',
        stationId: input.ballotBoxId,
        time: day,
        disposition: 'failure',
        subjects: [`election:${electionId}`, `ballot-style:${ballotStyleId}`],
        detail: reason,
      },
    ]);
    return err(new CredentialRejectedError(reason, message));
  };

  const parsed = parseCredentialMessage(credential.preparedMessage);
  if (parsed === undefined) {
    return reject('malformed', 'This is not a Vigil ballot credential.');
  }
  if (parsed.electionId !== electionId || credential.electionId !== electionId) {
    return reject(
      'wrong-election',
      `This credential is for election "${parsed.electionId}", not "${electionId}".`,
    );
  }
  if (parsed.ballotStyleId !== ballotStyleId || credential.ballotStyleId !== ballotStyleId) {
    return reject(
      'wrong-ballot-style',
      `This credential is for ballot style "${parsed.ballotStyleId}", not "${ballotStyleId}".`,
    );
  }
  const key = input.publicKeys.find(
    (k) => k.electionId === electionId && k.ballotStyleId === ballotStyleId,
  );
  if (key === undefined) {
    return reject('unknown-ballot-style', `Ballot style "${ballotStyleId}" has no credential key.`);
  }
  let valid: boolean;
  try {
    valid = await suite.verify(
      await importVerifyKey(key.spki),
      credential.signature,
      credential.preparedMessage,
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    return reject(
      'bad-signature',
      `The credential's signature does not verify under ballot style "${ballotStyleId}"'s key.`,
    );
  }
  const tokenHash = spentTokenHash(parsed.token);
  const entry: LedgerEntry = {
    eventId: eventIdOf('credential.spent'),
    actorId: 'system',
    stationId: input.ballotBoxId,
    time: day,
    disposition: 'success',
    subjects: [
      `election:${electionId}`,
      `ballot-style:${ballotStyleId}`,
      `key:sha256:${key.keyId}`,
    ],
  };
  const spent = await store.transaction(async (tx) => {
    const first = await tx.spendCredentialToken({ electionId, ballotStyleId, tokenHash });
    if (first) await tx.appendLedgerEntries([entry]);
    return first;
  });
  if (!spent) {
    return reject('already-spent', 'This credential has already been used to cast a ballot.');
  }
  return ok({ ballotStyleId });
}
