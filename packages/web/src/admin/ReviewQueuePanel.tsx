import { useEffect, useState, type SubmitEvent } from 'react';
import type {
  DuplicateReviewView,
  DuplicateReviewsResponse,
  VoterSearchResponse,
  VoterView,
} from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, SignInGate } from '../session.tsx';
import { useOfficialApi } from './registry/useOfficialApi.ts';

/**
 * The de-duplication review queue: an enrolment whose fingerprints matched an enrolled
 * voter's waits here until a registrar compares the two records side by side, with the
 * match scores, and decides: the same person (the later record is blocked) or different
 * people (both stay). The decision and its reason are kept; the ledger records the ids.
 */
export function ReviewQueuePanel() {
  return (
    <div className="registry-admin">
      <h2>De-duplication review queue</h2>
      <SignInGate
        purpose="Sign in as a registrar to decide suspected duplicate enrolments."
        roles={['registrar']}
      >
        {() => <ReviewQueue />}
      </SignInGate>
    </div>
  );
}

function ReviewQueue() {
  const { state, reload } = useOfficialApi<DuplicateReviewsResponse>('/api/registry/reviews');
  const [decided, setDecided] = useState<string | undefined>();
  if (state === undefined || state.status === 'loading') {
    return <p role="status">Loading the queue…</p>;
  }
  if (state.status === 'failed') return <ProblemMessage problem={state.problem} />;
  const reviews = state.value.reviews;
  return (
    <>
      <div aria-live="polite" role="status">
        {decided !== undefined && <p className="success">{decided}</p>}
      </div>
      {reviews.length === 0 ? (
        <p>No suspected duplicate is waiting for a decision.</p>
      ) : (
        <p>
          {reviews.length} suspected duplicate{reviews.length === 1 ? '' : 's'} waiting, oldest
          first.
        </p>
      )}
      {reviews.map((review) => (
        <Review
          key={review.reviewId}
          review={review}
          onDecided={(message) => {
            setDecided(message);
            reload();
          }}
        />
      ))}
    </>
  );
}

/** A voter record by id, through the registry's search (registrars may search). */
function useVoter(voterId: string): VoterView | ShownProblem | undefined {
  const [voter, setVoter] = useState<VoterView | ShownProblem | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    callApi<VoterSearchResponse>(`/api/voters?voterId=${encodeURIComponent(voterId)}`, {
      signal: controller.signal,
    }).then(
      (result) => {
        if (!result.ok) setVoter(result.problem);
        else {
          setVoter(
            result.value.voters.find((v) => v.voterId === voterId) ?? {
              title: 'Voter not found',
              detail: `Voter ${voterId} is no longer on the roll.`,
            },
          );
        }
      },
      () => undefined,
    );
    return () => {
      controller.abort();
    };
  }, [voterId]);
  return voter;
}

const isVoter = (v: VoterView | ShownProblem | undefined): v is VoterView =>
  v !== undefined && 'voterId' in v;

const FIELDS: readonly { label: string; value: (v: VoterView) => string }[] = [
  { label: 'Voter id', value: (v) => v.voterId },
  {
    label: 'Name',
    value: (v) => [v.givenName, v.middleName, v.familyName].filter(Boolean).join(' '),
  },
  { label: 'Date of birth', value: (v) => v.birthDate },
  {
    label: 'Address',
    value: (v) =>
      [v.address.line1, v.address.line2, v.address.city, v.address.state, v.address.postalCode]
        .filter(Boolean)
        .join(', '),
  },
  {
    label: 'Precinct',
    value: (v) => v.precinctId + (v.splitId === undefined ? '' : ` (${v.splitId})`),
  },
  { label: 'Status', value: (v) => v.status },
];

const FINGER_NAMES: Readonly<Record<number, string>> = {
  1: 'right thumb',
  2: 'right index',
  3: 'right middle',
  4: 'right ring',
  5: 'right little',
  6: 'left thumb',
  7: 'left index',
  8: 'left middle',
  9: 'left ring',
  10: 'left little',
};

