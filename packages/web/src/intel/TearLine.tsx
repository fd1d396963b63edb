import { useEffect, useState, type SubmitEvent } from 'react';
import type { IntelTlp, TearLineResponse } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import {
  collectionObjects,
  hubRequest,
  TLP_LABELS,
  TLPS,
  tlpOfObject,
  type StixObject,
} from './client.ts';
import { TlpBadge, titleOf, useCollections, type Hub } from './hub.tsx';

/** Properties a releasable copy always keeps (identity and the STIX common ones). */
const KEPT = new Set([
  'type',
  'id',
  'spec_version',
  'created',
  'modified',
  'object_marking_refs',
  'x_vigil_recipients',
  'granular_markings',
  'pattern',
  'pattern_type',
  'valid_from',
  'published',
  'object_refs',
  'source_ref',
  'target_ref',
  'relationship_type',
  'sighting_of_ref',
]);

/**
 * Tear-line publishing: a releasable version of a restricted object at a lower TLP,
 * without the properties torn off (the hub makes it with `tearLine` of @vigil/intel and a
 * `derived-from` link marked like the original, so only those cleared for the original
 * learn the two are connected).
 */
export function TearLine({ hub }: { hub: Hub }) {
  const collections = useCollections(hub);
  const [collectionId, setCollectionId] = useState('');
  const [objects, setObjects] = useState<StixObject[] | ShownProblem | undefined>();
  const [objectId, setObjectId] = useState('');
  const [tlp, setTlp] = useState<IntelTlp>('green');
  const [remove, setRemove] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { ok: true; value: TearLineResponse } | { ok: false; problem: ShownProblem }
  >();

  const usable =
    collections.state.status === 'loaded'
      ? (collections.state.value.collections ?? []).filter((c) => c.can_read && c.can_write)
      : [];
  const collection = usable.find((c) => c.id === collectionId) ?? usable[0];
  const fallback =
    collection === undefined ? 'amber' : (hub.profile.collectionDefaults[collection.id] ?? 'amber');

  const shownId = collection?.id;
  useEffect(() => {
    if (shownId === undefined) return;
    const controller = new AbortController();
    void collectionObjects(hub.credentials, shownId, { signal: controller.signal }).then(
      (result) => {
        setObjects(result.ok ? result.value : result.problem);
      },
    );
    return () => {
      controller.abort();
    };
  }, [hub.credentials, shownId, outcome]);

  if (collections.state.status === 'loading') return <p role="status">Loading collections…</p>;
  if (collections.state.status === 'failed') {
    return <ProblemMessage problem={collections.state.problem} />;
  }
  if (collection === undefined) {
    return <p>Your organisation may publish to no collection it can read.</p>;
  }
  const eligible = Array.isArray(objects)
    ? objects.filter(
        (o) =>
          o.type !== 'relationship' && tlpOfObject(o, hub.profile.markings, fallback) !== 'clear',
      )
    : [];
  const original = eligible.find((o) => o.id === objectId) ?? eligible[0];
  const originalTlp =
    original === undefined ? undefined : tlpOfObject(original, hub.profile.markings, fallback);
  const lower = originalTlp === undefined ? [] : TLPS.slice(0, TLPS.indexOf(originalTlp));
  const releaseAt = lower.includes(tlp) ? tlp : (lower.at(-1) ?? 'clear');
  const removable = original === undefined ? [] : Object.keys(original).filter((k) => !KEPT.has(k));

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (original === undefined) return;
    setBusy(true);
    setOutcome(undefined);
    const replace = {
      ...(name.trim() === '' ? {} : { name: name.trim() }),
      ...(description.trim() === '' ? {} : { description: description.trim() }),
    };
    const result = await hubRequest<TearLineResponse>(hub.credentials, '/api/intel/tearlines', {
      body: {
        collectionId: collection.id,
        objectId: original.id,
        tlp: releaseAt,
        remove: remove.filter((r) => removable.includes(r)),
        ...(Object.keys(replace).length === 0 ? {} : { replace }),
      },
    });
    setBusy(false);
    setOutcome(
      result.ok ? { ok: true, value: result.value } : { ok: false, problem: result.problem },
    );
  };

  return (
    <form
      className="stacked-form"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="tearline-heading"
    >
      <h2 id="tearline-heading">Publish a tear-line</h2>
      <p>
        A tear-line is a releasable version of a restricted object, at a lower marking, without what
        must stay restricted. Readers of the original also see which object it came from; others see
        only the releasable version.
      </p>
      <label>
        Collection
        <select
          value={collection.id}
          onChange={(e) => {
            setCollectionId(e.target.value);
            setObjectId('');
          }}
        >
          {usable.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      {objects !== undefined && !Array.isArray(objects) && <ProblemMessage problem={objects} />}
      {Array.isArray(objects) && eligible.length === 0 && (
        <p>No restricted object here that you may read: nothing to tear a line from.</p>
      )}
      {original !== undefined && originalTlp !== undefined && (
        <>
          <label>
            Original
            <select
              value={original.id}
              onChange={(e) => {
                setObjectId(e.target.value);
                setRemove([]);
              }}
            >
              {eligible.map((o) => (
                <option key={o.id} value={o.id}>
                  {TLP_LABELS[tlpOfObject(o, hub.profile.markings, fallback)]} · {o.type} ·{' '}
                  {titleOf(o)}
                </option>
              ))}
            </select>
          </label>
          <p>
            The original is <TlpBadge tlp={originalTlp} />.
          </p>
          <label>
            Release at
            <select
              value={releaseAt}
              onChange={(e) => {
                setTlp(e.target.value as IntelTlp);
              }}
            >
              {lower.map((t) => (
                <option key={t} value={t}>
                  {TLP_LABELS[t]}
                </option>
              ))}
            </select>
          </label>
          {removable.length > 0 && (
            <fieldset>
              <legend>Tear off (leave out of the releasable version)</legend>
              {removable.map((k) => (
                <label className="inline" key={k}>
                  <input
                    type="checkbox"
                    checked={remove.includes(k)}
                    onChange={(e) => {
                      setRemove(e.target.checked ? [...remove, k] : remove.filter((r) => r !== k));
                    }}
                  />{' '}
                  <code>{k}</code>
                </label>
              ))}
            </fieldset>
          )}
          <label>
            Releasable title (optional)
            <input
              maxLength={500}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
              }}
            />
          </label>
          <label>
            Releasable description (optional)
            <textarea
              rows={3}
              maxLength={10000}
              value={description}
              onChange={(e) => {
                setDescription(e.target.value);
              }}
            />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? 'Publishing…' : `Publish at ${TLP_LABELS[releaseAt]}`}
          </button>
        </>
      )}
      <div aria-live="polite">
        {outcome?.ok === true && (
          <p role="status" className="success">
            Published the releasable version <code>{outcome.value.releasableId}</code>, linked to
            the original by <code>{outcome.value.linkId}</code>.
          </p>
        )}
      </div>
      {outcome?.ok === false && <ProblemMessage problem={outcome.problem} />}
    </form>
  );
}
