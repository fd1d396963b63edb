import type { Kysely, Selectable } from 'kysely';
import { ConflictError, InvalidInputError, err, ok, type Result } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';
import { instantFromRow } from './dialect.ts';
import type { LedgerOperations } from './ledger.ts';
import type { IntelObjectsTable, VigilDatabase } from './schema.ts';

/**
 * Storage of the intelligence hub. The store keeps what the service hands it; the
 * meaning (STIX validation, TLP) lives in @vigil/intel and the TAXII routes. Every write
 * takes the ledger entries that record it, in the same transaction.
 */

export type IntelOrgKind = 'federal' | 'state' | 'county' | 'partner';

export interface IntelOrganisation {
  readonly orgId: string;
  readonly name: string;
  readonly kind: IntelOrgKind;
  readonly parentId?: string;
}

export interface IntelGroup {
  readonly groupId: string;
  readonly name: string;
  readonly members: readonly string[];
}

export interface IntelUser {
  readonly userId: string;
  readonly orgId: string;
  readonly name: string;
  readonly passwordHash?: string;
}

export interface IntelCollection {
  readonly collectionId: string;
  readonly title: string;
  readonly description: string;
  readonly defaultTlp: string;
}

export interface IntelRights {
  readonly canRead: boolean;
  readonly canWrite: boolean;
}

/** One object version to store. */
export interface IntelObjectInput {
  readonly objectId: string;
  readonly type: string;
  /** Sortable version key (nine fraction digits). */
  readonly versionKey: string;
  /** The version as the object gives it. */
  readonly version: string;
  readonly specVersion: string;
  readonly tlp: string;
  readonly ownerOrg: string;
  readonly ownerUser: string;
  readonly recipients: readonly string[];
  /** The object as JSON text. */
  readonly body: string;
}

/** One stored object version. */
export interface StoredIntelObject extends IntelObjectInput {
  readonly seq: number;
  readonly collectionId: string;
  readonly dateAdded: Date;
}

/** Which versions of each object to return (TAXII 2.1 §3.4.1 match[version]). */
export interface VersionSelector {
  readonly all: boolean;
  readonly first: boolean;
  readonly last: boolean;
  /** Version keys (nine fraction digits). */
  readonly keys: readonly string[];
}

export interface IntelObjectQuery {
  readonly collectionId: string;
  /** Only versions added after this one (the page's cursor). */
  readonly afterSeq?: number;
  readonly addedAfter?: Date;
  readonly ids?: readonly string[];
  readonly types?: readonly string[];
  readonly specVersions?: readonly string[];
  readonly versions: VersionSelector;
  readonly limit: number;
}

/** An alert in a person's inbox. */
export interface IntelAlert {
  readonly alertId: string;
  readonly userId: string;
  readonly collectionId: string;
  readonly objectId: string;
  readonly viaId: string;
  readonly jurisdiction: string;
  readonly createdAt: Date;
}

