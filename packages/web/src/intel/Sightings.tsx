import { useEffect, useState } from 'react';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { collectionObjects, tlpOfObject, type StixObject } from './client.ts';
import { TlpBadge, titleOf, useCollections, when, type Hub } from './hub.tsx';

interface Sighting {
  readonly object: StixObject;
  readonly collectionId: string;
  readonly of: string;
  readonly where: string;
}

/**
 * Sightings from operations: incidents the election's own systems raised (a voter
 * checked in twice, a burst of failed fingerprint matches at a station), shared as STIX
 * sightings (§5.2) of the hub's standing indicators, in every collection the reader may
 * read, newest first.
 */
export function Sightings({ hub }: { hub: Hub }) {
  const collections = useCollections(hub);
  const [sightings, setSightings] = useState<Sighting[] | ShownProblem | undefined>();
  const readable =
    collections.state.status === 'loaded'
      ? (collections.state.value.collections ?? []).filter((c) => c.can_read).map((c) => c.id)
      : undefined;
  const key = readable?.join(',');
  useEffect(() => {
    if (key === undefined) return;
    const controller = new AbortController();
    void (async () => {
      const found: Sighting[] = [];
      for (const collectionId of key === '' ? [] : key.split(',')) {
        // The whole collection: the sightings, and what they name (indicator, place).
        const objects = await collectionObjects(hub.credentials, collectionId, {
          signal: controller.signal,
        });
        if (!objects.ok) {
          setSightings(objects.problem);
          return;
        }
        const byId = new Map(objects.value.map((o) => [o.id, o]));
        for (const o of objects.value) {
          if (o.type !== 'sighting') continue;
          const of = byId.get(String(o.sighting_of_ref));
          const where = (Array.isArray(o.where_sighted_refs) ? o.where_sighted_refs : [])
            .map((ref) => {
              const place = byId.get(String(ref));
              return place === undefined ? String(ref) : titleOf(place);
            })
            .join(', ');
          found.push({
            object: o,
            collectionId,
            of: of === undefined ? String(o.sighting_of_ref) : titleOf(of),
            where,
          });
        }
      }
      found.sort((a, b) => (String(a.object.last_seen) < String(b.object.last_seen) ? 1 : -1));
      setSightings(found);
    })().catch(() => undefined);
    return () => {
      controller.abort();
    };
  }, [hub.credentials, key]);
  if (collections.state.status === 'failed') {
    return <ProblemMessage problem={collections.state.problem} />;
  }
  return (
    <>
      <h2>Sightings from operations</h2>
      <p>
        What the election&apos;s own systems noticed, shared as STIX sightings: voters checked in at
        two stations, bursts of failed fingerprint matches at one station.
      </p>
      {sightings === undefined && <p role="status">Loading sightings…</p>}
      {sightings !== undefined && !Array.isArray(sightings) && (
        <ProblemMessage problem={sightings} />
      )}
      {Array.isArray(sightings) && sightings.length === 0 && (
        <p>No sighting that your organisation may read.</p>
      )}
      {Array.isArray(sightings) && sightings.length > 0 && (
        <table>
          <caption>Sightings, most recent first</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Where</th>
              <th scope="col">Count</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
              <th scope="col">Marking</th>
            </tr>
          </thead>
          <tbody>
            {sightings.map((s) => (
              <tr key={s.object.id}>
                <th scope="row">
                  {s.of}
                  {typeof s.object.description === 'string' && (
                    <span className="muted"> · {s.object.description}</span>
                  )}
                </th>
                <td>{s.where}</td>
                <td>{typeof s.object.count === 'number' ? s.object.count : ''}</td>
                <td>{when(s.object.first_seen)}</td>
                <td>{when(s.object.last_seen)}</td>
                <td>
                  <TlpBadge
                    tlp={tlpOfObject(
                      s.object,
                      hub.profile.markings,
                      hub.profile.collectionDefaults[s.collectionId] ?? 'amber',
                    )}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
