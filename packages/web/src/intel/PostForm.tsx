import { useEffect, useState, type SubmitEvent } from 'react';
import type { IntelAudience, IntelTlp } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import {
  hubRequest,
  TAXII_ROOT,
  TLP_LABELS,
  TLP_MEANING,
  TLPS,
  uuidV4,
  type TaxiiStatusView,
} from './client.ts';
import { orgName, useCollections, type Hub } from './hub.tsx';

/**
 * Posting an indicator (a STIX pattern) or a report, with its TLP 2.0 marking and, for
 * AMBER, the organisations or groups it is for (`x_vigil_recipients`). A report or an
 * indicator aimed at a state or county also gets a `targets` relationship to the
 * jurisdiction's identity, marked like the object: that is what raises alerts for the
 * people who follow the jurisdiction and may read it. Before posting, the form shows who
 * may read it and who will be alerted, as the hub computes it.
 */
export function PostForm({ hub }: { hub: Hub }) {
  const collections = useCollections(hub);
  const { profile } = hub;
  const [kind, setKind] = useState<'report' | 'indicator'>('report');
  const [collectionId, setCollectionId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [pattern, setPattern] = useState('');
  const [tlp, setTlp] = useState<IntelTlp>('amber');
  const [recipients, setRecipients] = useState<string[]>([]);
  const [people, setPeople] = useState('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [audience, setAudience] = useState<IntelAudience | undefined>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { ok: true; status: TaxiiStatusView; id: string } | { ok: false; problem: ShownProblem }
  >();

  const named =
    tlp === 'amber'
      ? recipients
      : tlp === 'red'
        ? people
            .split(',')
            .map((p) => p.trim())
            .filter((p) => p !== '')
        : [];
  const namedKey = named.join(',');

  useEffect(() => {
    const controller = new AbortController();
    hubRequest<IntelAudience>(hub.credentials, '/api/intel/audience', {
      body: {
        tlp,
        recipients: namedKey === '' ? [] : namedKey.split(','),
        ...(jurisdiction === '' ? {} : { jurisdiction }),
      },
      signal: controller.signal,
    }).then(
      (result) => {
        setAudience(result.ok ? result.value : undefined);
      },
      () => undefined,
    );
    return () => {
      controller.abort();
    };
  }, [hub.credentials, tlp, namedKey, jurisdiction]);

  if (collections.state.status === 'loading') return <p role="status">Loading collections…</p>;
  if (collections.state.status === 'failed') {
    return <ProblemMessage problem={collections.state.problem} />;
  }
  const writable = (collections.state.value.collections ?? []).filter((c) => c.can_write);
  if (writable.length === 0) return <p>Your organisation may post to no collection.</p>;
  const target = writable.find((c) => c.id === collectionId) ?? writable[0]!;

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(undefined);
    const now = new Date().toISOString();
    const marking = {
      object_marking_refs: [profile.markings[tlp]],
      ...(named.length === 0 ? {} : { x_vigil_recipients: named }),
    };
    const identity = profile.jurisdictions.find((j) => j.orgId === jurisdiction)?.identity;
    const common = { spec_version: '2.1', created: now, modified: now, name: name.trim() };
    const main =
      kind === 'indicator'
        ? {
            type: 'indicator',
            id: `indicator--${uuidV4()}`,
            ...common,
            ...(description.trim() === '' ? {} : { description: description.trim() }),
            pattern: pattern.trim(),
            pattern_type: 'stix',
            valid_from: now,
            ...marking,
          }
        : {
            type: 'report',
            id: `report--${uuidV4()}`,
            ...common,
            ...(description.trim() === '' ? {} : { description: description.trim() }),
            report_types: ['threat-report'],
            published: now,
            // A report refers to what it is about: here, the jurisdiction it concerns.
            object_refs: [String(identity?.id)],
            ...marking,
          };
    const objects: Record<string, unknown>[] = [main];
    if (identity !== undefined) {
      objects.unshift({ ...identity, object_marking_refs: [profile.markings.clear] });
      objects.push({
        type: 'relationship',
        spec_version: '2.1',
        id: `relationship--${uuidV4()}`,
        created: now,
        modified: now,
        relationship_type: 'targets',
        source_ref: main.id,
        target_ref: identity.id,
        ...marking,
      });
    }
    const result = await hubRequest<TaxiiStatusView>(
      hub.credentials,
      `${TAXII_ROOT}/collections/${encodeURIComponent(target.id)}/objects/`,
      { body: { objects } },
    );
    setBusy(false);
    setOutcome(
      result.ok
        ? { ok: true, status: result.value, id: main.id }
        : { ok: false, problem: result.problem },
    );
  };

  return (
    <form
      className="stacked-form intel-post"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="post-heading"
    >
      <h2 id="post-heading">Post an indicator or a report</h2>
      <fieldset>
        <legend>What to post</legend>
        <label className="inline">
          <input
            type="radio"
            name="kind"
            checked={kind === 'report'}
            onChange={() => {
              setKind('report');
            }}
          />{' '}
          Report
        </label>
        <label className="inline">
          <input
            type="radio"
            name="kind"
            checked={kind === 'indicator'}
            onChange={() => {
              setKind('indicator');
            }}
          />{' '}
          Indicator (STIX pattern)
        </label>
      </fieldset>
      <label>
        Collection
        <select
          value={target.id}
          onChange={(e) => {
            setCollectionId(e.target.value);
          }}
        >
          {writable.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title
        <input
          required
          maxLength={300}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
          }}
        />
      </label>
      <label>
        Description
        <textarea
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(e) => {
            setDescription(e.target.value);
          }}
        />
      </label>
      {kind === 'indicator' && (
        <label>
          STIX pattern
          <input
            required
            value={pattern}
            placeholder="[domain-name:value = 'vote-update.example']"
            onChange={(e) => {
              setPattern(e.target.value);
            }}
          />
          <span className="field-hint">
            STIX 2.1 patterning (§9), e.g. <code>[ipv4-addr:value = '203.0.113.7']</code>; the hub
            checks it before storing anything.
          </span>
        </label>
      )}
      <fieldset>
        <legend>TLP marking</legend>
        {TLPS.map((t) => (
          <label className="inline tlp-choice" key={t}>
            <input
              type="radio"
              name="tlp"
              value={t}
              checked={tlp === t}
              onChange={() => {
                setTlp(t);
              }}
            />{' '}
            {TLP_LABELS[t]} <span className="muted">({TLP_MEANING[t]})</span>
          </label>
        ))}
      </fieldset>
      {tlp === 'amber' && (
        <fieldset>
          <legend>Share with (TLP:AMBER recipients)</legend>
          <p className="field-hint">
            Your organisation, {profile.organisation.name}, always may read it.
          </p>
          {[
            ...profile.organisations
              .filter((o) => o.orgId !== profile.organisation.orgId)
              .map((o) => ({ id: o.orgId, label: o.name })),
            ...profile.groups.map((g) => ({ id: g.groupId, label: `${g.name} (group)` })),
          ].map((r) => (
            <label className="inline" key={r.id}>
              <input
                type="checkbox"
                checked={recipients.includes(r.id)}
                onChange={(e) => {
                  setRecipients(
                    e.target.checked ? [...recipients, r.id] : recipients.filter((x) => x !== r.id),
                  );
                }}
              />{' '}
              {r.label}
            </label>
          ))}
        </fieldset>
      )}
      {tlp === 'red' && (
        <label>
          People (user ids, comma-separated)
          <input
            value={people}
            onChange={(e) => {
              setPeople(e.target.value);
            }}
          />
          <span className="field-hint">TLP:RED goes to you and the people named, no one else.</span>
        </label>
      )}
      <label>
        {kind === 'report' ? 'Jurisdiction concerned' : 'Targets jurisdiction'}
        <select
          value={jurisdiction}
          required={kind === 'report'}
          onChange={(e) => {
            setJurisdiction(e.target.value);
          }}
        >
          <option value="">
            {kind === 'report' ? 'Choose a state or county' : 'None (no alert)'}
          </option>
          {profile.jurisdictions.map((j) => (
            <option key={j.orgId} value={j.orgId}>
              {orgName(profile, j.orgId)}
            </option>
          ))}
        </select>
        <span className="field-hint">
          People who follow this jurisdiction (or its state) and may read the post are alerted.
        </span>
      </label>
      {audience !== undefined && (
        <div className="audience" aria-live="polite">
          <h3>Who will see it</h3>
          <p>May read: {audience.readers.map((o) => o.name).join(', ') || 'no organisation'}.</p>
          {jurisdiction !== '' && (
            <p>
              Alerted:{' '}
              {audience.alerted.length === 0
                ? 'nobody (no one who may read it follows this jurisdiction).'
                : audience.alerted
                    .map((o) => `${o.name} (${o.people} ${o.people === 1 ? 'person' : 'people'})`)
                    .join(', ')}
            </p>
          )}
        </div>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Posting…' : `Post the ${kind}`}
      </button>
      <div aria-live="polite">
        {outcome?.ok === true && (
          <p role="status" className="success">
            Posted: {outcome.status.success_count} object
            {outcome.status.success_count === 1 ? '' : 's'} stored
            {outcome.status.failure_count > 0 ? `, ${outcome.status.failure_count} refused` : ''}.
            Id <code>{outcome.id}</code>.
          </p>
        )}
      </div>
      {outcome?.ok === false && <ProblemMessage problem={outcome.problem} />}
    </form>
  );
}