function Review({
  review,
  onDecided,
}: {
  review: DuplicateReviewView;
  onDecided: (message: string) => void;
}) {
  const later = useVoter(review.voterId);
  const earlier = useVoter(review.candidateVoterId);
  const [decision, setDecision] = useState<'same-person' | 'different-people' | ''>('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const headingId = `review-${review.reviewId}`;
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (decision === '') return;
    setBusy(true);
    const result = await callApi<DuplicateReviewView>(
      `/api/registry/reviews/${encodeURIComponent(review.reviewId)}/decision`,
      { body: { decision, reason } },
    );
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    onDecided(
      decision === 'same-person'
        ? `Decided: ${review.voterId} and ${review.candidateVoterId} are the same person; ${review.voterId} is blocked as a duplicate.`
        : `Decided: ${review.voterId} and ${review.candidateVoterId} are different people; both records stay.`,
    );
  };
  return (
    <article className="review panel" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {review.voterId} may be {review.candidateVoterId}
      </h3>
      <p className="muted">
        Found {new Date(review.createdAt).toLocaleString('en-US')} · fused fingerprint score{' '}
        <strong>{review.score.toFixed(1)}</strong> · estimated false match rate{' '}
        <strong>{review.fusedFmr.toExponential(1)}</strong>
      </p>
      <table className="side-by-side">
        <caption>The two records side by side</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">New enrolment ({review.voterId})</th>
            <th scope="col">Already enrolled ({review.candidateVoterId})</th>
          </tr>
        </thead>
        <tbody>
          {FIELDS.map((f) => {
            const a = isVoter(later) ? f.value(later) : '…';
            const b = isVoter(earlier) ? f.value(earlier) : '…';
            const same = isVoter(later) && isVoter(earlier) && a === b;
            return (
              <tr key={f.label}>
                <th scope="row">{f.label}</th>
                <td className={same ? 'same' : undefined}>{a}</td>
                <td className={same ? 'same' : undefined}>
                  {b}
                  {same && <span className="visually-hidden"> (the same)</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {later !== undefined && !isVoter(later) && <ProblemMessage problem={later} />}
      {earlier !== undefined && !isVoter(earlier) && <ProblemMessage problem={earlier} />}
      <table className="finger-scores">
        <caption>Match score of each finger (higher is more alike)</caption>
        <thead>
          <tr>
            <th scope="col">Finger</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {review.fingerScores.map((f) => (
            <tr key={f.position}>
              <th scope="row">
                {FINGER_NAMES[f.position] ?? `position ${f.position}`} ({f.position})
              </th>
              <td>{f.score.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="stacked-form"
        onSubmit={(e) => void submit(e)}
        aria-label={`Decide ${review.voterId}`}
      >
        <fieldset>
          <legend>Decision</legend>
          <label className="inline">
            <input
              type="radio"
              name={`decision-${review.reviewId}`}
              value="same-person"
              required
              checked={decision === 'same-person'}
              onChange={() => {
                setDecision('same-person');
              }}
            />{' '}
            Same person: block {review.voterId}
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`decision-${review.reviewId}`}
              value="different-people"
              checked={decision === 'different-people'}
              onChange={() => {
                setDecision('different-people');
              }}
            />{' '}
            Different people: keep both
          </label>
        </fieldset>
        <label>
          Reason
          <textarea
            required
            maxLength={1000}
            rows={3}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          />
          <span className="field-hint">
            What you compared (documents, photographs, the records) and why you decided so.
          </span>
        </label>
        {problem !== undefined && <ProblemMessage problem={problem} />}
        <button type="submit" disabled={busy || decision === '' || reason.trim() === ''}>
          {busy ? 'Recording…' : 'Record the decision'}
        </button>
      </form>
    </article>
  );
}
