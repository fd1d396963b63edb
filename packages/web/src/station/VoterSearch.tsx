import { useId, useState, type SubmitEvent } from 'react';
import type {
  DemoVoterListResponse,
  StationVoter,
  StationVoterSearchResponse,
} from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi } from '../session.tsx';

type SearchBy = 'name' | 'voterId' | 'barcode';

const LABELS: Readonly<Record<SearchBy, string>> = {
  name: 'Name',
  voterId: 'Voter id',
  barcode: 'ID card barcode',
};

/**
 * Finding the voter on the roll: by name (typo-tolerant), by voter id, or by the text a
 * barcode reader returns from the PDF417 barcode of a driver's licence or ID card.
 */
export function VoterSearch({
  demo,
  precinctName,
  onSelect,
  onNotOnRoll,
}: {
  demo: DemoVoterListResponse | undefined;
  precinctName: (id: string) => string;
  onSelect: (voter: StationVoter) => void;
  onNotOnRoll: () => void;
}) {
  const [by, setBy] = useState<SearchBy>('name');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [results, setResults] = useState<StationVoter[] | undefined>();
  const headingId = useId();

  const search = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const query = text.trim();
    if (query === '') return;
    setBusy(true);
    setProblem(undefined);
    const found =
      by === 'barcode'
        ? await callApi<StationVoterSearchResponse>('/api/voters/barcode-search', {
            body: { payload: text },
          })
        : await callApi<StationVoterSearchResponse>(
            `/api/voters?${new URLSearchParams({ [by]: query, limit: '20' }).toString()}`,
          );
    setBusy(false);
    if (found.ok) setResults(found.value.voters);
    else {
      setResults(undefined);
      setProblem(found.problem);
    }
  };

  return (
    <section className="station-step" aria-labelledby={headingId}>
      <h2 id={headingId}>Find the voter</h2>
      <form className="station-form" aria-label="Find the voter" onSubmit={(e) => void search(e)}>
        <fieldset className="choice-row">
          <legend>Search by</legend>
          {(Object.keys(LABELS) as SearchBy[]).map((key) => (
            <label key={key} className="choice">
              <input
                type="radio"
                name="searchBy"
                value={key}
                checked={by === key}
                onChange={() => {
                  setBy(key);
                  setText('');
                  setResults(undefined);
                }}
              />
              {LABELS[key]}
            </label>
          ))}
        </fieldset>
        {by === 'barcode' ? (
          <label>
            ID card barcode text
            <textarea
              name="barcode"
              rows={3}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
              }}
            />
            <span className="field-hint">
              Scan the barcode on the back of the driver&apos;s licence or ID card into this box.
            </span>
          </label>
        ) : (
          <label>
            {LABELS[by]}
            <input
              name={by}
              autoComplete="off"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
              }}
            />
          </label>
        )}
        {by === 'barcode' && demo !== undefined && (
          <label className="demo-device">
            Demo ID card (synthetic)
            <select
              value=""
              onChange={(e) => {
                const card = demo.voters.find((v) => v.voterId === e.target.value);
                if (card !== undefined) setText(card.idCardBarcode);
              }}
            >
              <option value="">Present the ID card of…</option>
              {demo.voters.map((v) => (
                <option key={v.voterId} value={v.voterId}>
                  {v.name} ({v.voterId})
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {problem !== undefined && <ProblemMessage problem={problem} />}
      {results !== undefined && (
        <div className="search-results">
          <p role="status">
            {results.length === 0
              ? 'No voter on the roll matches.'
              : `${results.length} voter${results.length === 1 ? '' : 's'} found.`}
          </p>
          {results.length > 0 && (
            <ul className="plain voter-hits">
              {results.map((v) => (
                <li key={v.voterId}>
                  <button
                    type="button"
                    className="voter-hit"
                    onClick={() => {
                      onSelect(v);
                    }}
                  >
                    <strong>
                      {v.givenName} {v.familyName}
                    </strong>{' '}
                    <span>
                      {v.voterId} · born {v.birthDate} · {precinctName(v.precinctId)}
                      {v.status === 'active' ? '' : ` · ${v.status}`}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {results.length === 0 && (
            <p>
              Check the spelling or search another way. A person who is not on the roll can vote a
              provisional ballot.{' '}
              <button type="button" className="secondary" onClick={onNotOnRoll}>
                Provisional ballot
              </button>
            </p>
          )}
        </div>
      )}
    </section>
  );
}
