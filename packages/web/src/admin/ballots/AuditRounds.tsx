import { useState } from 'react';
import { callApi } from '../../session.tsx';
import { ActionButton } from './ActionButton.tsx';
import { AuditBoardEntry } from './AuditBoardEntry.tsx';
import { paperIdOf } from './audit-plan.ts';
import type { AuditView, ContestResult, PaperBallotManifest } from './ballot-box-api.ts';

const STATUS_WORDS: Readonly<Record<AuditView['status'], string>> = {
  'in-progress': 'In progress',
  confirmed: 'Confirmed: the risk limit is met, the reported outcome stands',
  'full-hand-count': 'Escalated to a full hand count',
};

function entryWords(
  entry: AuditView['rounds'][number]['ballots'][number]['entry'],
  contest: ContestResult,
): string {
  if (entry === null) return 'Not entered';
  if (entry.kind === 'not-found') return 'Not found';
  const ids = Object.keys(entry.votes).filter((id) => (entry.votes[id] ?? 0) > 0);
  if (ids.length === 0) return 'No vote';
  return ids.map((id) => contest.options.find((o) => o.optionId === id)?.label ?? id).join(', ');
}

/**
 * An audit's rounds: the risk measured after each, the sample of the open round with
 * each ballot's paper id and entry, the board's entry form, and the buttons to draw a
 * round and to close one.
 */
export function AuditRounds({
  audit,
  manifest,
  contest,
  numWinners,
  onChange,
}: {
  audit: AuditView;
  manifest: PaperBallotManifest;
  contest: ContestResult;
  numWinners: number;
  onChange: (audit: AuditView) => void;
}) {
  const [entering, setEntering] = useState<string | undefined>();
  const last = audit.rounds.at(-1);
  const open = last?.risk === null ? last : undefined;
  const path = `/api/audits/${encodeURIComponent(audit.auditId)}`;
  const unique =
    open === undefined ? [] : [...new Map(open.ballots.map((b) => [b.ballotId, b])).values()];
  const missing = unique.filter((b) => b.entry === null).length;

  return (
    <>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <strong data-audit-status={audit.status}>{STATUS_WORDS[audit.status]}</strong>
          </dd>
        </div>
        <div>
          <dt>Risk limit</dt>
          <dd>{(audit.riskLimit * 100).toFixed(1)}%</dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>
            <code>{audit.seed}</code>
          </dd>
        </div>
      </dl>
      {audit.rounds.length > 0 && (
        <table className="audit-risks">
          <caption>
            Risk after each round: the audit stops when it is at or below the risk limit
          </caption>
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Ballots drawn</th>
              <th scope="col">Risk measured</th>
            </tr>
          </thead>
          <tbody>
            {audit.rounds.map((r) => (
              <tr key={r.round}>
                <th scope="row">{r.round}</th>
                <td>{r.ballots.length}</td>
                <td>
                  {r.risk === null
                    ? 'Round open'
                    : `${(r.risk * 100).toFixed(2)}%${r.risk <= audit.riskLimit ? ' (limit met)' : ''}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {audit.status === 'in-progress' && open === undefined && (
        <ActionButton<AuditView>
          key={`draw-${audit.rounds.length}`}
          label={`Draw round ${audit.rounds.length + 1} (${audit.nextRoundSize} ballots)`}
          busyLabel="Drawing the sample…"
          action={() => callApi<AuditView>(`${path}/rounds`, { body: {} })}
          done={(a) =>
            `Round ${a.rounds.length} drawn: ${a.rounds.at(-1)?.ballots.length ?? 0} ballots.`
          }
          onDone={onChange}
        />
      )}
      {open !== undefined && (
        <section aria-labelledby="sample-heading">
          <h4 id="sample-heading">
            Round {open.round} sample: {unique.length - missing} of {unique.length} ballots entered
          </h4>
          <table className="audit-sample">
            <caption>The ballots to pull, in draw order, with the paper record each one is</caption>
            <thead>
              <tr>
                <th scope="col">Draw</th>
                <th scope="col">Ballot</th>
                <th scope="col">Paper id</th>
                <th scope="col">Entry</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {unique.map((b) => (
                <tr key={b.ballotId}>
                  <td>{b.draw}</td>
                  <th scope="row">
                    <code>{b.ballotId}</code>
                    {b.timesSampled > 1 && <span className="muted"> ×{b.timesSampled}</span>}
                  </th>
                  <td>
                    <code>{paperIdOf(manifest, b.ballotId) ?? '—'}</code>
                  </td>
                  <td>{entryWords(b.entry, contest)}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`${b.entry === null ? 'Enter' : 'Change'} ballot ${b.ballotId}`}
                      onClick={() => {
                        setEntering(b.ballotId);
                      }}
                    >
                      {b.entry === null ? 'Enter' : 'Change'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entering !== undefined && (
            <AuditBoardEntry
              key={entering}
              auditId={audit.auditId}
              ballotId={entering}
              paperId={paperIdOf(manifest, entering)}
              contest={contest}
              numWinners={numWinners}
              onRecorded={(next) => {
                onChange(next);
                const nextOpen = next.rounds.at(-1);
                const following = nextOpen?.ballots.find((b) => b.entry === null);
                setEntering(following?.ballotId);
              }}
            />
          )}
          <ActionButton<AuditView>
            key={`close-${open.round}`}
            label={`Close round ${open.round} and measure the risk`}
            busyLabel="Measuring the risk…"
            action={() => callApi<AuditView>(`${path}/rounds/current/close`, { method: 'POST' })}
            done={(a) => {
              const risk = a.rounds.at(-1)?.risk;
              return `Round ${open.round} closed: risk ${risk === null || risk === undefined ? '?' : `${(risk * 100).toFixed(2)}%`}; ${STATUS_WORDS[a.status]}.`;
            }}
            onDone={(a) => {
              setEntering(undefined);
              onChange(a);
            }}
          />
        </section>
      )}
      {audit.status === 'full-hand-count' && (
        <p>
          A ballot-polling audit of this contest would need {audit.nextRoundSize}{' '}
          {audit.nextRoundSize === 1 ? 'draw' : 'draws'} from {manifest.count} paper{' '}
          {manifest.count === 1 ? 'ballot' : 'ballots'}: as many as there are. The audit board
          counts every paper ballot by hand instead, and the hand count’s result is the result.
        </p>
      )}
      {audit.status !== 'in-progress' && (
        <p role="status" className={audit.status === 'confirmed' ? 'proof-ok' : undefined}>
          {STATUS_WORDS[audit.status]}. <a href={`${path}/report`}>Read the audit report</a>.
        </p>
      )}
    </>
  );
}