export interface IntelOperations {
  /** Makes `userId` follow a jurisdiction; following it again does nothing. */
  readonly subscribeIntel: (userId: string, jurisdiction: string) => Promise<void>;
  /** Every subscription, for matching a batch of objects against them. */
  readonly listIntelSubscriptions: () => Promise<{ userId: string; jurisdiction: string }[]>;
  /** Stores alerts with their ledger entries (call inside the ingest transaction). */
  readonly addIntelAlerts: (
    alerts: readonly IntelAlert[],
    ledgerEntries: readonly LedgerEntry[],
  ) => Promise<void>;
  /** A person's inbox, newest last. */
  readonly listIntelAlerts: (userId: string, limit: number) => Promise<IntelAlert[]>;
  /** The people with these ids (for TLP checks on alerts). */
  readonly listIntelUsers: () => Promise<IntelUser[]>;
  readonly addIntelOrganisation: (
    org: IntelOrganisation,
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<IntelOrganisation, ConflictError>>;
  readonly addIntelGroup: (
    group: IntelGroup,
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<IntelGroup, ConflictError>>;
  /** Adds a person; `tokenHash` is the SHA-256 (hex) of their bearer token. */
  readonly addIntelUser: (
    user: IntelUser & { readonly tokenHash?: string },
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<IntelUser, ConflictError>>;
  readonly getIntelUser: (userId: string) => Promise<IntelUser | undefined>;
  readonly getIntelUserByToken: (tokenHash: string) => Promise<IntelUser | undefined>;
  readonly listIntelOrganisations: () => Promise<IntelOrganisation[]>;
  readonly listIntelGroups: () => Promise<IntelGroup[]>;
  readonly addIntelCollection: (
    collection: IntelCollection & {
      readonly rights: readonly { orgId: string; canRead: boolean; canWrite: boolean }[];
    },
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<IntelCollection, ConflictError>>;
  readonly listIntelCollections: () => Promise<IntelCollection[]>;
  readonly getIntelCollection: (collectionId: string) => Promise<IntelCollection | undefined>;
  readonly intelRights: (collectionId: string, orgId: string) => Promise<IntelRights>;
  /**
   * Stores object versions added now, in order, with their ledger entries. A version
   * already in the collection (same id and version) is left as it is and reported as a
   * duplicate. Call inside a transaction.
   */
  readonly addIntelObjects: (input: {
    collectionId: string;
    objects: readonly IntelObjectInput[];
    dateAdded: Date;
    ledgerEntries: (stored: readonly StoredIntelObject[]) => readonly LedgerEntry[];
  }) => Promise<{ stored: StoredIntelObject[]; duplicates: IntelObjectInput[] }>;
  /** Versions matching the query, in the order they were added, at most `limit`. */
  readonly queryIntelObjects: (query: IntelObjectQuery) => Promise<StoredIntelObject[]>;
  /** Deletes the selected versions of one object; returns them (empty: none matched). */
  readonly deleteIntelObjectVersions: (input: {
    collectionId: string;
    objectId: string;
    versions: VersionSelector;
    specVersions?: readonly string[];
    ledgerEntries: (deleted: readonly StoredIntelObject[]) => readonly LedgerEntry[];
  }) => Promise<StoredIntelObject[]>;
  readonly saveIntelStatus: (status: {
    statusId: string;
    collectionId: string;
    createdAt: Date;
    body: string;
  }) => Promise<void>;
  readonly getIntelStatus: (
    statusId: string,
  ) => Promise<{ collectionId: string; body: string } | undefined>;
}

function objectFromRow(row: Selectable<IntelObjectsTable>): StoredIntelObject {
  return {
    seq: Number(row.seq),
    collectionId: row.collection_id,
    objectId: row.object_id,
    type: row.object_type,
    versionKey: row.version_key,
    version: row.version,
    specVersion: row.spec_version,
    dateAdded: instantFromRow(row.date_added),
    tlp: row.tlp,
    ownerOrg: row.owner_org,
    ownerUser: row.owner_user,
    recipients: JSON.parse(row.recipients) as string[],
    body: row.body,
  };
}

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Error &&
  (/UNIQUE constraint failed|PRIMARY KEY/i.test(e.message) ||
    (e as { code?: unknown }).code === '23505');

function requireId(value: string, what: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)) {
    throw new InvalidInputError(
      `${what} "${value}" is not a valid id: use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
}

export function createIntelOperations(
  db: Kysely<VigilDatabase>,
  ledger: LedgerOperations,
): IntelOperations {
  /** Recomputes is_first / is_last of one object in one collection. */
  const markEnds = async (collectionId: string, objectIds: readonly string[]) => {
    for (const objectId of objectIds) {
      const rows = await db
        .selectFrom('intel_objects')
        .select(['seq', 'version_key', 'is_first', 'is_last'])
        .where('collection_id', '=', collectionId)
        .where('object_id', '=', objectId)
        .orderBy('version_key')
        .execute();
      for (const [i, row] of rows.entries()) {
        const first = i === 0 ? 1 : 0;
        const last = i === rows.length - 1 ? 1 : 0;
        if (row.is_first !== first || row.is_last !== last) {
          await db
            .updateTable('intel_objects')
            .set({ is_first: first, is_last: last })
            .where('seq', '=', Number(row.seq))
            .execute();
        }
      }
    }
  };

  const insertOr = async <T>(
    fn: () => Promise<unknown>,
    value: T,
    conflict: string,
    ledgerEntry: LedgerEntry,
  ): Promise<Result<T, ConflictError>> => {
    try {
      await fn();
    } catch (e) {
      if (isUniqueViolation(e)) return err(new ConflictError(conflict));
      throw e;
    }
    await ledger.appendLedgerEntries([ledgerEntry]);
    return ok(value);
  };

  return {
    addIntelOrganisation: async (org, ledgerEntry) => {
      requireId(org.orgId, 'The organisation id');
      if (org.parentId !== undefined) {
        const parent = await db
          .selectFrom('intel_orgs')
          .select('org_id')
          .where('org_id', '=', org.parentId)
          .executeTakeFirst();
        if (parent === undefined) {
          throw new InvalidInputError(
            `The parent organisation "${org.parentId}" does not exist; add it first.`,
          );
        }
      }
      return insertOr(
        () =>
          db
            .insertInto('intel_orgs')
            .values({
              org_id: org.orgId,
              name: org.name,
              kind: org.kind,
              parent_id: org.parentId ?? null,
              created_at: new Date().toISOString(),
            })
            .execute(),
        org,
        `An organisation with id "${org.orgId}" already exists.`,
        ledgerEntry,
      );
    },

    addIntelGroup: async (group, ledgerEntry) => {
      requireId(group.groupId, 'The sharing group id');
      return insertOr(
        async () => {
          await db
            .insertInto('intel_groups')
            .values({ group_id: group.groupId, name: group.name })
            .execute();
          if (group.members.length > 0) {
            await db
              .insertInto('intel_group_members')
              .values(group.members.map((m) => ({ group_id: group.groupId, org_id: m })))
              .execute();
          }
        },
        group,
        `A sharing group with id "${group.groupId}" already exists.`,
        ledgerEntry,
      );
    },

    addIntelUser: async (user, ledgerEntry) => {
      requireId(user.userId, 'The user id');
      const org = await db
        .selectFrom('intel_orgs')
        .select('org_id')
        .where('org_id', '=', user.orgId)
        .executeTakeFirst();
      if (org === undefined) {
        throw new InvalidInputError(
          `The organisation "${user.orgId}" does not exist; add it first.`,
        );
      }
      const stored: IntelUser = {
        userId: user.userId,
        orgId: user.orgId,
        name: user.name,
        ...(user.passwordHash === undefined ? {} : { passwordHash: user.passwordHash }),
      };
      return insertOr(
        () =>
          db
            .insertInto('intel_users')
            .values({
              user_id: user.userId,
              org_id: user.orgId,
              name: user.name,
              password_hash: user.passwordHash ?? null,
              token_hash: user.tokenHash ?? null,
            })
            .execute(),
        stored,
        `A user with id "${user.userId}" already exists.`,
        ledgerEntry,
      );
    },

    getIntelUser: async (userId) => {
      const row = await db
        .selectFrom('intel_users')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : {
            userId: row.user_id,
            orgId: row.org_id,
            name: row.name,
            ...(row.password_hash === null ? {} : { passwordHash: row.password_hash }),
          };
    },

    getIntelUserByToken: async (tokenHash) => {
      const row = await db
        .selectFrom('intel_users')
        .select(['user_id', 'org_id', 'name'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { userId: row.user_id, orgId: row.org_id, name: row.name };
    },

    listIntelOrganisations: async () => {
      const rows = await db.selectFrom('intel_orgs').selectAll().orderBy('org_id').execute();
      return rows.map((r) => ({
        orgId: r.org_id,
        name: r.name,
        kind: r.kind as IntelOrgKind,
        ...(r.parent_id === null ? {} : { parentId: r.parent_id }),
      }));
    },

    listIntelGroups: async () => {
      const groups = await db.selectFrom('intel_groups').selectAll().orderBy('group_id').execute();
      const members = await db.selectFrom('intel_group_members').selectAll().execute();
      return groups.map((g) => ({
        groupId: g.group_id,
        name: g.name,
        members: members.filter((m) => m.group_id === g.group_id).map((m) => m.org_id),
      }));
    },

    addIntelCollection: async (collection, ledgerEntry) => {
      requireId(collection.collectionId, 'The collection id');
      const value: IntelCollection = {
        collectionId: collection.collectionId,
        title: collection.title,
        description: collection.description,
        defaultTlp: collection.defaultTlp,
      };
      return insertOr(
        async () => {
          await db
            .insertInto('intel_collections')
            .values({
              collection_id: collection.collectionId,
              title: collection.title,
              description: collection.description,
              default_tlp: collection.defaultTlp,
              created_at: new Date().toISOString(),
            })
            .execute();
          if (collection.rights.length > 0) {
            await db
              .insertInto('intel_collection_rights')
              .values(
                collection.rights.map((r) => ({
                  collection_id: collection.collectionId,
                  org_id: r.orgId,
                  can_read: r.canRead ? 1 : 0,
                  can_write: r.canWrite ? 1 : 0,
                })),
              )
              .execute();
          }
        },
        value,
        `A collection with id "${collection.collectionId}" already exists.`,
        ledgerEntry,
      );
    },

    listIntelCollections: async () => {
      const rows = await db
        .selectFrom('intel_collections')
        .selectAll()
        .orderBy('created_at')
        .orderBy('collection_id')
        .execute();
      return rows.map((r) => ({
        collectionId: r.collection_id,
        title: r.title,
        description: r.description,
        defaultTlp: r.default_tlp,
      }));
    },

    getIntelCollection: async (collectionId) => {
      const r = await db
        .selectFrom('intel_collections')
        .selectAll()
        .where('collection_id', '=', collectionId)
        .executeTakeFirst();
      return r === undefined
        ? undefined
        : {
            collectionId: r.collection_id,
            title: r.title,
            description: r.description,
            defaultTlp: r.default_tlp,
          };
    },

    intelRights: async (collectionId, orgId) => {
      const r = await db
        .selectFrom('intel_collection_rights')
        .select(['can_read', 'can_write'])
        .where('collection_id', '=', collectionId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return { canRead: r?.can_read === 1, canWrite: r?.can_write === 1 };
    },

    addIntelObjects: async ({ collectionId, objects, dateAdded, ledgerEntries }) => {
      if (objects.length === 0) return { stored: [], duplicates: [] };
      // The ledger append comes first: it locks the ledger_state row, so concurrent
      // posts on PostgreSQL number their versions one after the other.
      await ledger.appendLedgerEntries([]);
      const top = await db
        .selectFrom('intel_objects')
        .select((eb) => [
          eb.fn.max<number | string | null>('seq').as('seq'),
          eb.fn.max<Date | string | null>('date_added').as('date_added'),
        ])
        .executeTakeFirst();
      let seq = top?.seq === null || top?.seq === undefined ? 0 : Number(top.seq);
      // Date added never goes backwards, so the seq order is the date-added order.
      const latest =
        top?.date_added === null || top?.date_added === undefined
          ? undefined
          : instantFromRow(top.date_added);
      const added = latest !== undefined && latest > dateAdded ? latest : dateAdded;
      const keys = objects.map((o) => [o.objectId, o.versionKey] as const);
      const existing = new Set<string>();
      for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        const rows = await db
          .selectFrom('intel_objects')
          .select(['object_id', 'version_key'])
          .where('collection_id', '=', collectionId)
          .where('object_id', 'in', [...new Set(chunk.map(([id]) => id))])
          .execute();
        for (const r of rows) existing.add(`${r.object_id} ${r.version_key}`);
      }
      const stored: StoredIntelObject[] = [];
      const duplicates: IntelObjectInput[] = [];
      for (const o of objects) {
        const key = `${o.objectId} ${o.versionKey}`;
        if (existing.has(key)) {
          duplicates.push(o);
          continue;
        }
        existing.add(key);
        seq += 1;
        stored.push({ ...o, seq, collectionId, dateAdded: added });
      }
      for (let i = 0; i < stored.length; i += 200) {
        await db
          .insertInto('intel_objects')
          .values(
            stored.slice(i, i + 200).map((o) => ({
              seq: o.seq,
              collection_id: collectionId,
              object_id: o.objectId,
              object_type: o.type,
              version_key: o.versionKey,
              version: o.version,
              spec_version: o.specVersion,
              date_added: added.toISOString(),
              tlp: o.tlp,
              owner_org: o.ownerOrg,
              owner_user: o.ownerUser,
              recipients: JSON.stringify(o.recipients),
              is_first: 0,
              is_last: 0,
              body: o.body,
            })),
          )
          .execute();
      }
      await markEndsFast(db, collectionId, stored);
      await ledger.appendLedgerEntries(ledgerEntries(stored));
      return { stored, duplicates };
    },

    queryIntelObjects: async (q) => {
      let query = db
        .selectFrom('intel_objects')
        .selectAll()
        .where('collection_id', '=', q.collectionId);
      let afterSeq = q.afterSeq;
      if (q.addedAfter !== undefined) {
        // Dates added grow with seq (addIntelObjects keeps them so), so "added after t"
        // is "seq from the first version added after t": one indexed lookup, and the
        // page itself is then a range scan on seq however deep it is.
        const first = await db
          .selectFrom('intel_objects')
          .select('seq')
          .where('collection_id', '=', q.collectionId)
          .where('date_added', '>', q.addedAfter.toISOString())
          .orderBy('date_added')
          .orderBy('seq')
          .limit(1)
          .executeTakeFirst();
        if (first === undefined) return [];
        const bound = Number(first.seq) - 1;
        afterSeq = afterSeq === undefined ? bound : Math.max(afterSeq, bound);
      }
      if (afterSeq !== undefined) query = query.where('seq', '>', afterSeq);
      if (q.ids !== undefined) query = query.where('object_id', 'in', [...q.ids]);
      if (q.types !== undefined) query = query.where('object_type', 'in', [...q.types]);
      if (q.specVersions !== undefined) {
        query = query.where('spec_version', 'in', [...q.specVersions]);
      }
      const v = q.versions;
      if (!v.all) {
        query = query.where((eb) =>
          eb.or([
            ...(v.first ? [eb('is_first', '=', 1)] : []),
            ...(v.last ? [eb('is_last', '=', 1)] : []),
            ...(v.keys.length > 0 ? [eb('version_key', 'in', [...v.keys])] : []),
          ]),
        );
      }
      const rows = await query.orderBy('seq').limit(q.limit).execute();
      return rows.map(objectFromRow);
    },

    deleteIntelObjectVersions: async ({
      collectionId,
      objectId,
      versions,
      specVersions,
      ledgerEntries,
    }) => {
      const matches = await createIntelOperations(db, ledger).queryIntelObjects({
        collectionId,
        ids: [objectId],
        versions,
        ...(specVersions === undefined ? {} : { specVersions }),
        limit: 1_000_000,
      });
      if (matches.length === 0) return [];
      await db
        .deleteFrom('intel_objects')
        .where(
          'seq',
          'in',
          matches.map((m) => m.seq),
        )
        .execute();
      await markEnds(collectionId, [objectId]);
      await ledger.appendLedgerEntries(ledgerEntries(matches));
      return matches;
    },

    subscribeIntel: async (userId, jurisdiction) => {
      await db
        .insertInto('intel_subscriptions')
        .values({ user_id: userId, jurisdiction })
        .onConflict((oc) => oc.columns(['user_id', 'jurisdiction']).doNothing())
        .execute();
    },

    listIntelSubscriptions: async () => {
      const rows = await db.selectFrom('intel_subscriptions').selectAll().execute();
      return rows.map((r) => ({ userId: r.user_id, jurisdiction: r.jurisdiction }));
    },

    addIntelAlerts: async (alerts, ledgerEntries) => {
      if (alerts.length === 0) return;
      await db
        .insertInto('intel_alerts')
        .values(
          alerts.map((a) => ({
            alert_id: a.alertId,
            user_id: a.userId,
            collection_id: a.collectionId,
            object_id: a.objectId,
            via_id: a.viaId,
            jurisdiction: a.jurisdiction,
            created_at: a.createdAt.toISOString(),
          })),
        )
        .execute();
      await ledger.appendLedgerEntries(ledgerEntries);
    },

    listIntelAlerts: async (userId, limit) => {
      const rows = await db
        .selectFrom('intel_alerts')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('alert_id')
        .limit(limit)
        .execute();
      return rows.reverse().map((r) => ({
        alertId: r.alert_id,
        userId: r.user_id,
        collectionId: r.collection_id,
        objectId: r.object_id,
        viaId: r.via_id,
        jurisdiction: r.jurisdiction,
        createdAt: instantFromRow(r.created_at),
      }));
    },

    listIntelUsers: async () => {
      const rows = await db
        .selectFrom('intel_users')
        .select(['user_id', 'org_id', 'name'])
        .execute();
      return rows.map((r) => ({ userId: r.user_id, orgId: r.org_id, name: r.name }));
    },

    saveIntelStatus: async (status) => {
      await db
        .insertInto('intel_status')
        .values({
          status_id: status.statusId,
          collection_id: status.collectionId,
          created_at: status.createdAt.toISOString(),
          body: status.body,
        })
        .execute();
    },

    getIntelStatus: async (statusId) => {
      const r = await db
        .selectFrom('intel_status')
        .select(['collection_id', 'body'])
        .where('status_id', '=', statusId)
        .executeTakeFirst();
      return r === undefined ? undefined : { collectionId: r.collection_id, body: r.body };
    },
  };
}

/**
 * Sets is_first / is_last for the objects just stored: one query for the current ends of
 * those objects, then updates only where an end moved. Bulk ingest of new objects (the
 * common case) costs one select and one update.
 */
async function markEndsFast(
  db: Kysely<VigilDatabase>,
  collectionId: string,
  stored: readonly StoredIntelObject[],
): Promise<void> {
  const ids = [...new Set(stored.map((o) => o.objectId))];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    // For each object: the seq of its smallest and largest version key.
    const rows = await db
      .selectFrom('intel_objects')
      .select(['seq', 'object_id', 'version_key', 'is_first', 'is_last'])
      .where('collection_id', '=', collectionId)
      .where('object_id', 'in', chunk)
      .execute();
    const ends = new Map<string, { first: (typeof rows)[number]; last: (typeof rows)[number] }>();
    for (const r of rows) {
      const e = ends.get(r.object_id);
      if (e === undefined) ends.set(r.object_id, { first: r, last: r });
      else {
        if (r.version_key < e.first.version_key) e.first = r;
        if (r.version_key > e.last.version_key) e.last = r;
      }
    }
    const firsts = new Set<number>();
    const lasts = new Set<number>();
    for (const e of ends.values()) {
      firsts.add(Number(e.first.seq));
      lasts.add(Number(e.last.seq));
    }
    const changes: { seq: number; first: number; last: number }[] = [];
    for (const r of rows) {
      const first = firsts.has(Number(r.seq)) ? 1 : 0;
      const last = lasts.has(Number(r.seq)) ? 1 : 0;
      if (first !== r.is_first || last !== r.is_last) {
        changes.push({ seq: Number(r.seq), first, last });
      }
    }
    for (const flags of [
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ] as const) {
      const seqs = changes
        .filter((c) => c.first === flags[0] && c.last === flags[1])
        .map((c) => c.seq);
      for (let j = 0; j < seqs.length; j += 500) {
        await db
          .updateTable('intel_objects')
          .set({ is_first: flags[0], is_last: flags[1] })
          .where('seq', 'in', seqs.slice(j, j + 500))
          .execute();
      }
    }
  }
}
