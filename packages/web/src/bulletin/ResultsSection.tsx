import type { ContestResult, ElectionResults } from '../admin/ballots/ballot-box-api.ts';

/** Chart geometry (SVG user units): a label line above each bar, bars across the width. */
const LABEL_LINE = 22;
const BAR_HEIGHT = 20;
const GAP = 12;
const CHART_WIDTH = 480;
const VALUE_SPACE = 56;

function percent(votes: number, total: number): string {
  return total === 0 ? '0%' : `${((100 * votes) / total).toFixed(1)}%`;
}

/**
 * One contest's result: a bar chart (inline SVG, named as an image with its numbers in
 * words for screen readers) and the same numbers as a table, which is what assistive
 * technology and printouts read.
 */
function ContestChart({ contest }: { contest: ContestResult }) {
  const total = contest.options.reduce((n, o) => n + o.votes, 0);
  const most = Math.max(1, ...contest.options.map((o) => o.votes));
  const row = LABEL_LINE + BAR_HEIGHT + GAP;
  const height = contest.options.length * row;
  const barSpace = CHART_WIDTH - VALUE_SPACE;
  const id = `result-${contest.contestId}`;
  const words = contest.options.map((o) => `${o.label}: ${o.votes} votes`).join('; ');
  return (
    <article className="result" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{contest.title}</h3>
      <svg
        className="result-chart"
        role="img"
        aria-label={`Bar chart of ${contest.title}. ${words}.`}
        viewBox={`0 0 ${CHART_WIDTH} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        {contest.options.map((option, i) => {
          const y = i * row;
          const width = Math.max(2, (barSpace * option.votes) / most);
          return (
            <g key={option.optionId}>
              <text x={0} y={y + 16} className="result-label">
                {option.label}
              </text>
              <rect
                x={0}
                y={y + LABEL_LINE}
                width={width}
                height={BAR_HEIGHT}
                className="result-bar"
                rx={3}
              />
              <text x={width + 8} y={y + LABEL_LINE + 15} className="result-value">
                {option.votes}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="result-table">
        <caption>
          Votes in {contest.title}
          {contest.type === 'ranked-choice' ? ' (first choices)' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Choice</th>
            <th scope="col">Votes</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {contest.options.map((option) => (
            <tr key={option.optionId}>
              <th scope="row">{option.label}</th>
              <td>{option.votes}</td>
              <td>{percent(option.votes, total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {contest.ranked !== undefined && <RankedRounds contest={contest} ranked={contest.ranked} />}
    </article>
  );
}

/** Instant-runoff rounds, counted from the voter-verified paper records. */
function RankedRounds({
  contest,
  ranked,
}: {
  contest: ContestResult;
  ranked: NonNullable<ContestResult['ranked']>;
}) {
  const label = (id: string) => contest.options.find((o) => o.optionId === id)?.label ?? id;
  return (
    <>
      <p>
        Instant runoff over {ranked.ballots} ranked ballots (counted from the paper ballot records):{' '}
        <strong>{ranked.winner === null ? 'no winner' : `${label(ranked.winner)} wins`}</strong>.
      </p>
      <table className="result-table">
        <caption>Rounds of the instant runoff for {contest.title}</caption>
        <thead>
          <tr>
            <th scope="col">Round</th>
            <th scope="col">Votes of the continuing candidates</th>
            <th scope="col">Exhausted</th>
            <th scope="col">Eliminated</th>
          </tr>
        </thead>
        <tbody>
          {ranked.rounds.map((round) => (
            <tr key={round.round}>
              <th scope="row">{round.round}</th>
              <td>
                {Object.entries(round.votes)
                  .map(([id, votes]) => `${label(id)} ${votes}`)
                  .join(', ')}
              </td>
              <td>{round.exhausted}</td>
              <td>
                {round.eliminated.length === 0 ? '—' : round.eliminated.map(label).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function ResultsSection({ results }: { results: ElectionResults }) {
  return (
    <>
      <p>
        {results.castCount} ballots cast. Totals come from the decrypted encrypted tally; anyone can
        check them with the election record below.
      </p>
      <div className="results">
        {results.contests.map((contest) => (
          <ContestChart key={contest.contestId} contest={contest} />
        ))}
      </div>
    </>
  );
}
