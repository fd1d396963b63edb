import type { ShownProblem } from './api.ts';

/** A failed request, told in the server's own words (RFC 9457 problem details). */
export function ProblemMessage({ problem }: { problem: ShownProblem }) {
  return (
    <div className="problem" role="alert">
      <h2>{problem.title}</h2>
      <p>{problem.detail}</p>
      {problem.hint !== undefined && <p className="problem-hint">{problem.hint}</p>}
      {problem.problems !== undefined && problem.problems.length > 0 && (
        <ul>
          {problem.problems.map((p) => (
            <li key={`${p.path}: ${p.message}`}>
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId !== undefined && (
        <p className="problem-meta">
          Request id <code>{problem.requestId}</code>
          {problem.status !== undefined && <> · HTTP {problem.status}</>}
        </p>
      )}
    </div>
  );
}
