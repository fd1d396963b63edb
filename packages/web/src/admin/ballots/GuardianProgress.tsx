import type { BallotBoxStatus } from './ballot-box-api.ts';
import { PHASE_WORDS } from './useBallotBoxStatus.ts';

/** The election's phase, in words, with the counts officials watch. */
export function PhaseSummary({ status }: { status: BallotBoxStatus }) {
  return (
    <dl className="facts">
      <div>
        <dt>Phase</dt>
        <dd>
          <strong className="phase" data-phase={status.phase}>
            {PHASE_WORDS[status.phase]}
          </strong>
        </dd>
      </div>
      <div>
        <dt>Guardians and quorum</dt>
        <dd>
          {status.numberOfGuardians === 0
            ? 'Not chosen yet'
            : `${status.quorum} of ${status.numberOfGuardians} needed to decrypt`}
        </dd>
      </div>
      <div>
        <dt>Ballots</dt>
        <dd>
          {status.castCount} cast, {status.challengedCount} challenged
        </dd>
      </div>
    </dl>
  );
}

/**
 * Each guardian's part so far: keys published in the ceremony, decryption share released
 * after the tally. `show` picks the column the panel is about.
 */
export function GuardianProgress({
  status,
  show,
}: {
  status: BallotBoxStatus;
  show: 'keys' | 'shares';
}) {
  if (status.guardians.length === 0) return <p>No guardians have been chosen yet.</p>;
  const done = status.guardians.filter((g) =>
    show === 'keys' ? g.keysPublished : g.shareReleased,
  ).length;
  const needed = show === 'keys' ? status.guardians.length : status.quorum;
  return (
    <>
      <p role="status" className="progress-line">
        {show === 'keys'
          ? `${done} of ${needed} guardians have published their keys.`
          : `${done} of ${status.guardians.length} guardians have released their decryption share; ${needed} are needed.`}
      </p>
      <progress
        max={needed}
        value={Math.min(done, needed)}
        aria-label={show === 'keys' ? 'Keys published' : 'Decryption shares released'}
      />
      <table>
        <caption>
          {show === 'keys' ? 'Guardians in the key ceremony' : 'Guardians’ decryption shares'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Guardian</th>
            <th scope="col">Sequence (x)</th>
            <th scope="col">{show === 'keys' ? 'Keys' : 'Decryption share'}</th>
          </tr>
        </thead>
        <tbody>
          {status.guardians.map((g) => {
            const ok = show === 'keys' ? g.keysPublished : g.shareReleased;
            return (
              <tr key={g.guardianId}>
                <th scope="row">
                  {g.displayName} <code>{g.guardianId}</code>
                </th>
                <td>{g.xCoordinate}</td>
                <td className={ok ? 'proof-ok' : 'muted'}>
                  {ok ? (show === 'keys' ? 'Published' : 'Released') : 'Waiting'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
