import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IntegrityError, err, ok, type Result } from '@vigil/core';
import type { TemplateModality } from '@vigil/store';
import type { Keyring } from './keys.ts';

/**
 * Envelope encryption of one biometric template (NIST SP 800-38D AES-256-GCM):
 *
 * - a fresh random 32-byte data key per record encrypts the template with a random
 *   96-bit nonce (a key is used once, so nonce reuse cannot happen);
 * - the data key is stored wrapped by the master key (keys.ts), never in the clear;
 * - both layers authenticate the context `vigil-template/1, voter id, modality, finger
 *   position` as additional data, so a record copied to another voter or finger, or a
 *   wrapped key moved to another record, does not decrypt.
 *
 * The data key is zeroed after use. Only the format version, quality and key id are in
 * the clear beside the ciphertext.
 */
export const ENVELOPE_FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface TemplateContext {
  readonly voterId: string;
  readonly modality: TemplateModality;
  /** Finger position 1..10, 0 for the face. */
  readonly position: number;
}

export interface TemplateEnvelope {
  readonly format: number;
  readonly keyId: string;
  readonly wrappedKey: Uint8Array;
  readonly nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte tag. */
  readonly ciphertext: Uint8Array;
}

/** The additional authenticated data of a record: its identity, unambiguously encoded. */
export function templateAad(context: TemplateContext, layer: 'data' | 'key'): Uint8Array {
  // NUL cannot occur in a voter id (ID_PATTERN), so the fields cannot run into each other.
  return new Uint8Array(
    Buffer.from(
      `vigil-template/${ENVELOPE_FORMAT}\0${layer}\0${context.voterId}\0${context.modality}\0${context.position}`,
      'utf8',
    ),
  );
}

/** Encrypts `plaintext` (an ISO/IEC 19794-2 record, or a face embedding) for storage. */
export function sealTemplate(
  keyring: Keyring,
  plaintext: Uint8Array,
  context: TemplateContext,
): TemplateEnvelope {
  const dataKey = randomBytes(32);
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
    cipher.setAAD(templateAad(context, 'data'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      format: ENVELOPE_FORMAT,
      keyId: keyring.keyId,
      wrappedKey: keyring.wrapKey(dataKey, templateAad(context, 'key')),
      nonce: new Uint8Array(nonce),
      ciphertext: new Uint8Array(body),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts a stored envelope; err IntegrityError on a wrong key, context or altered bytes. */
export function openTemplate(
  keyring: Keyring,
  envelope: TemplateEnvelope,
  context: TemplateContext,
): Result<Uint8Array, IntegrityError> {
  const where = `the ${context.modality} template ${context.position} of voter "${context.voterId}"`;
  if (envelope.format !== ENVELOPE_FORMAT) {
    return err(
      new IntegrityError(
        `${where} is in envelope format ${envelope.format}, which this version cannot read.`,
      ),
    );
  }
  if (envelope.keyId !== keyring.keyId) {
    return err(
      new IntegrityError(
        `${where} was encrypted under master key ${envelope.keyId}, but the key in use is ${keyring.keyId}.`,
        {
          hint: 'Start with the master key the templates were enrolled under (VIGIL_MASTER_KEY or master.key).',
        },
      ),
    );
  }
  if (envelope.nonce.length !== NONCE_BYTES || envelope.ciphertext.length < TAG_BYTES) {
    return err(new IntegrityError(`${where} is damaged (its nonce or ciphertext is too short).`));
  }
  const dataKey = keyring.unwrapKey(envelope.wrappedKey, templateAad(context, 'key'));
  if (!dataKey.ok) return dataKey;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey.value, envelope.nonce);
    decipher.setAAD(templateAad(context, 'data'));
    const tagAt = envelope.ciphertext.length - TAG_BYTES;
    decipher.setAuthTag(envelope.ciphertext.subarray(tagAt));
    const plain = Buffer.concat([
      decipher.update(envelope.ciphertext.subarray(0, tagAt)),
      decipher.final(),
    ]);
    return ok(new Uint8Array(plain));
  } catch {
    return err(
      new IntegrityError(
        `${where} does not decrypt: it was altered, or moved from another record.`,
      ),
    );
  } finally {
    dataKey.value.fill(0);
  }
}
