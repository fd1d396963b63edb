import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, VigilError, type Clock } from '@vigil/core';
import {
  canRead,
  defaultStixValidator,
  jurisdictionIdentity,
  subscriptionCovers,
  tearLine,
  tlpOf,
  TLP_MARKING_IDS,
  type OrgRelations,
  type StixValidator,
  type Tlp,
} from '@vigil/intel';
import type { IntelOrganisation, IntelUser, Store } from '@vigil/store';
import { sendProblem } from '../problem.ts';
import { authenticate } from './taxii-auth.ts';
import { ingestStixObjects } from './taxii-ingest.ts';
import type {
  IntelAudience,
  IntelOrganisationView,
  IntelProfile,
  TearLineResponse,
} from './console-types.ts';

/**
 * `/api/intel/*`: what the intelligence console needs beyond TAXII 2.1 itself, for the
 * same people and with the same sign-in (HTTP Basic or the hub's bearer token, see
 * taxii-auth.ts): who is signed in and the hub's directory (`me`), who a marking lets
 * read and whom an alert would reach (`audience`, TLP 2.0 through `canRead`, so the
 * preview is the rule the TAXII reads apply), and tear-lines (`tearLine` of @vigil/intel,
 * stored through the TAXII ingest path, so validation, ledger entries and alerts are the
 * ones a TAXII POST gets). Objects themselves are read and posted through /taxii2.
 */

export interface IntelConsoleRoutesOptions {
  store: Store;
  clock?: Clock;
  /** STIX validator; by default the official schemas from the shared data folder. */
  validator?: StixValidator;
}

const TLPS: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
const STIX_PROPERTY = { type: 'string', pattern: '^[a-z0-9_]{1,64}$' } as const;

function view(o: IntelOrganisation): IntelOrganisationView {
  return {
    orgId: o.orgId,
    name: o.name,
    kind: o.kind,
    ...(o.parentId === undefined ? {} : { parentId: o.parentId }),
  };
}

