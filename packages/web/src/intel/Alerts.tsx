import { useEffect, useRef, useState } from 'react';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import {
  hubRequest,
  listenToAlerts,
  TAXII_ROOT,
  tlpOfObject,
  type IntelAlertView,
  type TaxiiEnvelope,
} from './client.ts';
import { orgName, TlpBadge, titleOf, when, type Hub } from './hub.tsx';

/** The pause before listening again after the live stream dropped. */
const RECONNECT_MS = 5000;

export interface AlertInbox {
  /** Newest first. */
  readonly alerts: readonly IntelAlertView[];
  /** Ids of alerts that arrived live since the console opened. */
  readonly fresh: ReadonlySet<string>;
  readonly live: 'connecting' | 'live' | 'ended';
  readonly problem?: ShownProblem;
}

/**
 * The alert inbox: what is stored (GET alerts/) and what arrives live on the stream,
 * merged by id. Kept by the page, so alerts arrive whichever tab is open.
 */
export function useAlertInbox(hub: Hub): AlertInbox {
  const [alerts, setAlerts] = useState<IntelAlertView[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [live, setLive] = useState<AlertInbox['live']>('connecting');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    const merge = (incoming: readonly IntelAlertView[]) => {
      setAlerts((known) => {
        const ids = new Set(known.map((a) => a.id));
        const added = incoming.filter((a) => !ids.has(a.id));
        return [...known, ...added].sort((a, b) => (a.created < b.created ? 1 : -1));
      });
    };
    const readInbox = () =>
      hubRequest<{ alerts?: IntelAlertView[] }>(hub.credentials, `${TAXII_ROOT}/alerts/`, {
        signal: controller.signal,
      }).then(
        (result) => {
          if (result.ok) merge(result.value.alerts ?? []);
          else setProblem(result.problem);
        },
        () => undefined,
      );
    // Listen first, then read the inbox once the stream is open, so nothing raised in
    // between is missed; when the stream drops, listen again after a pause and re-read.
    // A function, so that the check after each await reads the signal anew.
    const stopped = () => controller.signal.aborted;
    void (async () => {
      while (!stopped()) {
        setLive('connecting');
        const end = await listenToAlerts(
          hub.credentials,
          (alert) => {
            merge([alert]);
            setFresh((f) => new Set([...f, alert.id]));
          },
          controller.signal,
          () => {
            setLive('live');
            setProblem(undefined);
            void readInbox();
          },
        );
        if (stopped()) return;
        setLive('ended');
        if (end !== 'ended') setProblem(end);
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    })();
    return () => {
      controller.abort();
    };
  }, [hub.credentials]);
  return { alerts, fresh, live, ...(problem === undefined ? {} : { problem }) };
}

export function Alerts({ hub, inbox }: { hub: Hub; inbox: AlertInbox }) {
  return (
    <>
      <h2>Alerts</h2>
      <p>
        {inbox.live === 'live'
          ? 'Listening live: new alerts appear here as they are raised.'
          : inbox.live === 'connecting'
            ? 'Connecting to the live alert stream…'
            : 'The live stream dropped; listening again in a few seconds.'}{' '}
        You follow:{' '}
        {hub.profile.subscriptions.length === 0
          ? 'no jurisdiction.'
          : hub.profile.subscriptions.map((j) => orgName(hub.profile, j)).join(', ')}
      </p>
      {inbox.problem !== undefined && <ProblemMessage problem={inbox.problem} />}
      {inbox.alerts.length === 0 ? (
        <p>No alert yet.</p>
      ) : (
        <ol className="feed" aria-label="Alerts, newest first">
          {inbox.alerts.map((a) => (
            <AlertItem key={a.id} hub={hub} alert={a} fresh={inbox.fresh.has(a.id)} />
          ))}
        </ol>
      )}
    </>
  );
}

function AlertItem({ hub, alert, fresh }: { hub: Hub; alert: IntelAlertView; fresh: boolean }) {
  const [object, setObject] = useState<Record<string, unknown> | undefined>();
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    void hubRequest<TaxiiEnvelope>(
      hub.credentials,
      `${TAXII_ROOT}/collections/${encodeURIComponent(alert.collection)}/objects/${encodeURIComponent(alert.object_id)}/`,
    ).then((result) => {
      if (result.ok) setObject(result.value.objects?.[0]);
    });
  }, [hub.credentials, alert]);
  const fallback = hub.profile.collectionDefaults[alert.collection] ?? 'amber';
  return (
    <li className={`feed-item${fresh ? ' fresh' : ''}`}>
      <p className="feed-meta">
        {object !== undefined && (
          <TlpBadge
            tlp={tlpOfObject(
              object as Parameters<typeof tlpOfObject>[0],
              hub.profile.markings,
              fallback,
            )}
          />
        )}{' '}
        {fresh && <strong className="new-flag">New</strong>} {when(alert.created)} · about{' '}
        {orgName(hub.profile, alert.jurisdiction)}
      </p>
      <h3 className="feed-title">{object === undefined ? alert.object_id : titleOf(object)}</h3>
      <p className="muted feed-id">
        <code>{alert.object_id}</code> in {alert.collection}
      </p>
    </li>
  );
}

/** A polite announcement of each alert that arrives live, for screen readers. */
export function AlertAnnouncer({ inbox }: { inbox: AlertInbox }) {
  const count = inbox.fresh.size;
  return (
    <p className="visually-hidden" aria-live="polite">
      {count === 0 ? '' : `${count} new alert${count === 1 ? '' : 's'}.`}
    </p>
  );
}
