import { useEffect, useState, type SubmitEvent } from 'react';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, SignInGate, type Session } from '../session.tsx';
import { ActionButton } from './ballots/ActionButton.tsx';
import type { BallotBoxStatus, CeremonyView, PublishedKeys } from './ballots/ballot-box-api.ts';
import { GuardianProgress, PhaseSummary } from './ballots/GuardianProgress.tsx';
import { ADMINISTRATOR, GUARDIAN, isAdministrator, isGuardian } from './ballots/roles.ts';
import { useBallotBoxStatus } from './ballots/useBallotBoxStatus.ts';

/**
 * The key ceremony (ElectionGuard 2.0 §3.2): the administrator chooses the guardians and
 * the quorum; each guardian, signed in in their own browser, generates and publishes
 * their keys (the secrets stay sealed on the server); when the last has published, the
 * shares are checked and the joint election key is formed.
 */
export function CeremonyPanel() {
  return (
    <div className="ballot-admin">
      <h2>Key ceremony</h2>
      <SignInGate
        purpose="The administrator starts the key ceremony; each guardian signs in in their own browser to publish their keys."
        roles={[ADMINISTRATOR, GUARDIAN]}
      >
        {(session) => <Ceremony session={session} />}
      </SignInGate>
    </div>
  );
}

function Ceremony({ session }: { session: Session }) {
  const { state, refresh } = useBallotBoxStatus();
  if (state.status === 'loading') return <p role="status">Loading the ballot box’s status…</p>;
  if (state.status === 'failed') return <ProblemMessage problem={state.problem} />;
  const status = state.value;
  const me = status.guardians.find((g) => g.guardianId === session.official.officialId);
  return (
    <>
      <PhaseSummary status={status} />
      {status.phase === 'key-ceremony-not-started' && isAdministrator(session) && (
        <StartCeremony onStarted={refresh} />
      )}
      {status.phase === 'key-ceremony-not-started' && isGuardian(session) && (
        <p>The administrator has not started the key ceremony yet. This page updates by itself.</p>
      )}
      {isGuardian(session) && status.phase !== 'key-ceremony-not-started' && (
        <section aria-labelledby="my-keys-heading" className="panel">
          <h3 id="my-keys-heading">Your keys, {session.official.displayName}</h3>
          {me === undefined ? (
            <p>You are not one of this election’s guardians.</p>
          ) : me.keysPublished ? (
            <p className="proof-ok">
              You have published your keys.
              {status.phase === 'key-ceremony' ? ' Waiting for the other guardians.' : ''}
            </p>
          ) : (
            <>
              <p>
                Publishing generates your secret polynomial on the server, sealed with the
                registry’s key (it is never shown or sent to this browser), and publishes its
                commitments with proofs that you know the secrets.
              </p>
              <ActionButton<PublishedKeys>
                label="Publish my keys"
                busyLabel="Generating and publishing…"
                action={() => callApi<PublishedKeys>('/api/ceremony/keys', { method: 'POST' })}
                done={(keys) =>
                  `Published ${keys.commitments.length} commitments as guardian ${keys.xCoordinate}.`
                }
                onDone={refresh}
              />
            </>
          )}
        </section>
      )}
      {status.phase !== 'key-ceremony-not-started' && (
        <section aria-labelledby="ceremony-progress-heading">
          <h3 id="ceremony-progress-heading" className="panel-subheading">
            Progress of the guardians
          </h3>
          <GuardianProgress status={status} show="keys" />
        </section>
      )}
      {status.jointKey !== undefined && <JointKey status={status} />}
    </>
  );
}

interface OfficialSummary {
  officialId: string;
  displayName: string;
  role: string;
  status: string;
}

function StartCeremony({ onStarted }: { onStarted: () => void }) {
  const [guardians, setGuardians] = useState<OfficialSummary[] | undefined>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [quorum, setQuorum] = useState(2);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void callApi<{ officials: OfficialSummary[] }>('/api/officials').then((result) => {
      if (!result.ok) {
        setProblem(result.problem);
        return;
      }
      const found = result.value.officials.filter(
        (o) => o.role === 'guardian' && o.status === 'active',
      );
      setGuardians(found);
      setChosen(found.map((o) => o.officialId));
      setQuorum(Math.max(1, Math.min(found.length, Math.floor(found.length / 2) + 1)));
    });
  }, []);
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const result = await callApi<BallotBoxStatus>('/api/ceremony', {
      body: { guardianIds: chosen, quorum },
    });
    setBusy(false);
    if (result.ok) onStarted();
    else setProblem(result.problem);
  };
  if (guardians === undefined) {
    return problem === undefined ? (
      <p role="status">Loading the guardians…</p>
    ) : (
      <ProblemMessage problem={problem} />
    );
  }
  return (
    <form
      className="panel"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="start-ceremony-heading"
    >
      <h3 id="start-ceremony-heading">Start the key ceremony</h3>
      {guardians.length === 0 ? (
        <p>
          There are no active officials with the guardian role. Create them first (vigil officials
          create --role guardian).
        </p>
      ) : (
        <fieldset>
          <legend>Guardians</legend>
          {guardians.map((g) => (
            <label key={g.officialId} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(g.officialId)}
                onChange={(event) => {
                  setChosen(
                    event.target.checked
                      ? [...chosen, g.officialId]
                      : chosen.filter((id) => id !== g.officialId),
                  );
                }}
              />
              {g.displayName} <code>{g.officialId}</code>
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Quorum (guardians needed to decrypt)
        <input
          type="number"
          min={1}
          max={Math.max(1, chosen.length)}
          value={quorum}
          onChange={(event) => {
            setQuorum(Number(event.target.value));
          }}
        />
        <span className="field-hint">
          Any {quorum} of the {chosen.length} chosen guardians can decrypt; fewer learn nothing.
        </span>
      </label>
      {problem !== undefined && <ProblemMessage problem={problem} />}
      <button type="submit" className="primary-action" disabled={busy || chosen.length === 0}>
        {busy ? 'Starting…' : 'Start the key ceremony'}
      </button>
    </form>
  );
}

function JointKey({ status }: { status: BallotBoxStatus }) {
  const [ceremony, setCeremony] = useState<CeremonyView | undefined>();
  useEffect(() => {
    void callApi<CeremonyView>('/api/ceremony').then((result) => {
      if (result.ok) setCeremony(result.value);
    });
  }, [status.jointKey]);
  return (
    <section aria-labelledby="joint-key-heading" className="panel">
      <h3 id="joint-key-heading">The joint election key</h3>
      <p className="proof-ok" role="status">
        The ceremony is complete: every guardian’s shares were checked against their commitments.
      </p>
      <dl className="facts">
        <div className="fact-wide">
          <dt>Joint public key K</dt>
          <dd>
            <code className="hash key-hex">{status.jointKey}</code>
          </dd>
        </div>
        {status.extendedBaseHash !== undefined && (
          <div className="fact-wide">
            <dt>Extended base hash H_E</dt>
            <dd>
              <code className="hash">{status.extendedBaseHash}</code>
            </dd>
          </div>
        )}
      </dl>
      {ceremony !== undefined && (
        <ul className="plain">
          {ceremony.guardians.map((g) => (
            <li key={g.guardianId}>
              Guardian {g.xCoordinate} (<code>{g.guardianId}</code>): {g.commitments.length}{' '}
              commitments, proofs {g.proofsValid ? 'valid' : 'INVALID'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
