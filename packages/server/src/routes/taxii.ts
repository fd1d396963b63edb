import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson, sha256Hex, systemClock, type Clock } from '@vigil/core';
import {
  canRead,
  defaultStixValidator,
  timestampKey,
  type OrgRelations,
  type StixValidator,
  type Tlp,
} from '@vigil/intel';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type {
  IntelCollection,
  IntelUser,
  Store,
  StoredIntelObject,
  VersionSelector,
} from '@vigil/store';
import { authenticate } from './taxii-auth.ts';
import { ingestStixObjects, intelAlertBus } from './taxii-ingest.ts';
import type { IntelAlert } from '@vigil/store';

/**
 * TAXII 2.1 (OASIS, 2021) under `/taxii2/`: discovery, one API root (`/taxii2/vigil/`),
 * collections, objects, manifest, versions and status. Every request is authenticated
 * (Basic or bearer), every collection is guarded by per-organisation read and write
 * rights, and every object read goes through TLP 2.0 (`canRead` of @vigil/intel), so
 * a reader never learns of an object its marking keeps from them. Errors are TAXII
 * error messages (§3.6.1), not problem details, because TAXII clients parse those.
 */

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
const API_ROOT = 'vigil';
/** Largest page a client may ask for; `limit` above it is lowered to it (§3.4). */
export const TAXII_MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

export interface TaxiiRoutesOptions {
  store: Store;
  clock?: Clock;
  /** Largest POST body, in bytes (the API root's max_content_length). Default 10 MiB. */
  maxContentLength?: number;
  /** STIX validator; by default the official schemas from the shared data folder. */
  validator?: StixValidator;
}

/** A TAXII error message (§3.6.1), thrown and turned into a response in one place. */
export class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(description);
  }
}

/**
 * The body as bytes: Fastify rewrites the Content-Type of a string body whose media type
 * mentions json (adding a charset and quoting `version`), and TAXII clients compare the
 * media type as the specification writes it.
 */
function taxiiBody(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body));
}

function sendTaxiiError(reply: FastifyReply, e: TaxiiError): FastifyReply {
  if (e.status === 401) {
    void reply.header('WWW-Authenticate', 'Basic realm="vigil-taxii", Bearer realm="vigil-taxii"');
  }
  return reply
    .code(e.status)
    .header('content-type', TAXII_MEDIA_TYPE)
    .send(
      taxiiBody({
        title: e.title,
        description: e.message,
        http_status: String(e.status),
        ...(e.details === undefined ? {} : { details: e.details }),
      }),
    );
}

/** Whether an Accept header admits TAXII 2.1 JSON (a missing header admits anything). */
function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const version = params.find((p) => p.startsWith('version='));
    return version === undefined || version === 'version=2.1';
  });
}

function isTaxiiContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/taxii+json') return false;
  const version = params.find((p) => p.startsWith('version='));
  return version === undefined || version === 'version=2.1';
}

type Query = Record<string, string | string[] | undefined>;

function listParam(query: Query, name: string): string[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values;
}

function singleParam(query: Query, name: string): string | undefined {
  const raw = query[name];
  if (Array.isArray(raw)) {
    throw new TaxiiError(400, 'Bad filter', `The ${name} parameter may be given only once.`);
  }
  return raw;
}

interface Filters {
  addedAfter?: Date;
  ids?: string[];
  types?: string[];
  specVersions?: string[];
  versions: VersionSelector;
  limit: number;
  afterSeq?: number;
}

function parseVersions(
  values: readonly string[] | undefined,
  fallback: 'last' | 'all',
): VersionSelector {
  const selector = { all: false, first: false, last: false, keys: [] as string[] };
  for (const v of values ?? [fallback]) {
    if (v === 'all') selector.all = true;
    else if (v === 'first') selector.first = true;
    else if (v === 'last') selector.last = true;
    else {
      const key = timestampKey(v);
      if (key === undefined) {
        throw new TaxiiError(
          400,
          'Bad filter',
          `match[version] takes first, last, all or a STIX timestamp such as 2026-11-03T14:05:00.000Z; "${v}" is none of these.`,
        );
      }
      selector.keys.push(key);
    }
  }
  return selector;
}

/**
 * Parses the filters of §3.4.1 and the page cursor. `allowed` names the parameters the
 * endpoint takes; a `next` made for other filters is refused (400), as is a `limit`
 * that is not a positive whole number or an `added_after` that is not a timestamp.
 */
