import { sql, type Kysely } from 'kysely';
import { IntegrityError, InvalidInputError } from '@vigil/core';
import {
  consistencyProofNodes,
  encodeEntry,
  foldNodes,
  inclusionProofNodes,
  leafHash,
  nodesForAppend,
  rootNodes,
  type GetNode,
  type LedgerEntry,
  type NodeId,
} from '@vigil/ledger';
import { bytesFromRow, bytesToParam, instantFromRow, type StoreDialect } from './dialect.ts';
import type { VigilDatabase } from './schema.ts';

/**
 * The ledger's storage: appends entries with the Merkle nodes they complete, and serves
 * roots and proofs from stored complete-subtree hashes (RFC 9162 §2.1), each with one
 * query of O(log n) rows whatever the size of the log.
 */

/** What one append did. */
export interface AppendedEntries {
  /** Leaf index of the first entry appended. */
  readonly firstIndex: number;
  /** Tree size after the append. */
  readonly size: number;
}

/** A stored leaf: its index and exact bytes. */
export interface StoredLedgerEntry {
  readonly index: number;
  readonly bytes: Uint8Array;
}

/** A signed checkpoint as stored. */
export interface StoredLedgerHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note, with every cosignature gathered so far. */
  readonly checkpoint: string;
  readonly signedAt: Date;
}

export interface LedgerOperations {
  /**
   * Appends entries as leaves, in order, with every Merkle node they complete. Call it
   * inside the transaction that makes the state change the entries record, so that
   * neither lands without the other. Appenders take turns on the ledger_state row.
   */
  readonly appendLedgerEntries: (entries: readonly LedgerEntry[]) => Promise<AppendedEntries>;
  /** Number of leaves. */
  readonly ledgerSize: () => Promise<number>;
  /** RFC 9162 root hash of the tree at `size` (default: now). */
  readonly ledgerRoot: (size?: number) => Promise<Uint8Array>;
  /** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
  readonly ledgerInclusionProof: (index: number, size: number) => Promise<Uint8Array[]>;
  /** Consistency proof from `oldSize` to `newSize` (RFC 9162 §2.1.4.1). */
  readonly ledgerConsistencyProof: (oldSize: number, newSize: number) => Promise<Uint8Array[]>;
  /** Leaves with index in [from, to), in index order. */
  readonly ledgerEntries: (from: number, to: number) => Promise<StoredLedgerEntry[]>;
  /** The stored hashes of complete nodes with `node_key` in [fromKey, toKey). */
  readonly ledgerNodeHashes: (
    fromKey: number,
    toKey: number,
  ) => Promise<{ key: number; hash: Uint8Array }[]>;
  /** Stores a signed checkpoint; keeps the existing one when `size` already has a head. */
  readonly saveLedgerHead: (head: StoredLedgerHead) => Promise<StoredLedgerHead>;
  /** Replaces a head's signed note (to add cosignatures); the text signed must not change. */
  readonly updateLedgerHeadCheckpoint: (size: number, checkpoint: string) => Promise<void>;
  readonly latestLedgerHead: () => Promise<StoredLedgerHead | undefined>;
  readonly ledgerHead: (size: number) => Promise<StoredLedgerHead | undefined>;
  /** Every head, smallest size first. */
  readonly listLedgerHeads: () => Promise<StoredLedgerHead[]>;
}

/** One integer key per complete node: `index * 64 + level` (levels are below 64). */
export function nodeKey(level: number, index: number): number {
  return index * 64 + level;
}

