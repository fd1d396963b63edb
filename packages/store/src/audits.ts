import type { Kysely } from 'kysely';
import { ConflictError, InvalidInputError, err, ok, type Result } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';
import { instantFromRow } from './dialect.ts';
import type { LedgerOperations } from './ledger.ts';
import type { VigilDatabase } from './schema.ts';

/**
 * Storage of risk-limiting audits as append-only event logs. The store keeps the JSON
 * the service hands it and never interprets it: the audit's meaning lives in
 * @vigil/tally, which replays the events.
 */

export interface StoredAudit {
  readonly auditId: string;
  /** The audit's fixed inputs, as JSON text. */
  readonly plan: string;
  readonly createdAt: Date;
  /** Every event, in order, as JSON text. */
  readonly events: readonly string[];
}

export interface AuditOperations {
  /**
   * Creates an audit with its ledger entry. Err ConflictError when the id is taken.
   */
  readonly createAudit: (input: {
    auditId: string;
    plan: string;
    createdAt: Date;
    ledgerEntry: LedgerEntry;
  }) => Promise<Result<StoredAudit, ConflictError>>;
  /**
   * Appends event number `seq` (0-based) with its ledger entries, in one transaction.
   * Err ConflictError when another event took that number first: the caller replays the
   * newer state and tries again, so two audit boards never overwrite each other.
   */
  readonly appendAuditEvent: (input: {
    auditId: string;
    seq: number;
    event: string;
    recordedAt: Date;
    ledgerEntries: readonly LedgerEntry[];
  }) => Promise<Result<void, ConflictError>>;
  readonly getAudit: (auditId: string) => Promise<StoredAudit | undefined>;
  readonly listAudits: () => Promise<{ auditId: string; createdAt: Date }[]>;
}

export function createAuditOperations(
  db: Kysely<VigilDatabase>,
  ledger: LedgerOperations,
): AuditOperations {
  return {
    createAudit: async ({ auditId, plan, createdAt, ledgerEntry }) => {
      if (auditId.length === 0) throw new InvalidInputError('An audit needs an id.');
      const inserted = await db
        .insertInto('audits')
        .values({ audit_id: auditId, plan, created_at: createdAt.toISOString() })
        .onConflict((oc) => oc.column('audit_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) {
        return err(
          new ConflictError(`An audit with id "${auditId}" already exists.`, {
            hint: 'choose another audit id, or continue the existing audit',
          }),
        );
      }
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok({ auditId, plan, createdAt, events: [] });
    },

    appendAuditEvent: async ({ auditId, seq, event, recordedAt, ledgerEntries }) => {
      const inserted = await db
        .insertInto('audit_events')
        .values({ audit_id: auditId, seq, event, recorded_at: recordedAt.toISOString() })
        .onConflict((oc) => oc.columns(['audit_id', 'seq']).doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) {
        return err(
          new ConflictError(
            `Audit "${auditId}" changed while this request was made (step ${seq} is taken); reload it and try again.`,
          ),
        );
      }
      await ledger.appendLedgerEntries(ledgerEntries);
      return ok(undefined);
    },

    getAudit: async (auditId) => {
      const row = await db
        .selectFrom('audits')
        .selectAll()
        .where('audit_id', '=', auditId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const events = await db
        .selectFrom('audit_events')
        .select(['seq', 'event'])
        .where('audit_id', '=', auditId)
        .orderBy('seq')
        .execute();
      return {
        auditId: row.audit_id,
        plan: row.plan,
        createdAt: instantFromRow(row.created_at),
        events: events.map((e) => e.event),
      };
    },

    listAudits: async () => {
      const rows = await db
        .selectFrom('audits')
        .select(['audit_id', 'created_at'])
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ auditId: r.audit_id, createdAt: instantFromRow(r.created_at) }));
    },
  };
}
