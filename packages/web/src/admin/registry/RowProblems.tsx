import type { ShownProblem } from '../../api.ts';

/**
 * The problems of a refused roll file, one table row per problem with the file's row and
 * field, grouped in row order, so the registrar can correct the file line by line. The
 * server names them `row <n>.<field>` (registry.ts, `sendRollProblem`).
 */
export function RowProblems({ problems }: { problems: NonNullable<ShownProblem['problems']> }) {
  if (problems.length === 0) return null;
  const rows = problems
    .map((p) => {
      const m = /^row (\d+)\.(.*)$/.exec(p.path);
      return {
        row: m === null ? undefined : Number(m[1]),
        field: m === null ? p.path : (m[2] ?? ''),
        message: p.message,
      };
    })
    .sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return (
    <table className="row-problems">
      <caption>
        {problems.length} problem{problems.length === 1 ? '' : 's'} in the file, by row
      </caption>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">Field</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${String(r.row)}-${r.field}-${String(i)}`}>
            <th scope="row">{r.row === undefined || r.row === 0 ? 'file' : r.row}</th>
            <td>
              <code>{r.field}</code>
            </td>
            <td>{r.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