function parseFilters(
  request: FastifyRequest,
  allowed: readonly string[],
  versionDefault: 'last' | 'all',
): Filters {
  const query = request.query as Query;
  const limitText = singleParam(query, 'limit');
  let limit = DEFAULT_PAGE;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) {
      throw new TaxiiError(
        400,
        'Bad filter',
        `limit must be a positive whole number (at most ${String(TAXII_MAX_PAGE)}); "${limitText}" is not.`,
      );
    }
    limit = Math.min(Number(limitText), TAXII_MAX_PAGE);
  }
  const filters: Filters = {
    versions: parseVersions(
      allowed.includes('match[version]') ? listParam(query, 'match[version]') : undefined,
      versionDefault,
    ),
    limit,
  };
  const addedAfter = singleParam(query, 'added_after');
  if (addedAfter !== undefined && allowed.includes('added_after')) {
    if (timestampKey(addedAfter) === undefined) {
      throw new TaxiiError(
        400,
        'Bad filter',
        `added_after must be a STIX timestamp in UTC such as 2026-11-03T14:05:00.000Z; "${addedAfter}" is not.`,
      );
    }
    filters.addedAfter = new Date(addedAfter);
  }
  const ids = allowed.includes('match[id]') ? listParam(query, 'match[id]') : undefined;
  if (ids !== undefined) filters.ids = ids;
  const types = allowed.includes('match[type]') ? listParam(query, 'match[type]') : undefined;
  if (types !== undefined) filters.types = types;
  const specVersions = listParam(query, 'match[spec_version]');
  if (specVersions !== undefined) {
    const bad = specVersions.find((v) => !/^\d+\.\d+$/.test(v));
    if (bad !== undefined) {
      throw new TaxiiError(
        400,
        'Bad filter',
        `match[spec_version] takes versions such as 2.1; "${bad}" is not one.`,
      );
    }
    filters.specVersions = specVersions;
  }
  const next = singleParam(query, 'next');
  if (next !== undefined) filters.afterSeq = readNext(next, filterDigest(request));
  return filters;
}

/** What a `next` token is bound to: the path and every filter but `next` and `limit`. */
function filterDigest(request: FastifyRequest): string {
  const query = request.query as Query;
  const kept: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === 'next' || k === 'limit' || v === undefined) continue;
    kept[k] = (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).sort();
  }
  const path = request.url.split('?', 1)[0] ?? '';
  return sha256Hex(new TextEncoder().encode(canonicalJson({ path, kept }))).slice(0, 16);
}

function makeNext(seq: number, digest: string): string {
  return Buffer.from(`${String(seq)}.${digest}`).toString('base64url');
}

function readNext(token: string, digest: string): number {
  const m = /^(\d+)\.([0-9a-f]{16})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (m === null) {
    throw new TaxiiError(
      400,
      'Bad next',
      'The next parameter is not one this server gave out; start again without it.',
    );
  }
  if (m[2] !== digest) {
    throw new TaxiiError(
      400,
      'Bad next',
      'This next value belongs to a request with other filters; repeat the same filters with it, or start again without next.',
    );
  }
  return Number(m[1]);
}

