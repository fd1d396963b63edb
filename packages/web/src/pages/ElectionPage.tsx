import type {
  BallotStyle,
  Candidate,
  Contest,
  District,
  Election,
  Party,
  Precinct,
} from '@vigil/core';
import type { ElectionDetailResponse } from '@vigil/server';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { useApi } from '../useApi.ts';

/**
 * The election definition in use: what every ballot, tabulator and audit must agree on,
 * shown so that officials and observers can check it, with the hash that identifies it.
 */
export function ElectionPage() {
  const state = useApi<ElectionDetailResponse>('/api/elections/current');
  // One heading element throughout, so that focus moved to it survives the load.
  return (
    <>
      <h1 tabIndex={-1}>{state.status === 'loaded' ? state.value.election.title : 'Election'}</h1>
      {state.status === 'loading' && <p role="status">Loading the election definition…</p>}
      {state.status === 'failed' && <ProblemMessage problem={state.problem} />}
      {state.status === 'loaded' && <ElectionDefinition detail={state.value} />}
    </>
  );
}

/** Lookups by id, built once per render of a definition. */
interface Names {
  district(id: string): string;
  party(id: string): Party | undefined;
  precinct(id: string): Precinct | undefined;
  contest(id: string): Contest | undefined;
}

function namesOf(election: Election): Names {
  const districts = new Map<string, District>(election.districts.map((d) => [d.id, d]));
  const parties = new Map<string, Party>(election.parties.map((p) => [p.id, p]));
  const precincts = new Map<string, Precinct>(election.precincts.map((p) => [p.id, p]));
  const contests = new Map<string, Contest>(election.contests.map((c) => [c.id, c]));
  return {
    district: (id) => districts.get(id)?.name ?? id,
    party: (id) => parties.get(id),
    precinct: (id) => precincts.get(id),
    contest: (id) => contests.get(id),
  };
}

const dateFormat = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'full',
  timeZone: 'UTC',
});
const instantFormat = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
});

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function ElectionDefinition({ detail }: { detail: ElectionDetailResponse }) {
  const { election } = detail;
  const names = namesOf(election);
  return (
    <>
      <p className="lede">
        {election.jurisdiction.name}, {election.jurisdiction.state} ·{' '}
        <time dateTime={election.date}>
          {dateFormat.format(new Date(`${election.date}T00:00:00Z`))}
        </time>
      </p>

      <section aria-labelledby="overview-heading" className="panel">
        <h2 id="overview-heading">Definition</h2>
        <dl className="facts">
          <div>
            <dt>Election day</dt>
            <dd>
              <time dateTime={election.date}>{election.date}</time>
            </dd>
          </div>
          <div>
            <dt>Jurisdiction</dt>
            <dd>
              {election.jurisdiction.name}, {election.jurisdiction.state}
            </dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>{capitalise(election.type)} election</dd>
          </div>
          <div>
            <dt>Election id</dt>
            <dd>
              <code>{election.id}</code>
            </dd>
          </div>
          <div>
            <dt>Loaded</dt>
            <dd>
              <time dateTime={detail.loadedAt}>
                {instantFormat.format(new Date(detail.loadedAt))}
              </time>
            </dd>
          </div>
          <div>
            <dt>Contents</dt>
            <dd>
              {election.contests.length} contests, {election.precincts.length} precincts,{' '}
              {election.ballotStyles.length} ballot styles
            </dd>
          </div>
          <div className="fact-wide">
            <dt>Definition hash (SHA-256 of the exact bytes loaded)</dt>
            <dd>
              <code className="hash">{detail.hash}</code>
            </dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="contests-heading">
        <h2 id="contests-heading">Contests</h2>
        <div className="contests">
          {election.contests.map((contest) => (
            <ContestCard key={contest.id} contest={contest} names={names} />
          ))}
        </div>
      </section>

      <section aria-labelledby="precincts-heading">
        <h2 id="precincts-heading">Precincts</h2>
        <PrecinctTable precincts={election.precincts} names={names} />
      </section>

      <section aria-labelledby="ballot-styles-heading">
        <h2 id="ballot-styles-heading">Ballot styles</h2>
        <BallotStyleTable ballotStyles={election.ballotStyles} names={names} />
      </section>
    </>
  );
}

function contestRule(contest: Contest): string {
  switch (contest.type) {
    case 'candidate':
      return contest.voteFor === 1 ? 'Vote for 1' : `Vote for up to ${contest.voteFor}`;
    case 'ranked-choice':
      return `Ranked choice: rank up to ${contest.ranks} candidates`;
    case 'yesno':
      return 'Yes/no measure';
  }
}