/** Rows per INSERT, well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 1000;

function toCount(value: number | string, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new IntegrityError(`the ledger holds ${what} ${String(value)}, not a whole number`);
  }
  return n;
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidInputError(`${what} must be a whole number, not ${String(size)}`);
  }
}

function headFromRow(row: {
  size: number | string;
  root_hash: Uint8Array;
  checkpoint: string;
  signed_at: Date | string;
}): StoredLedgerHead {
  return {
    size: toCount(row.size, 'a head size'),
    rootHash: bytesFromRow(row.root_hash),
    checkpoint: row.checkpoint,
    signedAt: instantFromRow(row.signed_at),
  };
}

export function createLedgerOperations(
  db: Kysely<VigilDatabase>,
  dialect: StoreDialect,
): LedgerOperations {
  /** Fetches the given nodes in one query and serves them as a GetNode. */
  const fetchNodes = async (ids: readonly NodeId[]): Promise<GetNode> => {
    const found = new Map<number, Uint8Array>();
    const keys = [...new Set(ids.map((n) => nodeKey(n.level, n.index)))];
    if (keys.length > 0) {
      const rows = await db
        .selectFrom('ledger_nodes')
        .select(['node_key', 'hash'])
        .where('node_key', 'in', keys)
        .execute();
      for (const row of rows)
        found.set(toCount(row.node_key, 'a node key'), bytesFromRow(row.hash));
    }
    return (level, index) => found.get(nodeKey(level, index));
  };

  const ledgerSize = async (): Promise<number> => {
    const row = await db
      .selectFrom('ledger_state')
      .select('size')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return toCount(row.size, 'a tree size');
  };

  const checkWithinLog = async (size: number, what: string): Promise<void> => {
    checkSize(size, what);
    const current = await ledgerSize();
    if (size > current) {
      throw new InvalidInputError(`${what} ${size} is larger than the ledger (${current} entries)`);
    }
  };

  const rowsOf = (head: StoredLedgerHead) => ({
    size: head.size,
    root_hash: bytesToParam(head.rootHash),
    checkpoint: head.checkpoint,
    signed_at: head.signedAt.toISOString(),
  });

  const ledgerHead = async (size: number): Promise<StoredLedgerHead | undefined> => {
    const row = await db
      .selectFrom('ledger_heads')
      .selectAll()
      .where('size', '=', size)
      .executeTakeFirst();
    return row === undefined ? undefined : headFromRow(row);
  };

  return {
    appendLedgerEntries: async (entries) => {
      if (entries.length === 0) {
        // Nothing to add; still lock, as an append does, for a caller relying on it.
        const locked = db.selectFrom('ledger_state').select('size').where('id', '=', 1);
        const state = await (
          dialect === 'postgres' ? locked.forUpdate() : locked
        ).executeTakeFirstOrThrow();
        const size = toCount(state.size, 'a tree size');
        return { firstIndex: size, size };
      }
      // Claim the leaves first: the UPDATE locks the state row until this transaction
      // ends (on PostgreSQL a second appender waits here; SQLite transactions already
      // hold the write lock, BEGIN IMMEDIATE) and returns the new size in the same round
      // trip. Fewer statements while the row is locked is what lets concurrent check-ins
      // through the ledger quickly on PostgreSQL.
      const claimed = await db
        .updateTable('ledger_state')
        .set({ size: sql<number>`size + ${entries.length}` })
        .where('id', '=', 1)
        .returning('size')
        .executeTakeFirstOrThrow();
      const size = toCount(claimed.size, 'a tree size');
      const start = size - entries.length;

      // The nodes covering [0, start) are the only stored ones an append can need. A
      // statement of its own, after the lock: on PostgreSQL (READ COMMITTED) it then
      // sees the nodes of the append it may have waited for.
      const frontier = await fetchNodes(rootNodes(start));
      const fresh = new Map<number, Uint8Array>();
      const getNode: GetNode = (level, index) =>
        fresh.get(nodeKey(level, index)) ?? frontier(level, index);

      const entryRows: { seq: number; event_id: string; entry: Buffer }[] = [];
      const nodeRows: { node_key: number; hash: Buffer }[] = [];
      entries.forEach((entry, i) => {
        const bytes = encodeEntry(entry);
        const index = start + i;
        entryRows.push({ seq: index, event_id: entry.eventId, entry: bytesToParam(bytes) });
        for (const node of nodesForAppend(index, leafHash(bytes), getNode)) {
          const key = nodeKey(node.level, node.index);
          fresh.set(key, node.hash);
          nodeRows.push({ node_key: key, hash: bytesToParam(node.hash) });
        }
      });
      if (dialect === 'postgres' && nodeRows.length <= ROWS_PER_INSERT) {
        // One round trip for both inserts (a data-modifying WITH; every entry completes
        // at least its leaf node, so the entries are no more than the nodes).
        await db
          .with('appended', (qc) =>
            qc.insertInto('ledger_entries').values(entryRows).returning('seq'),
          )
          .insertInto('ledger_nodes')
          .values(nodeRows)
          .execute();
        return { firstIndex: start, size };
      }
      for (let i = 0; i < entryRows.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('ledger_entries')
          .values(entryRows.slice(i, i + ROWS_PER_INSERT))
          .execute();
      }
      for (let i = 0; i < nodeRows.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('ledger_nodes')
          .values(nodeRows.slice(i, i + ROWS_PER_INSERT))
          .execute();
      }
      return { firstIndex: start, size };
    },

    ledgerSize,

    ledgerRoot: async (size) => {
      const at = size ?? (await ledgerSize());
      if (size !== undefined) await checkWithinLog(size, 'tree size');
      const ids = rootNodes(at);
      return foldNodes(ids, await fetchNodes(ids));
    },

    ledgerInclusionProof: async (index, size) => {
      await checkWithinLog(size, 'tree size');
      const plan = inclusionProofNodes(index, size);
      const getNode = await fetchNodes(plan.flat());
      return plan.map((ids) => foldNodes(ids, getNode));
    },

    ledgerConsistencyProof: async (oldSize, newSize) => {
      await checkWithinLog(newSize, 'new tree size');
      const plan = consistencyProofNodes(oldSize, newSize);
      const getNode = await fetchNodes(plan.flat());
      return plan.map((ids) => foldNodes(ids, getNode));
    },

    ledgerEntries: async (from, to) => {
      checkSize(from, 'first index');
      checkSize(to, 'end index');
      const rows = await db
        .selectFrom('ledger_entries')
        .select(['seq', 'entry'])
        .where('seq', '>=', from)
        .where('seq', '<', to)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        index: toCount(r.seq, 'an entry index'),
        bytes: bytesFromRow(r.entry),
      }));
    },

    ledgerNodeHashes: async (fromKey, toKey) => {
      const rows = await db
        .selectFrom('ledger_nodes')
        .select(['node_key', 'hash'])
        .where('node_key', '>=', fromKey)
        .where('node_key', '<', toKey)
        .orderBy('node_key')
        .execute();
      return rows.map((r) => ({
        key: toCount(r.node_key, 'a node key'),
        hash: bytesFromRow(r.hash),
      }));
    },

    saveLedgerHead: async (head) => {
      await checkWithinLog(head.size, 'head size');
      await db
        .insertInto('ledger_heads')
        .values(rowsOf(head))
        .onConflict((oc) => oc.column('size').doNothing())
        .execute();
      const stored = await ledgerHead(head.size);
      if (stored === undefined) throw new Error(`the head at size ${head.size} was not stored`);
      return stored;
    },

    updateLedgerHeadCheckpoint: async (size, checkpoint) => {
      const result = await db
        .updateTable('ledger_heads')
        .set({ checkpoint })
        .where('size', '=', size)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) {
        throw new InvalidInputError(`there is no signed head at size ${size} to update`);
      }
    },

    latestLedgerHead: async () => {
      const row = await db
        .selectFrom('ledger_heads')
        .selectAll()
        .orderBy('size', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : headFromRow(row);
    },

    ledgerHead,

    listLedgerHeads: async () => {
      const rows = await db.selectFrom('ledger_heads').selectAll().orderBy('size').execute();
      return rows.map(headFromRow);
    },
  };
}
