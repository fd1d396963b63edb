import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, SignInGate } from '../session.tsx';
import { ActionButton } from './ballots/ActionButton.tsx';
import type { BallotBoxStatus } from './ballots/ballot-box-api.ts';
import { PhaseSummary } from './ballots/GuardianProgress.tsx';
import { ADMINISTRATOR } from './ballots/roles.ts';
import { useBallotBoxStatus } from './ballots/useBallotBoxStatus.ts';

const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * Opening and closing the polls (each a ledger entry, polls.opened / polls.closed), with
 * the counts of cast and challenged ballots as they come in.
 */
export function PollsPanel() {
  return (
    <div className="ballot-admin">
      <h2>Polls</h2>
      <SignInGate purpose="The administrator opens and closes the polls." roles={[ADMINISTRATOR]}>
        {() => <Polls />}
      </SignInGate>
    </div>
  );
}

function Polls() {
  const { state, refresh } = useBallotBoxStatus();
  if (state.status === 'loading') return <p role="status">Loading the ballot box’s status…</p>;
  if (state.status === 'failed') return <ProblemMessage problem={state.problem} />;
  const status = state.value;
  return (
    <>
      <PhaseSummary status={status} />
      <dl className="facts polls-times">
        <div>
          <dt>Opened at</dt>
          <dd>
            {status.pollsOpenedAt === undefined
              ? 'Not yet'
              : timeFormat.format(new Date(status.pollsOpenedAt))}
          </dd>
        </div>
        <div>
          <dt>Closed at</dt>
          <dd>
            {status.pollsClosedAt === undefined
              ? 'Not yet'
              : timeFormat.format(new Date(status.pollsClosedAt))}
          </dd>
        </div>
      </dl>
      {(status.phase === 'key-ceremony-not-started' || status.phase === 'key-ceremony') && (
        <p>The polls can open once the key ceremony is complete (see the Key ceremony tab).</p>
      )}
      {status.phase === 'ready' && (
        <ActionButton<BallotBoxStatus>
          key="open"
          label="Open the polls"
          busyLabel="Opening…"
          action={() => callApi<BallotBoxStatus>('/api/polls/open', { method: 'POST' })}
          done={() => 'The polls are open: booths accept ballots.'}
          onDone={refresh}
        />
      )}
      {status.phase === 'polls-open' && (
        <ActionButton<BallotBoxStatus>
          key="close"
          label="Close the polls"
          busyLabel="Closing…"
          action={() => callApi<BallotBoxStatus>('/api/polls/close', { method: 'POST' })}
          done={(s) => `The polls are closed with ${s.castCount} ballots cast.`}
          onDone={refresh}
        />
      )}
      {(status.phase === 'polls-closed' ||
        status.phase === 'tallied' ||
        status.phase === 'decrypted') && (
        <p>The polls are closed. The tally is on the Tally and decryption tab.</p>
      )}
    </>
  );
}