function ContestCard({ contest, names }: { contest: Contest; names: Names }) {
  const headingId = `contest-${contest.id}`;
  const primaryParty =
    contest.type !== 'yesno' && contest.partyId !== undefined
      ? names.party(contest.partyId)
      : undefined;
  return (
    <article className="contest" aria-labelledby={headingId}>
      <h3 id={headingId}>{contest.title}</h3>
      <p className="contest-meta">
        <span>{names.district(contest.districtId)}</span>
        <span className="rule">{contestRule(contest)}</span>
        {primaryParty !== undefined && <span>{primaryParty.name} primary</span>}
      </p>
      {contest.type === 'yesno' ? (
        <>
          <p className="measure">{contest.description}</p>
          <ul className="choices" aria-label={`Choices for ${contest.title}`}>
            <li>{contest.yesOption.label}</li>
            <li>{contest.noOption.label}</li>
          </ul>
        </>
      ) : (
        <ul className="choices" aria-label={`Candidates for ${contest.title}`}>
          {contest.candidates.map((candidate) => (
            <CandidateItem key={candidate.id} candidate={candidate} names={names} />
          ))}
          {Array.from({ length: contest.writeInLines }, (_, i) => (
            <li key={`write-in-${i}`} className="write-in">
              Write-in
              {contest.writeInLines > 1 && <span className="visually-hidden"> line {i + 1}</span>}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function CandidateItem({ candidate, names }: { candidate: Candidate; names: Names }) {
  const parties = candidate.partyIds.map((id) => names.party(id)?.name ?? id);
  return (
    <li>
      <span className="candidate">{candidate.name}</span>
      {parties.length > 0 && <span className="party">{parties.join(', ')}</span>}
    </li>
  );
}

function DistrictList({ ids, names }: { ids: readonly string[]; names: Names }) {
  return <>{ids.map((id) => names.district(id)).join(', ')}</>;
}

function PrecinctTable({ precincts, names }: { precincts: readonly Precinct[]; names: Names }) {
  return (
    <table>
      <caption>
        The {precincts.length} precincts, and the splits where district lines cut a precinct
      </caption>
      <thead>
        <tr>
          <th scope="col">Precinct</th>
          <th scope="col">Split</th>
          <th scope="col">Districts</th>
        </tr>
      </thead>
      {precincts.map((precinct) =>
        'splits' in precinct ? (
          <tbody key={precinct.id}>
            {precinct.splits.map((split, i) => (
              <tr key={split.id}>
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={precinct.splits.length}>
                    {precinct.name}
                  </th>
                )}
                <td>{split.name}</td>
                <td>
                  <DistrictList ids={split.districtIds} names={names} />
                </td>
              </tr>
            ))}
          </tbody>
        ) : (
          <tbody key={precinct.id}>
            <tr>
              <th scope="row">{precinct.name}</th>
              <td className="muted">Not split</td>
              <td>
                <DistrictList ids={precinct.districtIds} names={names} />
              </td>
            </tr>
          </tbody>
        ),
      )}
    </table>
  );
}

function whereUsed(style: BallotStyle, names: Names): string[] {
  return style.precincts.map(({ precinctId, splitId }) => {
    const precinct = names.precinct(precinctId);
    if (precinct === undefined) return precinctId;
    if (splitId === undefined || !('splits' in precinct)) return precinct.name;
    const split = precinct.splits.find((s) => s.id === splitId);
    return `${precinct.name}: ${split?.name ?? splitId}`;
  });
}

function BallotStyleTable({
  ballotStyles,
  names,
}: {
  ballotStyles: readonly BallotStyle[];
  names: Names;
}) {
  const anyParty = ballotStyles.some((style) => style.partyId !== undefined);
  return (
    <table>
      <caption>
        The {ballotStyles.length} ballot styles: where each is used and its contests in ballot order
      </caption>
      <thead>
        <tr>
          <th scope="col">Ballot style</th>
          {anyParty && <th scope="col">Party</th>}
          <th scope="col">Precincts and splits</th>
          <th scope="col">Contests</th>
        </tr>
      </thead>
      <tbody>
        {ballotStyles.map((style) => (
          <tr key={style.id}>
            <th scope="row">
              <code>{style.id}</code>
            </th>
            {anyParty && (
              <td>
                {style.partyId === undefined
                  ? 'Nonpartisan'
                  : (names.party(style.partyId)?.name ?? style.partyId)}
              </td>
            )}
            <td>
              <ul className="plain">
                {whereUsed(style, names).map((where) => (
                  <li key={where}>{where}</li>
                ))}
              </ul>
            </td>
            <td>
              <ol className="ballot-order">
                {style.contestIds.map((id) => (
                  <li key={id}>{names.contest(id)?.title ?? id}</li>
                ))}
              </ol>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
