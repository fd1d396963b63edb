import { ProblemMessage } from '../ProblemMessage.tsx';
import { Link } from '../router.tsx';
import { callApi, SignInGate, type Session } from '../session.tsx';
import { ActionButton } from './ballots/ActionButton.tsx';
import type { BallotBoxStatus, ShareReleased } from './ballots/ballot-box-api.ts';
import { GuardianProgress, PhaseSummary } from './ballots/GuardianProgress.tsx';
import { ADMINISTRATOR, GUARDIAN, isAdministrator, isGuardian } from './ballots/roles.ts';
import { useBallotBoxStatus } from './ballots/useBallotBoxStatus.ts';

/**
 * Tally and decryption: the administrator adds up the encrypted ballots (homomorphically,
 * nobody decrypts a single ballot); then each guardian, in their own browser, releases
 * their share of the decryption with its proof; once a quorum has, the tally is decrypted,
 * the election record is written and verified, and the results are published.
 */
export function TallyPanel() {
  return (
    <div className="ballot-admin">
      <h2>Tally and decryption</h2>
      <SignInGate
        purpose="The administrator computes the encrypted tally; each guardian signs in in their own browser to release their decryption share."
        roles={[ADMINISTRATOR, GUARDIAN]}
      >
        {(session) => <Tally session={session} />}
      </SignInGate>
    </div>
  );
}

function Tally({ session }: { session: Session }) {
  const { state, refresh } = useBallotBoxStatus();
  if (state.status === 'loading') return <p role="status">Loading the ballot box’s status…</p>;
  if (state.status === 'failed') return <ProblemMessage problem={state.problem} />;
  const status = state.value;
  const me = status.guardians.find((g) => g.guardianId === session.official.officialId);
  const before = ['key-ceremony-not-started', 'key-ceremony', 'ready', 'polls-open'].includes(
    status.phase,
  );
  return (
    <>
      <PhaseSummary status={status} />
      {before && <p>The tally comes after the polls close (see the Polls tab).</p>}
      {status.phase === 'polls-closed' && isAdministrator(session) && (
        <ActionButton<BallotBoxStatus>
          label="Compute the encrypted tally"
          busyLabel="Adding up the encrypted ballots…"
          action={() => callApi<BallotBoxStatus>('/api/tally', { method: 'POST' })}
          done={(s) =>
            `Tallied ${s.castCount} cast ballots. The guardians can now release their shares.`
          }
          onDone={refresh}
        />
      )}
      {status.phase === 'polls-closed' && isGuardian(session) && (
        <p>The administrator has not computed the tally yet. This page updates by itself.</p>
      )}
      {(status.phase === 'tallied' || status.phase === 'decrypted') && isGuardian(session) && (
        <section aria-labelledby="my-share-heading" className="panel">
          <h3 id="my-share-heading">Your decryption share, {session.official.displayName}</h3>
          {me === undefined ? (
            <p>You are not one of this election’s guardians.</p>
          ) : me.shareReleased ? (
            <p className="proof-ok">
              You have released your decryption share.
              {status.phase === 'tallied' ? ' Waiting for the quorum.' : ''}
            </p>
          ) : status.phase === 'decrypted' ? (
            <p>The quorum decrypted the tally without your share; it is no longer needed.</p>
          ) : (
            <ActionButton<ShareReleased>
              label="Release my decryption share"
              busyLabel="Computing my share and its proofs…"
              action={() => callApi<ShareReleased>('/api/tally/shares', { method: 'POST' })}
              done={(r) => `Share released: ${r.sharesReleased} of the ${r.quorum} needed.`}
              onDone={refresh}
            />
          )}
        </section>
      )}
      {(status.phase === 'tallied' || status.phase === 'decrypted') && (
        <section aria-labelledby="shares-heading">
          <h3 id="shares-heading" className="panel-subheading">
            Quorum progress
          </h3>
          <GuardianProgress status={status} show="shares" />
        </section>
      )}
      {status.phase === 'decrypted' && (
        <p className="proof-ok" role="status">
          The tally is decrypted and the election record verified. See the{' '}
          <Link to="/bulletin-board">results and the verification on the bulletin board</Link>.
        </p>
      )}
    </>
  );
}
