import { useEffect, useState, type SubmitEvent } from 'react';
import type { BulletinBallotAnswer } from '@vigil/server';
import { getJson, type ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { InclusionCheck } from './InclusionCheck.tsx';

/** A code as a voter may copy it: spaces and dashes between groups, any case. */
export function normaliseCode(text: string): string {
  return text.replace(/[\s-]+/g, '').toLowerCase();
}

type Lookup =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'failed'; problem: ShownProblem }
  | { status: 'found'; ballot: BulletinBallotAnswer };

/**
 * Looking up a confirmation code: whether the ballot was cast or challenged, its ledger
 * entry, and the inclusion proof checked in this browser. A ballot whose entry still
 * waits for its shuffled batch (the ledger publishes ballots in batches, so that their
 * order cannot be matched to the check-ins) is shown as recorded but not yet in the
 * ledger, with the server's sentence saying when it will be. A code in the page's URL
 * (`?code=…`, the booth's link) is looked up at once.
 */
export function BallotLookup() {
  const [code, setCode] = useState(
    () => new URLSearchParams(window.location.search).get('code') ?? '',
  );
  const [lookup, setLookup] = useState<Lookup>({ status: 'idle' });

  const find = async (text: string) => {
    const wanted = normaliseCode(text);
    if (!/^[0-9a-f]{8,128}$/.test(wanted)) {
      setLookup({
        status: 'failed',
        problem: {
          title: 'That is not a confirmation code',
          detail:
            'A confirmation code is the long string of digits and the letters a to f on your receipt. Type it again, with or without the spaces.',
        },
      });
      return;
    }
    setLookup({ status: 'loading' });
    const result = await getJson<BulletinBallotAnswer>(`/api/bulletin/ballots/${wanted}`);
    setLookup(
      result.ok
        ? { status: 'found', ballot: result.value }
        : { status: 'failed', problem: result.problem },
    );
  };

  useEffect(() => {
    const initial = new URLSearchParams(window.location.search).get('code');
    if (initial !== null && initial !== '') void find(initial);
  }, []);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void find(code);
  };

  return (
    <section aria-labelledby="lookup-heading">
      <h2 id="lookup-heading">Find your ballot</h2>
      <form className="lookup-form" onSubmit={submit} aria-labelledby="lookup-heading">
        <label>
          Confirmation code
          <input
            name="confirmationCode"
            autoComplete="off"
            spellCheck={false}
            value={code}
            onChange={(event) => {
              setCode(event.target.value);
            }}
          />
          <span className="field-hint">As printed on your receipt; spaces do not matter.</span>
        </label>
        <button type="submit">Look up</button>
      </form>
      <div>
        {lookup.status === 'loading' && <p role="status">Looking up the code…</p>}
        {lookup.status === 'failed' && <ProblemMessage problem={lookup.problem} />}
        {lookup.status === 'found' && !lookup.ballot.published && (
          <div className="lookup-pending" role="status">
            <p className="lookup-status">
              Ballot <code className="hash">{lookup.ballot.confirmationCode}</code> is{' '}
              <strong>
                {lookup.ballot.status === 'cast'
                  ? 'cast (it will be counted)'
                  : 'challenged (opened for checking, not counted)'}
              </strong>
              , ballot style <code>{lookup.ballot.ballotStyleId}</code>.{' '}
              <strong>Not yet in the public ledger.</strong>
            </p>
            <p>{lookup.ballot.message}</p>
            <p className="field-hint">
              Ballots are added to the ledger together, {lookup.ballot.publicationBatch} at a time
              and in a random order, so that no one can tell from the ledger which ballot belongs to
              which voter. Look the code up again later to check its proof.
            </p>
          </div>
        )}
        {lookup.status === 'found' && lookup.ballot.published && (
          <>
            <p className="lookup-status">
              Ballot <code className="hash">{lookup.ballot.confirmationCode}</code> is in the
              record:{' '}
              <strong>
                {lookup.ballot.status === 'cast'
                  ? 'cast (it is counted)'
                  : 'challenged (opened for checking, not counted)'}
              </strong>
              , ballot style <code>{lookup.ballot.ballotStyleId}</code>, ledger entry{' '}
              {lookup.ballot.ledger.index}.
            </p>
            <InclusionCheck ballot={lookup.ballot} />
          </>
        )}
      </div>
    </section>
  );
}
