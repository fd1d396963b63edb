import { useCallback, useEffect, useState } from 'react';
import type { IntelProfile, IntelTlp } from '@vigil/server';
import type { LoadState } from '../useApi.ts';
import { hubRequest, TLP_LABELS, type IntelCredentials, type TaxiiCollection } from './client.ts';

/** A signed-in intel user: the credentials (in memory) and who they are. */
export interface Hub {
  readonly credentials: IntelCredentials;
  readonly profile: IntelProfile;
}

/** GETs `path` from the hub as the signed-in user; `reload` fetches it again. */
export function useHub<T>(
  hub: Hub,
  path: string | undefined,
): { state: LoadState<T>; reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    const controller = new AbortController();
    hubRequest<T>(hub.credentials, path, { signal: controller.signal }).then(
      (result) => {
        setState(
          result.ok
            ? { status: 'loaded', value: result.value }
            : { status: 'failed', problem: result.problem },
        );
      },
      () => undefined,
    );
    return () => {
      controller.abort();
    };
  }, [hub.credentials, path, generation]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  return { state, reload };
}

/** The collections the user may read or write. */
export function useCollections(hub: Hub) {
  return useHub<{ collections?: TaxiiCollection[] }>(hub, '/taxii2/vigil/collections/');
}

/** The TLP 2.0 marking as the standard shows it: its label in its colour on black. */
export function TlpBadge({ tlp }: { tlp: IntelTlp }) {
  return <span className={`tlp tlp-${tlp.replace('+', '-')}`}>{TLP_LABELS[tlp]}</span>;
}

/** An organisation's name, from the hub's directory. */
export function orgName(profile: IntelProfile, orgId: string): string {
  return profile.organisations.find((o) => o.orgId === orgId)?.name ?? orgId;
}

export const stixTime = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** A STIX timestamp for people (UTC). */
export function when(value: unknown): string {
  if (typeof value !== 'string') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${stixTime.format(date)} UTC`;
}

/** What to call an object: its name, else its pattern or type. */
export function titleOf(object: Readonly<Record<string, unknown>>): string {
  if (typeof object.name === 'string') return object.name;
  if (typeof object.description === 'string') return object.description;
  if (typeof object.pattern === 'string') return object.pattern;
  return String(object.type);
}
