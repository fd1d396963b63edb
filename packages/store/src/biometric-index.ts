import type { Kysely } from 'kysely';
import { IntegrityError, InvalidInputError, err, ok, sha256Hex, type Result } from '@vigil/core';
import { bytesFromRow, bytesToParam, instantFromRow } from './dialect.ts';
import type { VigilDatabase } from './schema.ts';

/**
 * Saved 1:N fingerprint indexes (migration 0007-biometric-index): opaque bytes from
 * @vigil/biometrics, kept in 8 MB chunks so an index of a million templates (over a
 * gigabyte) never travels as one value. The store checks the SHA-256 of what it reads
 * back; the biometrics library checks the structure when it loads the bytes.
 */

/** Chunk size: well under every driver's and server's single-value limits. */
export const BIOMETRIC_INDEX_CHUNK_BYTES = 8 * 1024 * 1024;

export interface StoredBiometricIndexInfo {
  readonly name: string;
  readonly byteLength: number;
  readonly sha256: string;
  readonly templateCount: number;
  readonly savedAt: Date;
}

export interface StoredBiometricIndex extends StoredBiometricIndexInfo {
  readonly bytes: Uint8Array;
}

export interface BiometricIndexOperations {
  /** Saves (or replaces) the index `name`. Throws InvalidInputError on an empty name or bytes. */
  readonly saveBiometricIndex: (input: {
    name: string;
    bytes: Uint8Array;
    templateCount: number;
    savedAt: Date;
  }) => Promise<StoredBiometricIndexInfo>;
  /**
   * The index `name`, or undefined when none is saved. Err IntegrityError when the bytes
   * read back are not the bytes saved (missing chunk, changed chunk).
   */
  readonly loadBiometricIndex: (
    name: string,
  ) => Promise<Result<StoredBiometricIndex | undefined, IntegrityError>>;
  readonly getBiometricIndexInfo: (name: string) => Promise<StoredBiometricIndexInfo | undefined>;
  /** Deletes the index `name`; true when there was one. */
  readonly deleteBiometricIndex: (name: string) => Promise<boolean>;
}

export function createBiometricIndexOperations(
  db: Kysely<VigilDatabase>,
): BiometricIndexOperations {
  const getBiometricIndexInfo = async (
    name: string,
  ): Promise<StoredBiometricIndexInfo | undefined> => {
    const row = await db
      .selectFrom('biometric_indexes')
      .selectAll()
      .where('index_name', '=', name)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      name: row.index_name,
      byteLength: Number(row.byte_length),
      sha256: row.sha256,
      templateCount: Number(row.template_count),
      savedAt: instantFromRow(row.saved_at),
    };
  };
  const deleteBiometricIndex = async (name: string): Promise<boolean> => {
    await db.deleteFrom('biometric_index_chunks').where('index_name', '=', name).execute();
    const deleted = await db
      .deleteFrom('biometric_indexes')
      .where('index_name', '=', name)
      .executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  };
  return {
    saveBiometricIndex: async ({ name, bytes, templateCount, savedAt }) => {
      if (name.length === 0) {
        throw new InvalidInputError('A fingerprint index to save needs a name.', { path: 'name' });
      }
      if (bytes.length === 0) {
        throw new InvalidInputError('A fingerprint index to save was empty (0 bytes).', {
          path: 'bytes',
        });
      }
      await deleteBiometricIndex(name);
      const chunkCount = Math.ceil(bytes.length / BIOMETRIC_INDEX_CHUNK_BYTES);
      const info: StoredBiometricIndexInfo = {
        name,
        byteLength: bytes.length,
        sha256: sha256Hex(bytes),
        templateCount,
        savedAt,
      };
      await db
        .insertInto('biometric_indexes')
        .values({
          index_name: name,
          byte_length: bytes.length,
          chunk_count: chunkCount,
          sha256: info.sha256,
          template_count: templateCount,
          saved_at: savedAt.toISOString(),
        })
        .execute();
      for (let seq = 0; seq < chunkCount; seq++) {
        const chunk = bytes.subarray(
          seq * BIOMETRIC_INDEX_CHUNK_BYTES,
          (seq + 1) * BIOMETRIC_INDEX_CHUNK_BYTES,
        );
        await db
          .insertInto('biometric_index_chunks')
          .values({ index_name: name, seq, bytes: bytesToParam(chunk) })
          .execute();
      }
      return info;
    },

    loadBiometricIndex: async (name) => {
      const head = await db
        .selectFrom('biometric_indexes')
        .selectAll()
        .where('index_name', '=', name)
        .executeTakeFirst();
      if (head === undefined) return ok(undefined);
      const length = Number(head.byte_length);
      const bytes = new Uint8Array(length);
      let at = 0;
      // One chunk per query: a gigabyte-sized index is never one result set in memory twice.
      for (let seq = 0; seq < head.chunk_count; seq++) {
        const row = await db
          .selectFrom('biometric_index_chunks')
          .select('bytes')
          .where('index_name', '=', name)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (row === undefined || at + row.bytes.length > length) {
          return err(
            new IntegrityError(
              `The saved fingerprint index "${name}" is damaged: chunk ${seq} is missing or too long.`,
              { hint: 'Delete it and rebuild the index from the enrolled templates.' },
            ),
          );
        }
        bytes.set(bytesFromRow(row.bytes), at);
        at += row.bytes.length;
      }
      if (at !== length || sha256Hex(bytes) !== head.sha256) {
        return err(
          new IntegrityError(
            `The saved fingerprint index "${name}" is damaged: its bytes do not match the SHA-256 saved with them.`,
            { hint: 'Delete it and rebuild the index from the enrolled templates.' },
          ),
        );
      }
      return ok({
        name,
        bytes,
        byteLength: length,
        sha256: head.sha256,
        templateCount: Number(head.template_count),
        savedAt: instantFromRow(head.saved_at),
      });
    },

    getBiometricIndexInfo,
    deleteBiometricIndex,
  };
}

/** The writes, routed through the store's transaction (SQLite writers take turns). */
export function routeBiometricIndexWrites(
  transaction: <T>(fn: (tx: BiometricIndexOperations) => Promise<T>) => Promise<T>,
): Pick<BiometricIndexOperations, 'saveBiometricIndex' | 'deleteBiometricIndex'> {
  return {
    saveBiometricIndex: (input) => transaction((tx) => tx.saveBiometricIndex(input)),
    deleteBiometricIndex: (name) => transaction((tx) => tx.deleteBiometricIndex(name)),
  };
}
