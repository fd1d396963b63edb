/**
 * Alerts by jurisdiction (issue 10, point 5): which jurisdictions a batch of STIX objects
 * targets. An object targets a jurisdiction when a `targets` relationship (§5.1) goes
 * from it to an identity or location standing for that jurisdiction, or when a sighting
 * (§5.2) was made there (`where_sighted_refs`). An identity or location stands for a
 * jurisdiction through its `x_vigil_jurisdiction` property (the organisation's id).
 */

export interface TargetedObject {
  /** The object the alert is about (the relationship's source, or the sighting). */
  readonly objectId: string;
  /** The object that says so (the relationship or the sighting itself). */
  readonly viaId: string;
  readonly jurisdiction: string;
}

type Obj = Readonly<Record<string, unknown>>;

/**
 * Finds what `objects` target. `lookup` finds referenced objects not in the batch (the
 * stored ones); it may return undefined.
 */
export function targetedJurisdictions(
  objects: readonly Obj[],
  lookup: (id: string) => Obj | undefined,
): TargetedObject[] {
  const inBatch = new Map<string, Obj>();
  for (const o of objects) if (typeof o.id === 'string') inBatch.set(o.id, o);
  const find = (id: unknown): Obj | undefined =>
    typeof id === 'string' ? (inBatch.get(id) ?? lookup(id)) : undefined;
  const jurisdictionOf = (o: Obj | undefined): string | undefined =>
    (o?.type === 'identity' || o?.type === 'location') && typeof o.x_vigil_jurisdiction === 'string'
      ? o.x_vigil_jurisdiction
      : undefined;
  const found: TargetedObject[] = [];
  for (const o of objects) {
    if (typeof o.id !== 'string') continue;
    if (
      o.type === 'relationship' &&
      o.relationship_type === 'targets' &&
      typeof o.source_ref === 'string'
    ) {
      const j = jurisdictionOf(find(o.target_ref));
      if (j !== undefined) found.push({ objectId: o.source_ref, viaId: o.id, jurisdiction: j });
    }
    if (o.type === 'sighting' && Array.isArray(o.where_sighted_refs)) {
      for (const ref of o.where_sighted_refs) {
        const j = jurisdictionOf(find(ref));
        if (j !== undefined) found.push({ objectId: o.id, viaId: o.id, jurisdiction: j });
      }
    }
  }
  return found;
}

/**
 * Whether a subscription to `subscribed` covers `jurisdiction`: the same one, or its
 * state when it is a county (`parentOf` gives an organisation's parent).
 */
export function subscriptionCovers(
  subscribed: string,
  jurisdiction: string,
  parentOf: (orgId: string) => string | undefined,
): boolean {
  let current: string | undefined = jurisdiction;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current === subscribed) return true;
    current = parentOf(current);
  }
  return false;
}
