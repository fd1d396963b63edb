import { useState, type SubmitEvent } from 'react';
import type {
  EnrolmentDashboard,
  EnrolmentVotersResponse,
  RollImportResponse,
  VoterSearchResponse,
} from '@vigil/server';
import { unreachable, type ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, SignInGate, type Session } from '../session.tsx';
import { share, useOfficialApi } from './registry/useOfficialApi.ts';
import { RowProblems } from './registry/RowProblems.tsx';

/**
 * The roll and enrolment, for registrars: import the voter roll (CSV, or NIST SP
 * 1500-102 voter-records-interchange JSON) with every problem named by row and field,
 * follow biometric enrolment precinct by precinct, and list or search the voters.
 */
export function RollPanel() {
  return (
    <div className="registry-admin">
      <h2>Roll and enrolment</h2>
      <SignInGate
        purpose="Sign in as a registrar to import the roll and follow enrolment."
        roles={['registrar']}
      >
        {(session) => <Roll session={session} />}
      </SignInGate>
    </div>
  );
}

function Roll({ session }: { session: Session }) {
  const enrolment = useOfficialApi<EnrolmentDashboard>('/api/dashboards/enrolment');
  // Each import counts, so the voter list starts again from its first page.
  const [imports, setImports] = useState(0);
  const { reload } = enrolment;
  return (
    <>
      <RollImport
        session={session}
        onImported={() => {
          reload();
          setImports((n) => n + 1);
        }}
      />
      <section aria-labelledby="roll-enrolment">
        <h3 id="roll-enrolment">Enrolment by precinct</h3>
        {enrolment.state?.status === 'loading' && <p role="status">Loading enrolment…</p>}
        {enrolment.state?.status === 'failed' && (
          <ProblemMessage problem={enrolment.state.problem} />
        )}
        {enrolment.state?.status === 'loaded' && (
          <EnrolmentTable dashboard={enrolment.state.value} />
        )}
      </section>
      {enrolment.state?.status === 'loaded' && (
        <VoterList key={imports} precincts={enrolment.state.value.byPrecinct} />
      )}
    </>
  );
}

type Format = 'csv' | 'vri';

