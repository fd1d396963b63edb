import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IntegrityError, concatBytes, err, ok, type Result } from '@vigil/core';
import { MASTER_KEY_BYTES, type Keyring } from '@vigil/registry';

/**
 * The ballot box's secrets at rest (guardians' polynomials and key shares, a pending
 * ballot's primary nonce and marks): AES-256-GCM envelopes (NIST SP 800-38D) under the
 * registry's master key, which never enters the database. A fresh data key per secret
 * encrypts it; the keyring wraps the data key. Both layers authenticate the secret's
 * context (what it is and whose), so a sealed value moved to another row does not open.
 * Layout: wrapped data key (60) ‖ nonce (12) ‖ ciphertext ‖ tag (16).
 */
const DOMAIN = 'vigil-ballot-box-secret/1';
const WRAPPED_KEY_BYTES = 60;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const aad = (context: string, layer: 'key' | 'data'): Uint8Array =>
  new TextEncoder().encode(`${DOMAIN}\0${layer}\0${context}`);

export function sealSecret(keyring: Keyring, plaintext: Uint8Array, context: string): Uint8Array {
  const dataKey = randomBytes(MASTER_KEY_BYTES);
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context, 'data'));
    const body = concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
    return concatBytes(keyring.wrapKey(dataKey, aad(context, 'key')), nonce, body);
  } finally {
    dataKey.fill(0);
  }
}

export function openSecret(
  keyring: Keyring,
  sealed: Uint8Array,
  context: string,
): Result<Uint8Array, IntegrityError> {
  const bodyAt = WRAPPED_KEY_BYTES + NONCE_BYTES;
  const broken = new IntegrityError(
    `A sealed ballot-box secret (${context.split('\0', 1)[0] ?? 'secret'}) does not open: the master key changed, or the row was altered.`,
    { hint: 'Start the server with the master key the election was set up under.' },
  );
  if (sealed.length < bodyAt + TAG_BYTES) return err(broken);
  const dataKey = keyring.unwrapKey(sealed.subarray(0, WRAPPED_KEY_BYTES), aad(context, 'key'));
  if (!dataKey.ok) return err(broken);
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      dataKey.value,
      sealed.subarray(WRAPPED_KEY_BYTES, bodyAt),
      {
        authTagLength: TAG_BYTES,
      },
    );
    decipher.setAAD(aad(context, 'data'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return ok(
      concatBytes(
        decipher.update(sealed.subarray(bodyAt, sealed.length - TAG_BYTES)),
        decipher.final(),
      ),
    );
  } catch {
    return err(broken);
  } finally {
    dataKey.value.fill(0);
  }
}

/** Seals a JSON value. */
export function sealJson(keyring: Keyring, value: unknown, context: string): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  try {
    return sealSecret(keyring, bytes, context);
  } finally {
    bytes.fill(0);
  }
}

/** Opens a sealed JSON value; throws IntegrityError when it does not open. */
export function openJson(keyring: Keyring, sealed: Uint8Array, context: string): unknown {
  const opened = openSecret(keyring, sealed, context);
  if (!opened.ok) throw opened.error;
  try {
    return JSON.parse(new TextDecoder().decode(opened.value)) as unknown;
  } finally {
    opened.value.fill(0);
  }
}
