import { useEffect, useState, type SubmitEvent } from 'react';
import type { ShownProblem } from '../../api.ts';
import { ProblemMessage } from '../../ProblemMessage.tsx';
import { callApi } from '../../session.tsx';
import type { AuditView, ContestResult, PaperBallot } from './ballot-box-api.ts';

const NOT_FOUND = '__not-found__';

/**
 * The audit board's entry for one sampled paper ballot: the board retrieves the paper
 * record (in this system, the booth's VVPAT slip as stored), reads the contest under
 * audit, and records what the paper shows, or that the ballot could not be found (which
 * BRAVO counts against the reported winner).
 */
export function AuditBoardEntry({
  auditId,
  ballotId,
  paperId,
  contest,
  numWinners,
  onRecorded,
}: {
  auditId: string;
  ballotId: string;
  paperId: string | undefined;
  contest: ContestResult;
  numWinners: number;
  onRecorded: (audit: AuditView) => void;
}) {
  const [paper, setPaper] = useState<PaperBallot | undefined>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (paperId === undefined) return;
    void callApi<PaperBallot>(`/api/paper-ballots/${encodeURIComponent(paperId)}`).then(
      (result) => {
        if (result.ok) setPaper(result.value);
        else setProblem(result.problem);
      },
    );
  }, [paperId]);

  const paperMarks = paper?.marks[contest.contestId];
  const labelOf = (id: string) => contest.options.find((o) => o.optionId === id)?.label ?? id;
  const multiple = numWinners > 1;

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const body = chosen.includes(NOT_FOUND)
      ? { kind: 'not-found' }
      : { kind: 'votes', votes: Object.fromEntries(chosen.map((id) => [id, 1])) };
    const result = await callApi<AuditView>(
      `/api/audits/${encodeURIComponent(auditId)}/ballots/${encodeURIComponent(ballotId)}`,
      { method: 'PUT', body },
    );
    setBusy(false);
    if (result.ok) onRecorded(result.value);
    else setProblem(result.problem);
  };

  const toggle = (id: string, on: boolean) => {
    if (id === NOT_FOUND) setChosen(on ? [NOT_FOUND] : []);
    else if (!multiple) setChosen(on ? [id] : []);
    else
      setChosen(
        on ? [...chosen.filter((c) => c !== NOT_FOUND), id] : chosen.filter((c) => c !== id),
      );
  };

  return (
    <form
      className="panel audit-entry"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="audit-entry-heading"
    >
      <h4 id="audit-entry-heading">
        Audit board entry for ballot <code>{ballotId}</code>
      </h4>
      <div className="paper-slip" aria-labelledby="paper-slip-heading" role="group">
        <p id="paper-slip-heading" className="paper-slip-title">
          Paper record <code>{paperId ?? 'not in the manifest'}</code>
        </p>
        {paper === undefined && paperId !== undefined && problem === undefined && (
          <p role="status">Retrieving the paper record…</p>
        )}
        {paper !== undefined && (
          <p>
            {contest.title}:{' '}
            <strong>
              {paperMarks === undefined
                ? 'not on this ballot style'
                : paperMarks.length === 0
                  ? 'no mark'
                  : paperMarks.map(labelOf).join(', ')}
            </strong>
          </p>
        )}
      </div>
      <fieldset>
        <legend>What the paper shows for {contest.title}</legend>
        {contest.options.map((option) => (
          <label key={option.optionId} className="check">
            <input
              type={multiple ? 'checkbox' : 'radio'}
              name={`entry-${ballotId}`}
              checked={chosen.includes(option.optionId)}
              onChange={(event) => {
                toggle(option.optionId, event.target.checked);
              }}
            />
            {option.label}
          </label>
        ))}
        <label className="check">
          <input
            type={multiple ? 'checkbox' : 'radio'}
            name={`entry-${ballotId}`}
            checked={chosen.length === 0}
            onChange={(event) => {
              if (event.target.checked) setChosen([]);
            }}
          />
          No vote in this contest
        </label>
        <label className="check">
          <input
            type={multiple ? 'checkbox' : 'radio'}
            name={`entry-${ballotId}`}
            checked={chosen.includes(NOT_FOUND)}
            onChange={(event) => {
              toggle(NOT_FOUND, event.target.checked);
            }}
          />
          Ballot not found
        </label>
      </fieldset>
      {problem !== undefined && <ProblemMessage problem={problem} />}
      <button type="submit" className="primary-action" disabled={busy}>
        {busy ? 'Recording…' : 'Record this ballot'}
      </button>
    </form>
  );
}
