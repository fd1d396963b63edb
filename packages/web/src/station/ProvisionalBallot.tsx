import { useId, useState, type SubmitEvent } from 'react';
import type { StationProvisionalBallotResponse } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi } from '../session.tsx';

/**
 * The provisional ballot: for a person not on the roll, or whose registration is
 * inactive or removed. The ballot goes in a sealed envelope the registrar reviews after
 * the polls close; no regular credential is issued.
 */
export function ProvisionalBallot({
  claimedVoterId,
  reason: initialReason,
  onDone,
}: {
  claimedVoterId?: string;
  reason: string;
  onDone: () => void;
}) {
  const [reason, setReason] = useState(initialReason);
  const [claimed, setClaimed] = useState(claimedVoterId ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [issued, setIssued] = useState<StationProvisionalBallotResponse | undefined>();
  const headingId = useId();

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const result = await callApi<StationProvisionalBallotResponse>('/api/provisional-ballots', {
      body: { reason, ...(claimed.trim() === '' ? {} : { claimedVoterId: claimed.trim() }) },
    });
    setBusy(false);
    if (result.ok) setIssued(result.value);
    else setProblem(result.problem);
  };

  return (
    <section className="station-step" aria-labelledby={headingId}>
      <h2 id={headingId}>Provisional ballot</h2>
      {issued === undefined ? (
        <form
          className="station-form"
          aria-label="Provisional ballot"
          onSubmit={(e) => void submit(e)}
        >
          <label>
            Voter id the person gave (if any)
            <input
              name="claimedVoterId"
              autoComplete="off"
              value={claimed}
              onChange={(e) => {
                setClaimed(e.target.value);
              }}
            />
          </label>
          <label>
            Reason
            <textarea
              name="reason"
              rows={2}
              required
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
              }}
            />
          </label>
          {problem !== undefined && <ProblemMessage problem={problem} />}
          <div className="station-actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Issuing…' : 'Issue the provisional ballot'}
            </button>
            <button type="button" className="secondary" onClick={onDone}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <div className="outcome outcome-go" role="status">
            <p className="outcome-big">
              Provisional ballot issued: envelope <code>{issued.envelopeId}</code>, ballot style{' '}
              {issued.ballotStyleId}.
            </p>
            <p>
              Write the envelope number on the provisional envelope; the registrar decides after the
              polls close whether the ballot counts.
            </p>
          </div>
          <div className="station-actions">
            <button type="button" className="primary" onClick={onDone}>
              Next voter
            </button>
          </div>
        </>
      )}
    </section>
  );
}
