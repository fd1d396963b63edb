import { useEffect, useState } from 'react';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { collectionObjects, tlpOfObject, type StixObject } from './client.ts';
import { TlpBadge, titleOf, useCollections, when, type Hub } from './hub.tsx';

/**
 * The feed of one collection: every object the reader may read under TLP 2.0 (the hub
 * filters each read), newest first, with its marking.
 */
export function Feed({ hub }: { hub: Hub }) {
  const collections = useCollections(hub);
  const [chosen, setChosen] = useState<string | undefined>();
  if (collections.state.status === 'loading') return <p role="status">Loading collections…</p>;
  if (collections.state.status === 'failed') {
    return <ProblemMessage problem={collections.state.problem} />;
  }
  const readable = (collections.state.value.collections ?? []).filter((c) => c.can_read);
  if (readable.length === 0) return <p>Your organisation may read no collection yet.</p>;
  const current = readable.find((c) => c.id === chosen) ?? readable[0]!;
  return (
    <>
      <label className="inline-field">
        Collection
        <select
          value={current.id}
          onChange={(e) => {
            setChosen(e.target.value);
          }}
        >
          {readable.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      {current.description !== undefined && <p className="muted">{current.description}</p>}
      <CollectionFeed hub={hub} collectionId={current.id} />
    </>
  );
}

export function CollectionFeed({
  hub,
  collectionId,
  type,
}: {
  hub: Hub;
  collectionId: string;
  type?: string;
}) {
  const [objects, setObjects] = useState<StixObject[] | ShownProblem | undefined>();
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setObjects(undefined);
    collectionObjects(hub.credentials, collectionId, {
      signal: controller.signal,
      ...(type === undefined ? {} : { type }),
    }).then(
      (result) => {
        setObjects(result.ok ? result.value : result.problem);
      },
      () => undefined,
    );
    return () => {
      controller.abort();
    };
  }, [hub.credentials, collectionId, type, generation]);
  const fallback = hub.profile.collectionDefaults[collectionId] ?? 'amber';
  return (
    <section aria-label={`Objects of ${collectionId}`}>
      <p>
        <button
          type="button"
          onClick={() => {
            setGeneration((g) => g + 1);
          }}
        >
          Refresh
        </button>
      </p>
      {objects === undefined && <p role="status">Loading objects…</p>}
      {objects !== undefined && !Array.isArray(objects) && <ProblemMessage problem={objects} />}
      {Array.isArray(objects) && objects.length === 0 && (
        <p>Nothing here that your organisation may read.</p>
      )}
      {Array.isArray(objects) && objects.length > 0 && (
        <ol className="feed" aria-label="Objects, newest first">
          {objects.map((o) => (
            <li key={`${o.id} ${String(o.modified)}`} className="feed-item">
              <p className="feed-meta">
                <TlpBadge tlp={tlpOfObject(o, hub.profile.markings, fallback)} />{' '}
                <span className="feed-type">{o.type}</span> · {when(o.modified ?? o.created)}
              </p>
              <h3 className="feed-title">{titleOf(o)}</h3>
              {typeof o.pattern === 'string' && (
                <p>
                  Pattern <code>{o.pattern}</code>
                </p>
              )}
              {typeof o.description === 'string' && o.description !== titleOf(o) && (
                <p>{o.description}</p>
              )}
              <p className="muted feed-id">
                <code>{o.id}</code>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
