import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  canRead,
  subscriptionCovers,
  targetedJurisdictions,
  recipientsOf,
  timestampKey,
  tlpOf,
  type StixProblem,
  type StixValidator,
  type Tlp,
} from '@vigil/intel';
import { eventIdOf } from '@vigil/ledger';
import type {
  IntelAlert,
  IntelCollection,
  Store,
  StoreTransaction,
  StoredIntelObject,
} from '@vigil/store';

/**
 * Alerts as they are committed, for live delivery (server-sent events). Listeners get
 * every alert and pick their own user's; the inbox in the store is the record.
 */
export const intelAlertBus = new EventEmitter<{ alert: [IntelAlert] }>();
intelAlertBus.setMaxListeners(0);

/**
 * The alerts a batch of newly stored objects raises: for each jurisdiction it targets
 * (`targetedJurisdictions`), each person following that jurisdiction or its state who
 * may read, under TLP, both the object and the relationship or sighting that says so.
 */
async function alertsFor(
  tx: StoreTransaction,
  collectionId: string,
  stored: readonly StoredIntelObject[],
  now: Date,
): Promise<IntelAlert[]> {
  const bodies = stored.map((o) => JSON.parse(o.body) as Record<string, unknown>);
  const inBatch = new Set(stored.map((o) => o.objectId));
  const referenced = new Set<string>();
  for (const b of bodies) {
    if (b.type === 'relationship' && typeof b.target_ref === 'string') referenced.add(b.target_ref);
    if (b.type === 'sighting' && Array.isArray(b.where_sighted_refs)) {
      for (const r of b.where_sighted_refs) if (typeof r === 'string') referenced.add(r);
    }
  }
  const missing = [...referenced].filter((id) => !inBatch.has(id));
  const found = new Map<string, Record<string, unknown>>();
  if (missing.length > 0) {
    for (const row of await tx.queryIntelObjects({
      collectionId,
      ids: missing,
      versions: { all: false, first: false, last: true, keys: [] },
      limit: missing.length,
    })) {
      found.set(row.objectId, JSON.parse(row.body) as Record<string, unknown>);
    }
  }
  const targeted = targetedJurisdictions(bodies, (id) => found.get(id));
  if (targeted.length === 0) return [];
  const [subscriptions, orgs, groups, users] = await Promise.all([
    tx.listIntelSubscriptions(),
    tx.listIntelOrganisations(),
    tx.listIntelGroups(),
    tx.listIntelUsers(),
  ]);
  const parents = new Map(orgs.map((o) => [o.orgId, o.parentId]));
  const relations = {
    organisations: orgs.map((o) => ({
      id: o.orgId,
      kind: o.kind,
      ...(o.parentId === undefined ? {} : { parentId: o.parentId }),
    })),
    groups: groups.map((g) => ({ id: g.groupId, members: g.members })),
  };
  const byId = new Map(stored.map((o) => [o.objectId, o]));
  const userById = new Map(users.map((u) => [u.userId, u]));
  const readable = (o: StoredIntelObject | undefined, reader: { orgId: string; userId: string }) =>
    o === undefined ||
    canRead(
      {
        tlp: o.tlp as Tlp,
        ownerOrgId: o.ownerOrg,
        ownerUserId: o.ownerUser,
        recipients: o.recipients,
      },
      reader,
      relations,
    );
  const alerts: IntelAlert[] = [];
  const seen = new Set<string>();
  for (const t of targeted) {
    for (const s of subscriptions) {
      if (!subscriptionCovers(s.jurisdiction, t.jurisdiction, (id) => parents.get(id))) continue;
      const user = userById.get(s.userId);
      if (user === undefined) continue;
      const reader = { orgId: user.orgId, userId: user.userId };
      if (!readable(byId.get(t.viaId), reader) || !readable(byId.get(t.objectId), reader)) continue;
      const key = `${user.userId} ${t.objectId} ${t.viaId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      alerts.push({
        alertId: randomUUID(),
        userId: user.userId,
        collectionId,
        objectId: t.objectId,
        viaId: t.viaId,
        jurisdiction: t.jurisdiction,
        createdAt: now,
      });
    }
  }
  return alerts;
}

/** A TAXII status resource (TAXII 2.1 §4.3.1). */
export interface TaxiiStatus {
  id: string;
  status: 'complete';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: { id: string; version: string; message?: string }[];
  failure_count: number;
  failures: { id: string; version: string; message: string }[];
  pending_count: number;
  pendings: never[];
}

/**
 * Ingests STIX objects into a collection, as a TAXII POST or `vigil intel import` does:
 * each object is validated (schemas, MUST rules, pattern); the valid ones are stored
 * with one `intel.object.ingested` ledger entry each, in one transaction with the status;
 * the invalid ones are reported and nothing of them is stored. When no object is valid,
 * nothing is stored, one failure entry records the attempt, and the outcome is `refused`.
 */
export async function ingestStixObjects(
  store: Store,
  input: {
    collection: IntelCollection;
    user: { userId: string; orgId: string };
    objects: readonly unknown[];
    now: Date;
    validator: StixValidator;
    stationId: string;
  },
): Promise<{ kind: 'stored' | 'refused'; status: TaxiiStatus }> {
  const { collection, user, objects, now, validator, stationId } = input;
  const problems = validator.validateObjects(objects);
  const byIndex = new Map<number, StixProblem[]>();
  for (const p of problems) {
    const list = byIndex.get(p.index ?? -1) ?? [];
    list.push(p);
    byIndex.set(p.index ?? -1, list);
  }
  const describe = (ps: readonly StixProblem[]) =>
    ps.map((p) => `${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('; ');
  const failures: TaxiiStatus['failures'] = [];
  const accepted: { object: Record<string, unknown>; version: string; versionKey: string }[] = [];
  objects.forEach((o, i) => {
    const object = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
    const id = typeof object.id === 'string' ? object.id : `objects[${String(i)}]`;
    // TAXII 2.1 §3.4.1: the version is modified, else created, else the date added.
    const version =
      [object.modified, object.created].find((v): v is string => typeof v === 'string') ??
      now.toISOString();
    const ps = byIndex.get(i);
    if (ps !== undefined) {
      failures.push({ id, version, message: describe(ps) });
      return;
    }
    accepted.push({ object, version, versionKey: timestampKey(version) ?? version });
  });
  const requestTimestamp = now.toISOString();
  const status: TaxiiStatus = {
    id: randomUUID(),
    status: 'complete',
    request_timestamp: requestTimestamp,
    total_count: objects.length,
    success_count: 0,
    successes: [],
    failure_count: failures.length,
    failures,
    pending_count: 0,
    pendings: [],
  };
  if (accepted.length === 0 && objects.length > 0) {
    await store.appendLedgerEntries([
      {
        eventId: eventIdOf('intel.object.ingested'),
        actorId: `user:${user.userId}`,
        stationId,
        time: requestTimestamp,
        disposition: 'failure',
        subjects: [
          `collection:${collection.collectionId}`,
          `org:${user.orgId}`,
          // Ids of refused objects are the client's text: only well-formed ones are kept.
          ...failures
            .map((f) => f.id)
            .filter((id) => /^[\x21-\x7e]{1,256}$/.test(id))
            .slice(0, 60),
        ],
        detail: `${String(failures.length)} object(s) refused: ${describe(problems.slice(0, 1))}`
          // eslint-disable-next-line no-control-regex -- control characters are what is replaced
          .replace(/[\u0000-\u001f\u007f]/g, '?')
          .slice(0, 280),
      },
    ]);
    return { kind: 'refused', status };
  }
  const alerts = await store.transaction(async (tx) => {
    const outcome = await tx.addIntelObjects({
      collectionId: collection.collectionId,
      dateAdded: now,
      objects: accepted.map(({ object, version, versionKey }) => ({
        objectId: String(object.id),
        type: String(object.type),
        versionKey,
        version,
        specVersion: typeof object.spec_version === 'string' ? object.spec_version : '2.1',
        tlp: tlpOf(object, collection.defaultTlp as Tlp),
        ownerOrg: user.orgId,
        ownerUser: user.userId,
        recipients: recipientsOf(object),
        body: JSON.stringify(object),
      })),
      ledgerEntries: (stored) =>
        stored.map((o) => ({
          eventId: eventIdOf('intel.object.ingested'),
          actorId: `user:${user.userId}`,
          stationId,
          time: requestTimestamp,
          disposition: 'success' as const,
          subjects: [
            o.objectId,
            `version:${o.version}`,
            `collection:${collection.collectionId}`,
            `org:${user.orgId}`,
          ],
          detail: `TLP:${o.tlp.toUpperCase()}`,
        })),
    });
    status.successes = [
      ...outcome.stored.map((o) => ({ id: o.objectId, version: o.version })),
      ...outcome.duplicates.map((o) => ({
        id: o.objectId,
        version: o.version,
        message: 'already in the collection',
      })),
    ];
    status.success_count = status.successes.length;
    await tx.saveIntelStatus({
      statusId: status.id,
      collectionId: collection.collectionId,
      createdAt: now,
      body: JSON.stringify(status),
    });
    const raised = await alertsFor(tx, collection.collectionId, outcome.stored, now);
    await tx.addIntelAlerts(
      raised,
      raised.map((a) => ({
        eventId: eventIdOf('intel.alert.sent'),
        actorId: `user:${user.userId}`,
        stationId,
        time: requestTimestamp,
        disposition: 'success' as const,
        subjects: [a.objectId, a.viaId, `user:${a.userId}`, `jurisdiction:${a.jurisdiction}`],
      })),
    );
    return raised;
  });
  // Live delivery only after the commit: an alert is never seen for data that was rolled back.
  for (const a of alerts) intelAlertBus.emit('alert', a);
  return { kind: 'stored', status };
}