/** The roll file goes as raw bytes: the server hashes exactly what it received. */
async function uploadRoll(
  token: string,
  file: File,
  format: Format,
): Promise<{ ok: true; value: RollImportResponse } | { ok: false; problem: ShownProblem }> {
  let response: Response;
  try {
    response = await fetch(`/api/roll/imports?format=${format}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, application/problem+json',
        'content-type': format === 'vri' ? 'application/json' : 'text/csv',
      },
      body: await file.arrayBuffer(),
    });
  } catch {
    return { ok: false, problem: unreachable('try again') };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, value: body as RollImportResponse };
  if (typeof body === 'object' && body !== null && 'title' in body && 'detail' in body) {
    return { ok: false, problem: body as ShownProblem };
  }
  return {
    ok: false,
    problem: {
      status: response.status,
      title: response.statusText || 'Import failed',
      detail: `The server answered ${response.status} without an explanation.`,
    },
  };
}

function RollImport({ session, onImported }: { session: Session; onImported: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [format, setFormat] = useState<Format>('csv');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<
    { ok: true; value: RollImportResponse } | { ok: false; problem: ShownProblem } | undefined
  >();
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (file === undefined) return;
    setBusy(true);
    setResult(undefined);
    const outcome = await uploadRoll(session.token, file, format);
    setBusy(false);
    setResult(outcome);
    if (outcome.ok) onImported();
  };
  return (
    <section aria-labelledby="roll-import">
      <h3 id="roll-import">Import the roll</h3>
      <form className="stacked-form" onSubmit={(e) => void submit(e)} aria-labelledby="roll-import">
        <label>
          Roll file
          <input
            type="file"
            name="roll"
            accept=".csv,.json,text/csv,application/json"
            required
            onChange={(e) => {
              const chosen = e.target.files?.[0];
              setFile(chosen);
              if (chosen !== undefined) setFormat(/\.json$/i.test(chosen.name) ? 'vri' : 'csv');
            }}
          />
          <span className="field-hint">
            A CSV file with a header row (voter_id, given_name, family_name, birth_date,
            address_line1, city, state, postal_code, precinct_id, …), or a NIST SP 1500-102
            VoterRecordsResponse in JSON. Nothing is stored unless every row is correct.
          </span>
        </label>
        <fieldset>
          <legend>Format</legend>
          <label className="inline">
            <input
              type="radio"
              name="format"
              value="csv"
              checked={format === 'csv'}
              onChange={() => {
                setFormat('csv');
              }}
            />{' '}
            CSV
          </label>
          <label className="inline">
            <input
              type="radio"
              name="format"
              value="vri"
              checked={format === 'vri'}
              onChange={() => {
                setFormat('vri');
              }}
            />{' '}
            NIST SP 1500-102 (JSON)
          </label>
        </fieldset>
        <button type="submit" disabled={busy || file === undefined}>
          {busy ? 'Importing…' : 'Import the roll'}
        </button>
      </form>
      <div aria-live="polite">
        {result?.ok === true && (
          <p role="status" className="success">
            Imported {result.value.rows} rows: {result.value.registered} voters registered,{' '}
            {result.value.updated} updated, {result.value.unchanged} unchanged. File SHA-256{' '}
            <code className="hash">{result.value.fileHash}</code> (recorded in the ledger).
          </p>
        )}
      </div>
      {result?.ok === false && (
        <>
          <ProblemMessage problem={{ ...result.problem, problems: [] }} />
          <RowProblems problems={result.problem.problems ?? []} />
        </>
      )}
    </section>
  );
}

function EnrolmentTable({ dashboard }: { dashboard: EnrolmentDashboard }) {
  const rows = dashboard.byPrecinct;
  if (rows.length === 0) return <p>The roll is empty: import it first.</p>;
  const total = rows.reduce(
    (t, p) => ({ registered: t.registered + p.registered, enrolled: t.enrolled + p.enrolled }),
    { registered: 0, enrolled: 0 },
  );
  return (
    <table>
      <caption>
        Voters with enrolled fingerprints, by precinct ({total.enrolled} of {total.registered}{' '}
        enrolled)
      </caption>
      <thead>
        <tr>
          <th scope="col">Precinct</th>
          <th scope="col">On the roll</th>
          <th scope="col">Enrolled</th>
          <th scope="col">Not enrolled</th>
          <th scope="col">Enrolled share</th>
          <th scope="col">Blocked as duplicates</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.precinctId}>
            <th scope="row">
              {p.name} <span className="muted">({p.precinctId})</span>
            </th>
            <td>{p.registered}</td>
            <td>{p.enrolled}</td>
            <td>{p.registered - p.enrolled}</td>
            <td>
              <span className="share-bar" aria-hidden="true">
                <span style={{ width: share(p.enrolled, p.registered).replace('–', '0%') }} />
              </span>{' '}
              {share(p.enrolled, p.registered)}
            </td>
            <td>{p.blockedAsDuplicates}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface ListedVoter {
  voterId: string;
  name: string;
  birthDate: string;
  precinctId: string;
  status: string;
  enrolled?: boolean;
}

function VoterList({ precincts }: { precincts: EnrolmentDashboard['byPrecinct'] }) {
  const [precinct, setPrecinct] = useState('');
  const [enrolled, setEnrolled] = useState<'' | 'yes' | 'no'>('');
  const [name, setName] = useState('');
  const [after, setAfter] = useState<string[]>([]);
  const [searched, setSearched] = useState<
    { ok: true; voters: ListedVoter[] } | { ok: false; problem: ShownProblem } | undefined
  >();
  const query = new URLSearchParams({
    limit: '25',
    ...(precinct === '' ? {} : { precinct }),
    ...(enrolled === '' ? {} : { enrolled }),
    ...(after.length === 0 ? {} : { after: after.at(-1) ?? '' }),
  });
  const list = useOfficialApi<EnrolmentVotersResponse>(
    searched === undefined ? `/api/dashboards/enrolment/voters?${query.toString()}` : undefined,
  );
  const search = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = name.trim();
    if (text === '') {
      setSearched(undefined);
      return;
    }
    const byId = /^[A-Za-z]*-?\d[\w-]*$/.test(text);
    const result = await callApi<VoterSearchResponse>(
      `/api/voters?${new URLSearchParams(byId ? { voterId: text } : { name: text, limit: '25' }).toString()}`,
    );
    setSearched(
      result.ok
        ? {
            ok: true,
            voters: result.value.voters.map((v) => ({
              voterId: v.voterId,
              name: `${v.givenName} ${v.familyName}`,
              birthDate: v.birthDate,
              precinctId: v.precinctId,
              status: v.status,
            })),
          }
        : { ok: false, problem: result.problem },
    );
  };
  const shown: ListedVoter[] | undefined =
    searched?.ok === true
      ? searched.voters
      : list.state?.status === 'loaded'
        ? list.state.value.voters.map((v) => ({
            voterId: v.voterId,
            name: `${v.givenName} ${v.familyName}`,
            birthDate: v.birthDate,
            precinctId: v.precinctId,
            status: v.status,
            enrolled: v.enrolled,
          }))
        : undefined;
  const next = list.state?.status === 'loaded' ? list.state.value.next : undefined;
  return (
    <section aria-labelledby="roll-voters">
      <h3 id="roll-voters">Voters</h3>
      <div className="filters">
        <label>
          Precinct
          <select
            value={precinct}
            onChange={(e) => {
              setPrecinct(e.target.value);
              setAfter([]);
              setSearched(undefined);
            }}
          >
            <option value="">All precincts</option>
            {precincts.map((p) => (
              <option key={p.precinctId} value={p.precinctId}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Enrolment
          <select
            value={enrolled}
            onChange={(e) => {
              setEnrolled(e.target.value as '' | 'yes' | 'no');
              setAfter([]);
              setSearched(undefined);
            }}
          >
            <option value="">Enrolled or not</option>
            <option value="yes">Enrolled</option>
            <option value="no">Not enrolled</option>
          </select>
        </label>
        <form role="search" aria-label="Search voters" onSubmit={(e) => void search(e)}>
          <label>
            Name or voter id
            <input
              type="search"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
              }}
            />
          </label>
          <button type="submit">Search</button>
        </form>
      </div>
      {searched?.ok === false && <ProblemMessage problem={searched.problem} />}
      {list.state?.status === 'failed' && searched === undefined && (
        <ProblemMessage problem={list.state.problem} />
      )}
      {shown !== undefined && (
        <div aria-live="polite">
          {shown.length === 0 ? (
            <p>No voter matches.</p>
          ) : (
            <table>
              <caption>
                {searched === undefined
                  ? 'Voters on the roll, by voter id'
                  : `Voters matching "${name.trim()}"`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Voter id</th>
                  <th scope="col">Name</th>
                  <th scope="col">Date of birth</th>
                  <th scope="col">Precinct</th>
                  <th scope="col">Status</th>
                  {searched === undefined && <th scope="col">Enrolled</th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((v) => (
                  <tr key={v.voterId}>
                    <th scope="row">{v.voterId}</th>
                    <td>{v.name}</td>
                    <td>{v.birthDate}</td>
                    <td>{v.precinctId}</td>
                    <td>{v.status}</td>
                    {searched === undefined && <td>{v.enrolled === true ? 'Yes' : 'No'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {searched === undefined && (
        <p className="pager">
          <button
            type="button"
            disabled={after.length === 0}
            onClick={() => {
              setAfter(after.slice(0, -1));
            }}
          >
            Previous page
          </button>{' '}
          <button
            type="button"
            disabled={next === undefined}
            onClick={() => {
              if (next !== undefined) setAfter([...after, next]);
            }}
          >
            Next page
          </button>
        </p>
      )}
      {searched !== undefined && (
        <p>
          <button
            type="button"
            onClick={() => {
              setSearched(undefined);
              setName('');
            }}
          >
            Back to the list
          </button>
        </p>
      )}
    </section>
  );
}
