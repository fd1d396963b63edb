import { defaultStixValidator, sightingFromIncident, type OperationalIncident } from '@vigil/intel';
import type { Store } from '@vigil/store';
import { ingestStixObjects, type TaxiiStatus } from './taxii-ingest.ts';

/** The account under which the election's own systems share what they find. */
export const OPERATIONS_USER = { userId: 'vigil-operations', orgId: 'hub' } as const;

/**
 * Records an incident raised by the election's own systems (a double check-in found on
 * sync, a burst of failed matches at one station) as a STIX sighting of the hub's
 * standing indicator, in `collectionId`, through the same ingest path as a TAXII POST:
 * validated, stored with its ledger entries, and alerting those who follow the
 * jurisdiction. Reporting the same incident again stores nothing new.
 */
export async function recordOperationalSighting(
  store: Store,
  input: { collectionId: string; incident: OperationalIncident; now: Date },
): Promise<TaxiiStatus> {
  const collection = await store.getIntelCollection(input.collectionId);
  if (collection === undefined) {
    throw new Error(`the sightings collection "${input.collectionId}" does not exist`);
  }
  const outcome = await ingestStixObjects(store, {
    collection,
    user: OPERATIONS_USER,
    objects: sightingFromIncident(input.incident),
    now: input.now,
    validator: defaultStixValidator(),
    stationId: input.incident.stationId,
  });
  if (outcome.kind === 'refused') {
    throw new Error(
      `the sighting of incident ${input.incident.incidentId} is not valid STIX: ${outcome.status.failures[0]?.message ?? ''}`,
    );
  }
  return outcome.status;
}
