import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VigilError } from '@vigil/core';
import {
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  noteVerifierKey,
  parseSignerKey,
  type SignerKey,
} from '@vigil/ledger';

/**
 * The ledger's signing key. It signs every checkpoint, so it never goes into the
 * database or the repository: it lives in a key file (mode 0600) in the data directory,
 * or wherever `VIGIL_LOG_KEY_FILE` says, in the signed-note `PRIVATE+KEY+…` form. The
 * key's name is the log's origin line (c2sp.org/tlog-checkpoint advises that they match).
 */
export interface LogKey {
  readonly key: SignerKey;
  /** The public verifier key (`<name>+<key id>+<base64>`) to give to witnesses and auditors. */
  readonly vkey: string;
  readonly file: string;
  /** True when the file was created by this call. */
  readonly created: boolean;
}

export const DEFAULT_LOG_ORIGIN = 'vigil.local/ledger';
export const LOG_KEY_FILE_NAME = 'ledger-log.key';

export interface LogKeyOptions {
  /** The key file; default `$VIGIL_LOG_KEY_FILE`, else `<dataDir>/ledger-log.key`. */
  readonly keyFile?: string;
  /** Default `$VIGIL_DATA_DIR`, else `./vigil-data`. */
  readonly dataDir?: string;
  /** Origin for a key created now; default `$VIGIL_LOG_ORIGIN`, else vigil.local/ledger. */
  readonly origin?: string;
  /** Create the key when the file is missing (the server does; verifiers do not). */
  readonly create?: boolean;
}

export function logKeyFile(options: LogKeyOptions = {}): string {
  const explicit = options.keyFile ?? process.env.VIGIL_LOG_KEY_FILE;
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const dataDir = options.dataDir || process.env.VIGIL_DATA_DIR || './vigil-data';
  return resolve(join(dataDir, LOG_KEY_FILE_NAME));
}

/** Loads the log key, creating it (mode 0600) when allowed and missing. */
export function loadLogKey(options: LogKeyOptions = {}): LogKey {
  const file = logKeyFile(options);
  if (!existsSync(file)) {
    if (options.create !== true) {
      throw new VigilError('ledger-no-key', `There is no ledger signing key at ${file}.`, {
        hint: 'Start the server once (it creates the key), or set VIGIL_LOG_KEY_FILE to the key file.',
      });
    }
    const origin = options.origin ?? (process.env.VIGIL_LOG_ORIGIN || DEFAULT_LOG_ORIGIN);
    if (!isValidKeyName(origin)) {
      throw new VigilError(
        'ledger-bad-origin',
        `The log origin "${origin}" cannot name a key: it must be non-empty with no spaces or '+'.`,
      );
    }
    const { key, skey } = generateSignerKey(origin);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx' fails if another process created the file meanwhile; then load theirs.
    try {
      writeFileSync(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
      return { key, vkey: formatVerifierKey(noteVerifierKey(key)), file, created: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    // A signing key others can read is a key others can sign with: tighten it.
    chmodSync(file, 0o600);
  }
  const parsed = parseSignerKey(readFileSync(file, 'utf8').trim());
  if (!parsed.ok) {
    throw new VigilError(
      'ledger-bad-key',
      `The ledger key file ${file} is not usable: ${parsed.error.message}`,
      {
        hint: 'Restore the key file from backup; a new key would make earlier checkpoints unverifiable with it.',
      },
    );
  }
  const key = parsed.value;
  return { key, vkey: formatVerifierKey(noteVerifierKey(key)), file, created: false };
}
