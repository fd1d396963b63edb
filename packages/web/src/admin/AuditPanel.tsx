import { useEffect, useState, type SubmitEvent } from 'react';
import type { ElectionDetailResponse } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { getJson } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, SignInGate } from '../session.tsx';
import { auditableContests, auditPlan, winnersOf } from './ballots/audit-plan.ts';
import { AuditRounds } from './ballots/AuditRounds.tsx';
import type {
  AuditList,
  AuditView,
  ContestResult,
  ElectionResults,
  PaperBallotManifest,
} from './ballots/ballot-box-api.ts';
import { ADMINISTRATOR } from './ballots/roles.ts';

/**
 * The risk-limiting audit of the paper ballots (the booths' VVPAT records) against the
 * published result: a ballot-polling audit (BRAVO) from a seed rolled in public, drawn
 * round by round; the audit board enters what each sampled paper shows, and the risk
 * after each round says whether the reported outcome is confirmed.
 */
export function AuditPanel() {
  return (
    <div className="ballot-admin">
      <h2>Risk-limiting audit</h2>
      <SignInGate
        purpose="The administrator runs the risk-limiting audit with the audit board."
        roles={[ADMINISTRATOR]}
      >
        {() => <Audit />}
      </SignInGate>
    </div>
  );
}

interface AuditInputs {
  manifest: PaperBallotManifest;
  results: ElectionResults;
  election: ElectionDetailResponse['election'] | undefined;
  audits: AuditList['audits'];
}

function Audit() {
  const [inputs, setInputs] = useState<
    { ok: true; value: AuditInputs } | { ok: false; problem: ShownProblem }
  >();
  const [audit, setAudit] = useState<AuditView | undefined>();
  useEffect(() => {
    void (async () => {
      const [manifest, results, election, audits] = await Promise.all([
        callApi<PaperBallotManifest>('/api/paper-ballots'),
        getJson<ElectionResults>('/api/results'),
        getJson<ElectionDetailResponse>('/api/elections/current'),
        callApi<AuditList>('/api/audits'),
      ]);
      if (!results.ok) setInputs({ ok: false, problem: results.problem });
      else if (!manifest.ok) setInputs({ ok: false, problem: manifest.problem });
      else {
        setInputs({
          ok: true,
          value: {
            manifest: manifest.value,
            results: results.value,
            election: election.ok ? election.value.election : undefined,
            audits: audits.ok ? audits.value.audits : [],
          },
        });
      }
    })();
  }, []);

  if (inputs === undefined)
    return <p role="status">Loading the results and the paper-ballot manifest…</p>;
  if (!inputs.ok) {
    return (
      <>
        <p>The audit starts once the results are published (after decryption).</p>
        <ProblemMessage problem={inputs.problem} />
      </>
    );
  }
  const { manifest, results, election, audits } = inputs.value;
  const contest =
    audit === undefined ? undefined : results.contests.find((c) => c.contestId === audit.contestId);
  return (
    <>
      <p>
        {manifest.count} paper ballots in the manifest; {results.castCount} ballots in the published
        result.
      </p>
      {audit === undefined ? (
        <>
          <StartAudit inputs={inputs.value} onStarted={setAudit} />
          {audits.length > 0 && <ResumeAudit audits={audits} onOpen={setAudit} />}
        </>
      ) : contest === undefined ? (
        <p>The audited contest {audit.contestId} is not in the published results.</p>
      ) : (
        <section aria-labelledby="audit-heading">
          <h3 id="audit-heading">
            Audit <code>{audit.auditId}</code> of {contest.title}
          </h3>
          <AuditRounds
            audit={audit}
            manifest={manifest}
            contest={contest}
            numWinners={winnersOf(election, contest.contestId)}
            onChange={setAudit}
          />
        </section>
      )}
    </>
  );
}

function StartAudit({
  inputs,
  onStarted,
}: {
  inputs: AuditInputs;
  onStarted: (audit: AuditView) => void;
}) {
  const contests = auditableContests(inputs.results.contests);
  const [contestId, setContestId] = useState(contests[0]?.contestId ?? '');
  const [riskPercent, setRiskPercent] = useState(5);
  const [seed, setSeed] = useState('');
  const [auditId, setAuditId] = useState('');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const contest: ContestResult | undefined = contests.find((c) => c.contestId === contestId);

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (contest === undefined) return;
    setBusy(true);
    setProblem(undefined);
    const body = auditPlan({
      auditId: auditId.trim() === '' ? `rla-${contest.contestId}` : auditId.trim(),
      contest,
      numWinners: winnersOf(inputs.election, contest.contestId),
      riskLimit: riskPercent / 100,
      seed: seed.trim(),
      manifest: inputs.manifest,
    });
    const result = await callApi<AuditView>('/api/audits', { body });
    setBusy(false);
    if (result.ok) onStarted(result.value);
    else setProblem(result.problem);
  };

  if (contests.length === 0)
    return <p>No contest in the results can be audited by ballot polling.</p>;
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="start-audit-heading">
      <h3 id="start-audit-heading">Start an audit</h3>
      <label>
        Contest
        <select
          value={contestId}
          onChange={(event) => {
            setContestId(event.target.value);
          }}
        >
          {contests.map((c) => (
            <option key={c.contestId} value={c.contestId}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        Risk limit (%)
        <input
          type="number"
          min={0.1}
          max={50}
          step={0.1}
          value={riskPercent}
          onChange={(event) => {
            setRiskPercent(Number(event.target.value));
          }}
        />
      </label>
      <label>
        Seed
        <input
          name="seed"
          inputMode="numeric"
          autoComplete="off"
          value={seed}
          onChange={(event) => {
            setSeed(event.target.value);
          }}
          aria-describedby="seed-hint"
        />
      </label>
      <span id="seed-hint" className="field-hint">
        At least 10 decimal digits (20 recommended), rolled in public with ten-sided dice, so anyone
        can redo the draw and no one could have chosen it.
      </span>
      <label>
        Audit id
        <input
          name="auditId"
          autoComplete="off"
          placeholder={contest === undefined ? '' : `rla-${contest.contestId}`}
          value={auditId}
          onChange={(event) => {
            setAuditId(event.target.value);
          }}
        />
      </label>
      {problem !== undefined && <ProblemMessage problem={problem} />}
      <button type="submit" className="primary-action" disabled={busy}>
        {busy ? 'Starting…' : 'Start the audit'}
      </button>
    </form>
  );
}

function ResumeAudit({
  audits,
  onOpen,
}: {
  audits: AuditList['audits'];
  onOpen: (audit: AuditView) => void;
}) {
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  return (
    <section aria-labelledby="resume-audit-heading">
      <h3 id="resume-audit-heading">Audits started earlier</h3>
      <ul className="plain">
        {audits.map((a) => (
          <li key={a.auditId}>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                void callApi<AuditView>(`/api/audits/${encodeURIComponent(a.auditId)}`).then(
                  (result) => {
                    if (result.ok) onOpen(result.value);
                    else setProblem(result.problem);
                  },
                );
              }}
            >
              Open audit {a.auditId}
            </button>{' '}
            <span className="muted">started {new Date(a.createdAt).toLocaleString('en-US')}</span>
          </li>
        ))}
      </ul>
      {problem !== undefined && <ProblemMessage problem={problem} />}
    </section>
  );
}
