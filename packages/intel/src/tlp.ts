/**
 * TLP 2.0 (FIRST, 2022) as the hub enforces it on every read. The rule is one pure
 * function, `canRead`, so that the TAXII routes, the CLI and the tests apply exactly
 * the same rule.
 */

export type Tlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

/** The fixed marking-definition ids of TLP 2.0 in STIX (OASIS common objects). */
export const TLP_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** TLP 1.0 markings (STIX 2.1 §7.2.1.4), read as their TLP 2.0 successors. */
const TLP1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};

const ORDER: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const BY_ID = new Map<string, Tlp>([
  ...Object.entries(TLP1_MARKING_IDS),
  ...(Object.entries(TLP_MARKING_IDS) as [Tlp, string][]).map(
    ([t, id]) => [id, t] as [string, Tlp],
  ),
]);

/** Whether `a` is stricter than `b`. */
export function stricterTlp(a: Tlp, b: Tlp): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}

/**
 * The TLP of an object from its `object_marking_refs`: the strictest TLP marking it
 * carries, or `fallback` (the collection's default) when it carries none.
 */
export function tlpOf(object: Readonly<Record<string, unknown>>, fallback: Tlp): Tlp {
  let found: Tlp | undefined;
  const refs = object.object_marking_refs;
  if (Array.isArray(refs)) {
    for (const ref of refs) {
      const tlp = typeof ref === 'string' ? BY_ID.get(ref) : undefined;
      if (tlp !== undefined && (found === undefined || stricterTlp(tlp, found))) found = tlp;
    }
  }
  return found ?? fallback;
}

export type OrganisationKind = 'federal' | 'state' | 'county' | 'partner';

export interface Organisation {
  readonly id: string;
  readonly kind: OrganisationKind;
  /** A county's state, for example. */
  readonly parentId?: string;
}

/** A sharing group: a state with its counties, a joint unit of two countries. */
export interface SharingGroup {
  readonly id: string;
  readonly members: readonly string[];
}

/** What the hub knows of who is related to whom. */
export interface OrgRelations {
  readonly organisations: readonly Organisation[];
  readonly groups: readonly SharingGroup[];
}

/** Who is reading: a person of an organisation. */
export interface Reader {
  readonly orgId: string;
  readonly userId: string;
}

/** What a read needs to know of an object: its TLP, who shared it, whom it names. */
export interface MarkedObject {
  readonly tlp: Tlp;
  /** The organisation that posted it. */
  readonly ownerOrgId: string;
  /** The person who posted it. */
  readonly ownerUserId: string;
  /**
   * Whom the poster named (the object's `x_vigil_recipients`): organisation ids and
   * sharing-group ids (AMBER), or user ids (RED).
   */
  readonly recipients: readonly string[];
}

/**
 * The community of an organisation for TLP:GREEN: itself, its parent and its children
 * (a state and its counties), and every organisation it shares a sharing group with.
 */
export function communityOf(orgId: string, relations: OrgRelations): Set<string> {
  const community = new Set([orgId]);
  const self = relations.organisations.find((o) => o.id === orgId);
  if (self?.parentId !== undefined) community.add(self.parentId);
  for (const o of relations.organisations) if (o.parentId === orgId) community.add(o.id);
  for (const g of relations.groups) {
    if (g.members.includes(orgId)) for (const m of g.members) community.add(m);
  }
  return community;
}

/**
 * Whether `reader` may read `object` under TLP 2.0:
 * - CLEAR: anyone;
 * - GREEN: the community of the organisation that shared it (`communityOf`);
 * - AMBER: that organisation and the organisations or sharing groups it named;
 * - AMBER+STRICT: that organisation only;
 * - RED: the person who shared it and the people named, no one else.
 *
 * @example
 *   canRead({ tlp: 'amber+strict', ownerOrgId: 'ohio', ownerUserId: 'u1', recipients: [] },
 *     { orgId: 'franklin-county', userId: 'u2' }, relations); // false
 */
export function canRead(object: MarkedObject, reader: Reader, relations: OrgRelations): boolean {
  switch (object.tlp) {
    case 'clear':
      return true;
    case 'green':
      return communityOf(object.ownerOrgId, relations).has(reader.orgId);
    case 'amber':
      return (
        reader.orgId === object.ownerOrgId ||
        object.recipients.some(
          (r) =>
            r === reader.orgId ||
            relations.groups.some((g) => g.id === r && g.members.includes(reader.orgId)),
        )
      );
    case 'amber+strict':
      return reader.orgId === object.ownerOrgId;
    case 'red':
      return reader.userId === object.ownerUserId || object.recipients.includes(reader.userId);
  }
}

/** The recipients an object names, from its `x_vigil_recipients` property. */
export function recipientsOf(object: Readonly<Record<string, unknown>>): string[] {
  const r = object.x_vigil_recipients;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}