export const intelConsoleRoutes: FastifyPluginCallback<IntelConsoleRoutesOptions> = (
  app,
  options,
  done,
) => {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const userOf = new WeakMap<FastifyRequest, IntelUser>();

  // The same people as TAXII, proven the same way; the answer is a problem document.
  const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = await authenticate(store, request.headers.authorization);
    if (user === undefined) {
      // RFC 7235 wants a challenge; a Basic one would make browsers open their own
      // password dialog over the console's form, so only the bearer scheme is named.
      void reply.header('WWW-Authenticate', 'Bearer realm="vigil-taxii"');
      return sendProblem(request, reply, {
        status: 401,
        code: 'intel-sign-in-refused',
        detail:
          'The user id and password (or bearer token) of the intelligence hub were not accepted.',
        hint: 'Check them with your hub administrator (vigil intel user add prints them once).',
      });
    }
    userOf.set(request, user);
    return undefined;
  };
  const userFor = (request: FastifyRequest): IntelUser => {
    const user = userOf.get(request);
    if (user === undefined) throw new Error('intel console route reached without a signed-in user');
    return user;
  };

  const directory = async () => {
    const [orgs, groups] = await Promise.all([
      store.listIntelOrganisations(),
      store.listIntelGroups(),
    ]);
    const relations: OrgRelations = {
      organisations: orgs.map((o) => ({
        id: o.orgId,
        kind: o.kind,
        ...(o.parentId === undefined ? {} : { parentId: o.parentId }),
      })),
      groups: groups.map((g) => ({ id: g.groupId, members: g.members })),
    };
    return { orgs, groups, relations };
  };

  app.get('/api/intel/me', { preValidation: signedIn }, async (request): Promise<IntelProfile> => {
    const user = userFor(request);
    const [{ orgs, groups }, subscriptions, allCollections] = await Promise.all([
      directory(),
      store.listIntelSubscriptions(),
      store.listIntelCollections(),
    ]);
    const collections = [];
    for (const c of allCollections) {
      const rights = await store.intelRights(c.collectionId, user.orgId);
      if (rights.canRead || rights.canWrite) collections.push(c);
    }
    const own = orgs.find((o) => o.orgId === user.orgId);
    if (own === undefined) throw new Error(`intel user ${user.userId} has no organisation`);
    return {
      user: { userId: user.userId, name: user.name },
      organisation: view(own),
      organisations: orgs.map(view),
      groups: groups.map((g) => ({ groupId: g.groupId, name: g.name, members: g.members })),
      subscriptions: subscriptions
        .filter((s) => s.userId === user.userId)
        .map((s) => s.jurisdiction),
      jurisdictions: orgs
        .filter((o) => o.kind === 'state' || o.kind === 'county')
        .map((o) => ({ orgId: o.orgId, identity: jurisdictionIdentity(o.orgId, o.name) })),
      markings: TLP_MARKING_IDS,
      collectionDefaults: Object.fromEntries(
        collections.map((c) => [c.collectionId, c.defaultTlp as Tlp]),
      ),
    };
  });

  app.post<{ Body: { tlp: Tlp; recipients?: string[]; jurisdiction?: string } }>(
    '/api/intel/audience',
    {
      preValidation: signedIn,
      schema: {
        body: {
          type: 'object',
          required: ['tlp'],
          additionalProperties: false,
          properties: {
            tlp: { type: 'string', enum: TLPS },
            recipients: { type: 'array', maxItems: 100, items: ID },
            jurisdiction: ID,
          },
        },
      },
    },
    async (request): Promise<IntelAudience> => {
      const poster = userFor(request);
      const { tlp, recipients = [], jurisdiction } = request.body;
      const [{ orgs, relations }, users, subscriptions] = await Promise.all([
        directory(),
        store.listIntelUsers(),
        store.listIntelSubscriptions(),
      ]);
      const marked = { tlp, ownerOrgId: poster.orgId, ownerUserId: poster.userId, recipients };
      const mayRead = (u: { orgId: string; userId: string }) => canRead(marked, u, relations);
      // An organisation reads when any of its people may (RED names people, not organisations).
      const readers = orgs.filter((o) =>
        users.some((u) => u.orgId === o.orgId && mayRead({ orgId: o.orgId, userId: u.userId })),
      );
      const parents = new Map(orgs.map((o) => [o.orgId, o.parentId]));
      const alertedPeople =
        jurisdiction === undefined
          ? []
          : users.filter(
              (u) =>
                mayRead(u) &&
                subscriptions.some(
                  (s) =>
                    s.userId === u.userId &&
                    subscriptionCovers(s.jurisdiction, jurisdiction, (id) => parents.get(id)),
                ),
            );
      return {
        readers: readers.map(view),
        alerted: orgs
          .map((o) => ({
            ...view(o),
            people: alertedPeople.filter((u) => u.orgId === o.orgId).length,
          }))
          .filter((o) => o.people > 0),
      };
    },
  );

  app.post<{
    Body: {
      collectionId: string;
      objectId: string;
      tlp: Tlp;
      remove: string[];
      replace?: { name?: string; description?: string };
      recipients?: string[];
    };
  }>(
    '/api/intel/tearlines',
    {
      preValidation: signedIn,
      schema: {
        body: {
          type: 'object',
          required: ['collectionId', 'objectId', 'tlp', 'remove'],
          additionalProperties: false,
          properties: {
            collectionId: ID,
            objectId: { type: 'string', minLength: 3, maxLength: 256 },
            tlp: { type: 'string', enum: TLPS },
            remove: { type: 'array', maxItems: 64, items: STIX_PROPERTY },
            replace: {
              type: 'object',
              additionalProperties: false,
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 500 },
                description: { type: 'string', minLength: 1, maxLength: 10_000 },
              },
            },
            recipients: { type: 'array', maxItems: 100, items: ID },
          },
        },
      },
    },
    async (request, reply): Promise<TearLineResponse | FastifyReply> => {
      const user = userFor(request);
      const body = request.body;
      const collection = await store.getIntelCollection(body.collectionId);
      const rights =
        collection === undefined
          ? undefined
          : await store.intelRights(collection.collectionId, user.orgId);
      if (collection === undefined || rights?.canRead !== true) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'intel-collection-not-found',
          detail: `There is no collection "${body.collectionId}" your organisation may read.`,
        });
      }
      if (!rights.canWrite) {
        return sendProblem(request, reply, {
          status: 403,
          code: 'intel-collection-read-only',
          detail: `Your organisation may read collection "${collection.collectionId}" but not publish to it.`,
          hint: 'Publish the tear-line in a collection your organisation may write, or ask its administrator for the right.',
        });
      }
      // The original, as its latest version, only if this reader may read it under TLP.
      const [latest] = await store.queryIntelObjects({
        collectionId: collection.collectionId,
        ids: [body.objectId],
        versions: { all: false, first: false, last: true, keys: [] },
        limit: 1,
      });
      const { relations } = await directory();
      const readable =
        latest !== undefined &&
        canRead(
          {
            tlp: latest.tlp as Tlp,
            ownerOrgId: latest.ownerOrg,
            ownerUserId: latest.ownerUser,
            recipients: latest.recipients,
          },
          { orgId: user.orgId, userId: user.userId },
          relations,
        );
      if (!readable) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'intel-object-not-found',
          detail: `There is no object "${body.objectId}" you may read in collection "${collection.collectionId}".`,
        });
      }
      const original = JSON.parse(latest.body) as Record<string, unknown>;
      const originalTlp = tlpOf(original, collection.defaultTlp as Tlp);
      if (TLPS.indexOf(body.tlp) >= TLPS.indexOf(originalTlp)) {
        return sendProblem(request, reply, {
          status: 422,
          code: 'tearline-not-lower',
          detail: `The original is TLP:${originalTlp.toUpperCase()}; a tear-line must be released at a lower marking than that, not TLP:${body.tlp.toUpperCase()}.`,
          hint: 'Choose a less restrictive marking (e.g. GREEN or CLEAR) for the releasable version.',
        });
      }
      // tearLine reads the original's marking from the object; an unmarked original
      // carries its collection's default, so it is given that marking explicitly.
      const { releasable, link } = tearLine(
        { ...original, object_marking_refs: [TLP_MARKING_IDS[originalTlp]] },
        {
          tlp: body.tlp,
          remove: body.remove,
          ...(body.replace === undefined ? {} : { replace: body.replace }),
          ...(body.recipients === undefined ? {} : { recipients: body.recipients }),
          now: clock.now(),
        },
      );
      let validator: StixValidator;
      try {
        validator = options.validator ?? defaultStixValidator();
      } catch (error) {
        if (error instanceof VigilError) {
          return sendProblem(request, reply, {
            status: 503,
            code: error.code,
            detail: error.message,
            ...(error.hint === undefined ? {} : { hint: error.hint }),
          });
        }
        throw error;
      }
      const outcome = await ingestStixObjects(store, {
        collection,
        user,
        objects: [releasable, link],
        now: clock.now(),
        validator,
        stationId: 'vigil-intel-console',
      });
      if (outcome.kind === 'refused') {
        return sendProblem(request, reply, {
          status: 422,
          code: 'tearline-invalid',
          detail: `The releasable version is not valid STIX 2.1: ${outcome.status.failures[0]?.message ?? ''}`,
          hint: 'Keep the properties its type requires (for an indicator: pattern, pattern_type, valid_from).',
        });
      }
      return reply.code(201).send({
        releasableId: String(releasable.id),
        linkId: String(link.id),
        status: outcome.status,
      } satisfies TearLineResponse);
    },
  );

  done();
};
