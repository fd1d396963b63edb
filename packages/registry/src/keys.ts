import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IntegrityError, VigilError, err, ok, sha256Hex, type Result } from '@vigil/core';

/**
 * The master key of the template store. It wraps the per-record data keys of the
 * envelopes (envelope.ts), so it never goes into the database or the repository: it
 * comes from `VIGIL_MASTER_KEY` (32 bytes, base64 or hex) or from the key file
 * `<data dir>/master.key` (mode 0600), created with a random key when neither exists.
 * The raw key stays inside this module's closure; callers get a wrap/unwrap interface.
 */
export interface Keyring {
  /** A fingerprint of the master key (not the key), stored with each record. */
  readonly keyId: string;
  /** Where the key came from, for logs. */
  readonly source: 'environment' | 'key-file' | 'given';
  /**
   * AES-256-GCM (NIST SP 800-38D) of a 32-byte data key under the master key, with
   * `context` as additional authenticated data: nonce (12) || ciphertext (32) || tag (16).
   */
  wrapKey(dataKey: Uint8Array, context: Uint8Array): Uint8Array;
  /** The data key, or err IntegrityError when the key, the context or the bytes differ. */
  unwrapKey(wrapped: Uint8Array, context: Uint8Array): Result<Uint8Array, IntegrityError>;
}

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE_NAME = 'master.key';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface OpenKeyringOptions {
  /** Default `process.env`; `VIGIL_MASTER_KEY` there wins over the key file. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where `master.key` lives; default `$VIGIL_DATA_DIR`, else `./vigil-data`. */
  readonly dataDir?: string;
  /** Create the key file with a random key when no key exists (default true). */
  readonly create?: boolean;
}

/** Reads a 32-byte key written as base64 (standard or url-safe) or as 64 hex digits. */
export function parseMasterKey(text: string): Result<Uint8Array, string> {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return ok(new Uint8Array(Buffer.from(t, 'hex')));
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === MASTER_KEY_BYTES) return ok(new Uint8Array(bytes));
  }
  return err(
    `it must be ${MASTER_KEY_BYTES} bytes written as base64 (44 characters) or hex (64 digits)`,
  );
}

/** A keyring over a key the caller holds (tests, benchmarks, a key from an HSM export). */
export function keyringFromKey(key: Uint8Array, source: Keyring['source'] = 'given'): Keyring {
  if (key.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`a master key is ${MASTER_KEY_BYTES} bytes, not ${key.length}`);
  }
  const secret = Buffer.from(key); // private copy: the caller may zero theirs
  const keyId = `mk-${sha256Hex(Buffer.concat([Buffer.from('vigil master key id\0'), secret])).slice(0, 16)}`;
  return {
    keyId,
    source,
    wrapKey(dataKey, context) {
      if (dataKey.length !== MASTER_KEY_BYTES) {
        throw new RangeError(`a data key is ${MASTER_KEY_BYTES} bytes, not ${dataKey.length}`);
      }
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secret, nonce);
      cipher.setAAD(context);
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
    },
    unwrapKey(wrapped, context) {
      if (wrapped.length !== NONCE_BYTES + MASTER_KEY_BYTES + TAG_BYTES) {
        return err(new IntegrityError(`A wrapped data key is ${wrapped.length} bytes, not 60.`));
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, wrapped.subarray(0, NONCE_BYTES));
        decipher.setAAD(context);
        decipher.setAuthTag(wrapped.subarray(NONCE_BYTES + MASTER_KEY_BYTES));
        const body = wrapped.subarray(NONCE_BYTES, NONCE_BYTES + MASTER_KEY_BYTES);
        return ok(new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()])));
      } catch {
        return err(
          new IntegrityError(
            'A stored data key does not open with this master key (wrong key, or the record was altered or moved).',
          ),
        );
      }
    },
  };
}

/**
 * Opens the master key: `VIGIL_MASTER_KEY` if set, else `<dataDir>/master.key`, else (when
 * `create` is not false) a new random key written to that file with mode 0600. Refuses a
 * key file that group or others may read: a readable key is a disclosed key, and
 * tightening it silently would hide that it was exposed.
 *
 * @example
 *   const keyring = openKeyring({ dataDir: './vigil-data' });
 *   if (!keyring.ok) throw keyring.error;
 */
export function openKeyring(options: OpenKeyringOptions = {}): Result<Keyring, VigilError> {
  const env = options.env ?? process.env;
  const fromEnv = env.VIGIL_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = parseMasterKey(fromEnv);
    if (!key.ok) {
      return err(
        new VigilError('registry-bad-master-key', `VIGIL_MASTER_KEY is not usable: ${key.error}.`, {
          hint: 'Generate one with: openssl rand -base64 32',
        }),
      );
    }
    return ok(keyringFromKey(key.value, 'environment'));
  }
  const dataDir = resolve(options.dataDir || env.VIGIL_DATA_DIR || './vigil-data');
  const file = join(dataDir, MASTER_KEY_FILE_NAME);
  if (!existsSync(file)) {
    if (options.create === false) {
      return err(
        new VigilError(
          'registry-no-master-key',
          `There is no master key: VIGIL_MASTER_KEY is not set and ${file} does not exist.`,
          {
            hint: 'Set VIGIL_MASTER_KEY, or restore master.key from its backup; without it enrolled templates cannot be read.',
          },
        ),
      );
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const key = randomBytes(MASTER_KEY_BYTES);
    try {
      // 'wx' fails if another process created the file meanwhile; then use theirs.
      writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600); // the umask may have narrowed, never widened, but be exact
      return ok(keyringFromKey(key, 'key-file'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      key.fill(0);
    }
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return err(
      new VigilError(
        'registry-master-key-exposed',
        `The master key file ${file} can be read by other users (mode ${mode.toString(8)}); it is not used.`,
        {
          hint: `Treat the key as possibly disclosed. If it was not, run: chmod 600 ${file}`,
        },
      ),
    );
  }
  const key = parseMasterKey(readFileSync(file, 'utf8'));
  if (!key.ok) {
    return err(
      new VigilError(
        'registry-bad-master-key',
        `The master key file ${file} is not usable: ${key.error}.`,
        {
          hint: 'Restore master.key from its backup; a new key cannot read the templates already enrolled.',
        },
      ),
    );
  }
  const keyring = keyringFromKey(key.value, 'key-file');
  key.value.fill(0);
  return ok(keyring);
}
