import { useCallback, useEffect, useId, useState } from 'react';
import type {
  DemoVoterListResponse,
  ElectionDetailResponse,
  RegistryInfoResponse,
  StationVoter,
} from '@vigil/server';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, type Session } from '../session.tsx';
import { useApi } from '../useApi.ts';
import { CheckInPanel, type CheckedIn } from './CheckInPanel.tsx';
import { CredentialSlip } from './CredentialSlip.tsx';
import { ProvisionalBallot } from './ProvisionalBallot.tsx';
import { VoterSearch } from './VoterSearch.tsx';

type Desk =
  | { kind: 'search' }
  | { kind: 'voter'; voter: StationVoter }
  | { kind: 'checked-in'; done: CheckedIn }
  | { kind: 'provisional'; claimedVoterId?: string; reason: string };

/** How often the demo voter list is read again while the demo is still enrolling. */
const DEMO_REFRESH_MS = 5_000;

/**
 * The demo voter list when this server runs the demo (undefined otherwise, or until
 * known), read again while the background enrolment goes on.
 */
function useDemoVoters(): DemoVoterListResponse | undefined {
  const [demo, setDemo] = useState<DemoVoterListResponse | undefined>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const result = await callApi<DemoVoterListResponse>('/api/demo/voters');
      if (!live || !result.ok) return;
      setDemo(result.value);
      if (result.value.enrolling) timer = setTimeout(() => void load(), DEMO_REFRESH_MS);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return demo;
}

/**
 * The poll worker's desk: find the voter, confirm who they are, check them in, and hand
 * over the ballot credential; then forget it and take the next voter.
 */
export function StationDesk({ session }: { session: Session }) {
  const [desk, setDesk] = useState<Desk>({ kind: 'search' });
  const registry = useApi<RegistryInfoResponse>('/api/registry');
  const election = useApi<ElectionDetailResponse>('/api/elections/current');
  const demo = useDemoVoters();
  const pollingPlace = session.station?.pollingPlace;

  const precinctName = useCallback(
    (id: string) => {
      if (election.status !== 'loaded') return id;
      const precinct = election.value.election.precincts.find((p) => p.id === id);
      return precinct === undefined ? id : `${precinct.name} (${id})`;
    },
    [election],
  );
  const next = () => {
    setDesk({ kind: 'search' });
  };

  if (registry.status === 'failed') return <ProblemMessage problem={registry.problem} />;
  if (registry.status === 'loading') return <p role="status">Connecting to the registry…</p>;

  switch (desk.kind) {
    case 'search':
      return (
        <>
          {pollingPlace !== undefined && (
            <p className="station-place">
              This station serves <strong>{precinctName(pollingPlace)}</strong>.
            </p>
          )}
          <VoterSearch
            demo={demo}
            precinctName={precinctName}
            onSelect={(voter) => {
              setDesk({ kind: 'voter', voter });
            }}
            onNotOnRoll={() => {
              setDesk({ kind: 'provisional', reason: 'Not found on the roll.' });
            }}
          />
        </>
      );
    case 'voter':
      return (
        <>
          <VoterRecord
            voter={desk.voter}
            precinctName={precinctName}
            pollingPlace={pollingPlace}
            onBack={next}
          />
          <CheckInPanel
            key={desk.voter.voterId}
            voter={desk.voter}
            registry={registry.value}
            demo={demo}
            sessionToken={session.token}
            onCheckedIn={(done) => {
              setDesk({ kind: 'checked-in', done });
            }}
            onProvisional={(reason) => {
              setDesk({ kind: 'provisional', claimedVoterId: desk.voter.voterId, reason });
            }}
          />
        </>
      );
    case 'checked-in':
      return (
        <CredentialSlip
          credential={desk.done.credential}
          method={desk.done.method}
          {...(desk.done.score === undefined ? {} : { score: desk.done.score })}
          onNext={next}
        />
      );
    case 'provisional':
      return (
        <ProvisionalBallot
          {...(desk.claimedVoterId === undefined ? {} : { claimedVoterId: desk.claimedVoterId })}
          reason={desk.reason}
          onDone={next}
        />
      );
  }
}

/** The voter's record as the roll has it, with what stands in the way of a check-in. */
function VoterRecord({
  voter,
  precinctName,
  pollingPlace,
  onBack,
}: {
  voter: StationVoter;
  precinctName: (id: string) => string;
  pollingPlace: string | undefined;
  onBack: () => void;
}) {
  const headingId = useId();
  const address = [
    voter.address.line1,
    voter.address.line2,
    voter.address.city,
    voter.address.state,
    voter.address.postalCode,
  ]
    .filter((part) => part !== undefined && part !== '')
    .join(', ');
  const elsewhere = pollingPlace !== undefined && voter.precinctId !== pollingPlace;
  return (
    <section className="station-step voter-record" aria-labelledby={headingId}>
      <h2 id={headingId} tabIndex={-1}>
        {voter.givenName} {voter.middleName === undefined ? '' : `${voter.middleName} `}
        {voter.familyName}
      </h2>
      <dl className="facts">
        <div>
          <dt>Voter id</dt>
          <dd>{voter.voterId}</dd>
        </div>
        <div>
          <dt>Born</dt>
          <dd>{voter.birthDate}</dd>
        </div>
        <div className="fact-wide">
          <dt>Address</dt>
          <dd>{address}</dd>
        </div>
        <div>
          <dt>Precinct</dt>
          <dd>{precinctName(voter.precinctId)}</dd>
        </div>
        <div>
          <dt>Ballot style</dt>
          <dd>{voter.ballotStyleId}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{voter.status}</dd>
        </div>
      </dl>
      {voter.status !== 'active' && (
        <p className="notice">
          This registration is {voter.status}: the voter cannot check in normally; offer a
          provisional ballot.
        </p>
      )}
      {voter.blockedAsDuplicateOf !== undefined && (
        <p className="notice">
          This record is blocked as a duplicate of {voter.blockedAsDuplicateOf}; offer a provisional
          ballot.
        </p>
      )}
      {elsewhere && (
        <p className="notice">
          Registered in {precinctName(voter.precinctId)}, not at this polling place. A check-in here
          will be refused with where to go.
        </p>
      )}
      <button type="button" className="link-button no-print" onClick={onBack}>
        Back to the search
      </button>
    </section>
  );
}