const OBJECT_ID = /^[a-z0-9][a-z0-9-]*--[0-9a-fA-F-]{36}$/;
const COLLECTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const taxiiRoutes: FastifyPluginCallback<TaxiiRoutesOptions> = (app, options, done) => {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const maxContentLength = options.maxContentLength ?? 10 * 1024 * 1024;
  let validator = options.validator;
  const root = `/${API_ROOT}/`;

  app.addContentTypeParser(
    'application/taxii+json',
    { parseAs: 'string', bodyLimit: maxContentLength },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.setErrorHandler((error: FastifyError | TaxiiError, request, reply) => {
    if (error instanceof TaxiiError) return sendTaxiiError(reply, error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendTaxiiError(
        reply,
        new TaxiiError(
          413,
          'Content too large',
          `The request body is larger than this API root accepts (max_content_length ${String(maxContentLength)} bytes); send the objects in smaller envelopes.`,
        ),
      );
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendTaxiiError(
        reply,
        new TaxiiError(415, 'Unsupported media type', `Send objects as ${TAXII_MEDIA_TYPE}.`),
      );
    }
    if (error.code === 'stix-schemas-missing') {
      request.log.error({ event: 'taxii-no-schemas', err: error }, error.message);
      return sendTaxiiError(reply, new TaxiiError(503, 'Service unavailable', error.message));
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendTaxiiError(reply, new TaxiiError(status, 'Bad request', error.message));
    }
    request.log.error({ event: 'taxii-failed', err: error }, 'TAXII request failed');
    return sendTaxiiError(
      reply,
      new TaxiiError(
        500,
        'Server error',
        `The server met an unexpected error (request ${request.id}); please report it.`,
      ),
    );
  });

  const userOf = new WeakMap<FastifyRequest, IntelUser>();
  app.addHook('onRequest', async (request) => {
    // The live alert stream speaks text/event-stream, not TAXII.
    const isStream = request.routeOptions.url?.endsWith('/alerts/stream/') === true;
    if (!isStream && !acceptsTaxii(request.headers.accept)) {
      throw new TaxiiError(
        406,
        'Not acceptable',
        `This server answers only ${TAXII_MEDIA_TYPE}; send Accept: ${TAXII_MEDIA_TYPE}.`,
      );
    }
    const user = await authenticate(store, request.headers.authorization);
    if (user === undefined) {
      throw new TaxiiError(
        401,
        'Unauthorized',
        'Sign in with HTTP Basic (user id and password) or a bearer token issued by the hub.',
      );
    }
    userOf.set(request, user);
    if (request.method === 'POST' && !isTaxiiContentType(request.headers['content-type'])) {
      throw new TaxiiError(415, 'Unsupported media type', `Send objects as ${TAXII_MEDIA_TYPE}.`);
    }
  });

  const userFor = (request: FastifyRequest): IntelUser => {
    const user = userOf.get(request);
    if (user === undefined) throw new Error('TAXII route reached without an authenticated user');
    return user;
  };

  const send = (reply: FastifyReply, body: unknown, status = 200) =>
    reply.code(status).header('content-type', TAXII_MEDIA_TYPE).send(taxiiBody(body));

  const relations = async (): Promise<OrgRelations> => {
    const [orgs, groups] = await Promise.all([
      store.listIntelOrganisations(),
      store.listIntelGroups(),
    ]);
    return {
      organisations: orgs.map((o) => ({
        id: o.orgId,
        kind: o.kind,
        ...(o.parentId === undefined ? {} : { parentId: o.parentId }),
      })),
      groups: groups.map((g) => ({ id: g.groupId, members: g.members })),
    };
  };

  /** The collection, after checking the caller may do `need` with it. */
  const collectionFor = async (
    request: FastifyRequest,
    need: 'see' | 'read' | 'write' | 'read-write',
  ): Promise<IntelCollection> => {
    const { collectionId } = request.params as { collectionId: string };
    const collection = COLLECTION_ID.test(collectionId)
      ? await store.getIntelCollection(collectionId)
      : undefined;
    if (collection === undefined) {
      throw new TaxiiError(
        404,
        'Collection not found',
        `There is no collection "${collectionId}" in this API root.`,
      );
    }
    const rights = await store.intelRights(collection.collectionId, userFor(request).orgId);
    const allowed =
      need === 'see'
        ? rights.canRead || rights.canWrite
        : need === 'read'
          ? rights.canRead
          : need === 'write'
            ? rights.canWrite
            : rights.canRead && rights.canWrite;
    if (!allowed) {
      throw new TaxiiError(
        403,
        'Forbidden',
        `Your organisation may not ${need === 'see' ? 'use' : need.replace('-', ' and ')} collection "${collection.collectionId}"; ask its administrator for the right.`,
      );
    }
    return collection;
  };

  const describeCollection = async (c: IntelCollection, orgId: string) => {
    const rights = await store.intelRights(c.collectionId, orgId);
    return {
      id: c.collectionId,
      title: c.title,
      ...(c.description === '' ? {} : { description: c.description }),
      can_read: rights.canRead,
      can_write: rights.canWrite,
      media_types: [STIX_MEDIA_TYPE],
    };
  };

  /**
   * One page of versions the reader may read, in date-added order. Rows the reader may
   * not read are skipped in the database's order, so a page holds `limit` readable
   * versions whenever that many exist, and `more` is exact.
   */
  const readablePage = async (
    collection: IntelCollection,
    user: IntelUser,
    filters: Filters,
  ): Promise<{ items: StoredIntelObject[]; more: boolean; refused: StoredIntelObject[] }> => {
    const rel = await relations();
    const reader = { orgId: user.orgId, userId: user.userId };
    const items: StoredIntelObject[] = [];
    const refused: StoredIntelObject[] = [];
    let afterSeq = filters.afterSeq;
    const batch = Math.min(filters.limit + 1, TAXII_MAX_PAGE + 1);
    for (;;) {
      const rows = await store.queryIntelObjects({
        collectionId: collection.collectionId,
        ...(afterSeq === undefined ? {} : { afterSeq }),
        ...(filters.addedAfter === undefined ? {} : { addedAfter: filters.addedAfter }),
        ...(filters.ids === undefined ? {} : { ids: filters.ids }),
        ...(filters.types === undefined ? {} : { types: filters.types }),
        ...(filters.specVersions === undefined ? {} : { specVersions: filters.specVersions }),
        versions: filters.versions,
        limit: batch,
      });
      for (const row of rows) {
        const readable = canRead(
          {
            tlp: row.tlp as Tlp,
            ownerOrgId: row.ownerOrg,
            ownerUserId: row.ownerUser,
            recipients: row.recipients,
          },
          reader,
          rel,
        );
        if (readable) items.push(row);
        else refused.push(row);
        if (items.length > filters.limit) break;
      }
      const last = rows.at(-1);
      if (items.length > filters.limit || rows.length < batch || last === undefined) break;
      afterSeq = last.seq;
    }
    return { items: items.slice(0, filters.limit), more: items.length > filters.limit, refused };
  };

  /** Ledger entries for reads of AMBER+STRICT and RED versions (issue 10, point 7). */
  const recordReads = async (
    request: FastifyRequest,
    collection: IntelCollection,
    items: readonly StoredIntelObject[],
    endpoint: string,
  ) => {
    const user = userFor(request);
    const sensitive = items.filter((o) => o.tlp === 'amber+strict' || o.tlp === 'red');
    if (sensitive.length === 0) return;
    const time = clock.now().toISOString();
    await store.appendLedgerEntries(
      sensitive.map((o): LedgerEntry => ({
        eventId: eventIdOf('intel.object.read'),
        actorId: `user:${user.userId}`,
        stationId: 'vigil-taxii',
        time,
        disposition: 'success',
        subjects: [
          o.objectId,
          `version:${o.version}`,
          `collection:${collection.collectionId}`,
          `org:${user.orgId}`,
        ],
        detail: `TLP:${o.tlp.toUpperCase()} via ${endpoint}`,
      })),
    );
  };

  const pageHeaders = (reply: FastifyReply, items: readonly StoredIntelObject[]) => {
    const first = items[0];
    const last = items.at(-1);
    if (first !== undefined && last !== undefined) {
      void reply.header('X-TAXII-Date-Added-First', first.dateAdded.toISOString());
      void reply.header('X-TAXII-Date-Added-Last', last.dateAdded.toISOString());
    }
  };

  const envelope = (
    request: FastifyRequest,
    page: { items: StoredIntelObject[]; more: boolean },
    key: string,
    map: (o: StoredIntelObject) => unknown,
  ) => {
    const last = page.items.at(-1);
    return {
      more: page.more,
      ...(page.more && last !== undefined
        ? { next: makeNext(last.seq, filterDigest(request)) }
        : {}),
      ...(page.items.length === 0 ? {} : { [key]: page.items.map(map) }),
    };
  };

  // Discovery (§4.1) and the API root (§4.2).
  app.get('/', async (_request, reply) =>
    send(reply, {
      title: 'Vigil intelligence hub',
      description: 'STIX 2.1 intelligence shared between election authorities under TLP 2.0.',
      default: `/taxii2${root}`,
      api_roots: [`/taxii2${root}`],
    }),
  );

  app.get(root, async (_request, reply) =>
    send(reply, {
      title: 'Vigil',
      description: 'Indicators, campaigns, incidents and reports about election interference.',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: maxContentLength,
    }),
  );

  app.get<{ Params: { statusId: string } }>(`${root}status/:statusId/`, async (request, reply) => {
    const status = await store.getIntelStatus(request.params.statusId);
    const rights =
      status === undefined
        ? undefined
        : await store.intelRights(status.collectionId, userFor(request).orgId);
    if (status === undefined || rights === undefined || !(rights.canRead || rights.canWrite)) {
      throw new TaxiiError(
        404,
        'Status not found',
        `There is no status "${request.params.statusId}" you may see.`,
      );
    }
    return send(reply, JSON.parse(status.body));
  });

  app.get(`${root}collections/`, async (request, reply) => {
    const user = userFor(request);
    const listed = [];
    for (const c of await store.listIntelCollections()) {
      const d = await describeCollection(c, user.orgId);
      if (d.can_read || d.can_write) listed.push(d);
    }
    return send(reply, listed.length === 0 ? {} : { collections: listed });
  });

  app.get(`${root}collections/:collectionId/`, async (request, reply) => {
    const collection = await collectionFor(request, 'see');
    return send(reply, await describeCollection(collection, userFor(request).orgId));
  });

  const OBJECTS_FILTERS = [
    'added_after',
    'match[id]',
    'match[type]',
    'match[version]',
    'match[spec_version]',
  ];

  app.get(`${root}collections/:collectionId/objects/`, async (request, reply) => {
    const collection = await collectionFor(request, 'read');
    const filters = parseFilters(request, OBJECTS_FILTERS, 'last');
    const page = await readablePage(collection, userFor(request), filters);
    await recordReads(request, collection, page.items, 'objects');
    pageHeaders(reply, page.items);
    return send(
      reply,
      envelope(request, page, 'objects', (o) => JSON.parse(o.body)),
    );
  });

  app.get(`${root}collections/:collectionId/manifest/`, async (request, reply) => {
    const collection = await collectionFor(request, 'read');
    const filters = parseFilters(request, OBJECTS_FILTERS, 'last');
    const page = await readablePage(collection, userFor(request), filters);
    await recordReads(request, collection, page.items, 'manifest');
    pageHeaders(reply, page.items);
    return send(
      reply,
      envelope(request, page, 'objects', (o) => ({
        id: o.objectId,
        date_added: o.dateAdded.toISOString(),
        version: o.version,
        media_type: STIX_MEDIA_TYPE,
      })),
    );
  });

  /** The versions of one object, after TLP; 404 (and a refusal entry) when none may be read. */
  const oneObject = async (
    request: FastifyRequest,
    filters: Filters,
    collection: IntelCollection,
  ) => {
    const { objectId } = request.params as { objectId: string };
    if (!OBJECT_ID.test(objectId)) {
      throw new TaxiiError(404, 'Object not found', `"${objectId}" is not a STIX identifier.`);
    }
    const page = await readablePage(collection, userFor(request), { ...filters, ids: [objectId] });
    if (page.items.length === 0 && filters.afterSeq === undefined) {
      if (page.refused.length > 0) {
        const user = userFor(request);
        await store.appendLedgerEntries([
          {
            eventId: eventIdOf('intel.access.refused'),
            actorId: `user:${user.userId}`,
            stationId: 'vigil-taxii',
            time: clock.now().toISOString(),
            disposition: 'failure',
            subjects: [objectId, `collection:${collection.collectionId}`, `org:${user.orgId}`],
            detail: `TLP:${(page.refused[0]?.tlp ?? '').toUpperCase()} not releasable to this reader`,
          },
        ]);
      }
      throw new TaxiiError(
        404,
        'Object not found',
        `There is no object "${objectId}" you may read in collection "${collection.collectionId}".`,
      );
    }
    return page;
  };

  app.get(`${root}collections/:collectionId/objects/:objectId/`, async (request, reply) => {
    const collection = await collectionFor(request, 'read');
    const filters = parseFilters(
      request,
      ['added_after', 'match[version]', 'match[spec_version]'],
      'last',
    );
    const page = await oneObject(request, filters, collection);
    await recordReads(request, collection, page.items, 'object');
    pageHeaders(reply, page.items);
    return send(
      reply,
      envelope(request, page, 'objects', (o) => JSON.parse(o.body)),
    );
  });

  app.get(
    `${root}collections/:collectionId/objects/:objectId/versions/`,
    async (request, reply) => {
      const collection = await collectionFor(request, 'read');
      const filters = parseFilters(request, ['added_after', 'match[spec_version]'], 'all');
      const page = await oneObject(request, filters, collection);
      await recordReads(request, collection, page.items, 'versions');
      pageHeaders(reply, page.items);
      return send(
        reply,
        envelope(request, page, 'versions', (o) => o.version),
      );
    },
  );

  app.delete(`${root}collections/:collectionId/objects/:objectId/`, async (request, reply) => {
    const collection = await collectionFor(request, 'read-write');
    const filters = parseFilters(request, ['match[version]', 'match[spec_version]'], 'all');
    // Only versions the caller may read can be deleted by them.
    const page = await oneObject(request, { ...filters, limit: TAXII_MAX_PAGE }, collection);
    const user = userFor(request);
    const readableKeys = new Set(page.items.map((o) => o.versionKey));
    const deleted = await store.deleteIntelObjectVersions({
      collectionId: collection.collectionId,
      objectId: (request.params as { objectId: string }).objectId,
      versions: { all: false, first: false, last: false, keys: [...readableKeys] },
      ledgerEntries: (gone) =>
        gone.map((o) => ({
          eventId: eventIdOf('intel.object.deleted'),
          actorId: `user:${user.userId}`,
          stationId: 'vigil-taxii',
          time: clock.now().toISOString(),
          disposition: 'success',
          subjects: [o.objectId, `version:${o.version}`, `collection:${collection.collectionId}`],
        })),
    });
    if (deleted.length === 0) throw new TaxiiError(404, 'Object not found', 'No version matched.');
    return reply.code(200).header('content-type', TAXII_MEDIA_TYPE).send();
  });

  app.post(
    `${root}collections/:collectionId/objects/`,
    { bodyLimit: maxContentLength },
    async (request, reply) => {
      const collection = await collectionFor(request, 'write');
      const user = userFor(request);
      let body: unknown;
      try {
        body = JSON.parse(request.body as string);
      } catch (e) {
        throw new TaxiiError(
          400,
          'Malformed JSON',
          `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`,
        );
      }
      if (
        typeof body !== 'object' ||
        body === null ||
        !Array.isArray((body as { objects?: unknown }).objects)
      ) {
        throw new TaxiiError(
          422,
          'Not an envelope',
          'POST a TAXII envelope: a JSON object whose "objects" is a list of STIX objects.',
        );
      }
      const objects = (body as { objects: unknown[] }).objects;
      validator ??= defaultStixValidator();
      const outcome = await ingestStixObjects(store, {
        collection,
        user,
        objects,
        now: clock.now(),
        validator,
        stationId: 'vigil-taxii',
      });
      if (outcome.kind === 'refused') {
        const { failures } = outcome.status;
        throw new TaxiiError(
          422,
          'Invalid STIX',
          `No object was stored: ${String(failures.length)} of ${String(objects.length)} object(s) are not valid STIX 2.1. First problem: ${failures[0]?.id ?? ''}: ${failures[0]?.message ?? ''}`,
          { failures },
        );
      }
      const result = outcome.status;
      return send(reply, result, 202);
    },
  );
  // Alerts by jurisdiction (not part of TAXII): follow a jurisdiction, read the inbox,
  // or listen live with server-sent events.
  app.put<{ Params: { jurisdiction: string } }>(
    `${root}alerts/subscriptions/:jurisdiction/`,
    async (request, reply) => {
      const { jurisdiction } = request.params;
      const orgs = await store.listIntelOrganisations();
      if (
        !orgs.some((o) => o.orgId === jurisdiction && (o.kind === 'state' || o.kind === 'county'))
      ) {
        throw new TaxiiError(
          404,
          'Jurisdiction not found',
          `"${jurisdiction}" is not a state or county of this hub.`,
        );
      }
      await store.subscribeIntel(userFor(request).userId, jurisdiction);
      return reply.code(204).send();
    },
  );

  const describeAlert = (a: IntelAlert) => ({
    id: a.alertId,
    collection: a.collectionId,
    object_id: a.objectId,
    via: a.viaId,
    jurisdiction: a.jurisdiction,
    created: a.createdAt.toISOString(),
  });

  app.get(`${root}alerts/`, async (request, reply) => {
    const alerts = await store.listIntelAlerts(userFor(request).userId, 1000);
    return send(reply, { alerts: alerts.map(describeAlert) });
  });

  app.get(`${root}alerts/stream/`, (request, reply) => {
    const { userId } = userFor(request);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    reply.raw.write(': connected\n\n');
    const listener = (a: IntelAlert) => {
      if (a.userId !== userId) return;
      reply.raw.write(
        `id: ${a.alertId}\nevent: alert\ndata: ${JSON.stringify(describeAlert(a))}\n\n`,
      );
    };
    intelAlertBus.on('alert', listener);
    request.raw.on('close', () => {
      intelAlertBus.off('alert', listener);
    });
  });

  done();
};
