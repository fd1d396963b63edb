import { useEffect, useState } from 'react';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { fetchText } from './fetch-text.ts';
import {
  cosignatureTime,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  toHex,
  verifyNoteSignature,
  type CheckpointBody,
  type NoteSignatureLine,
} from './proof.ts';

interface Head {
  readonly note: string;
  readonly body: CheckpointBody;
  readonly logSignatureValid: boolean;
  readonly logName: string | undefined;
  readonly others: readonly NoteSignatureLine[];
}

async function loadHead(
  signal: AbortSignal,
): Promise<{ ok: true; head: Head } | { ok: false; problem: ShownProblem }> {
  const [checkpoint, vkey] = await Promise.all([
    fetchText('/api/ledger/checkpoint', signal),
    fetchText('/api/ledger/key', signal),
  ]);
  if (!checkpoint.ok) return { ok: false, problem: checkpoint.problem };
  const note = parseSignedNote(checkpoint.value);
  const body = note === undefined ? undefined : parseCheckpointBody(note.text);
  if (note === undefined || body === undefined) {
    return {
      ok: false,
      problem: {
        title: 'The checkpoint could not be read',
        detail:
          'The server’s checkpoint is not a C2SP signed note with an origin, a size and a root.',
      },
    };
  }
  const key = vkey.ok ? parseVerifierKey(vkey.value) : undefined;
  const own = note.signatures.find((s) => s.name === key?.name && s.keyId === key.keyId);
  const logSignatureValid =
    key !== undefined && own !== undefined && (await verifyNoteSignature(note.text, key, own));
  return {
    ok: true,
    head: {
      note: checkpoint.value,
      body,
      logSignatureValid,
      logName: key?.name,
      others: note.signatures.filter((s) => s !== own),
    },
  };
}

const timeFormat = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/**
 * The ledger's latest signed tree head (c2sp.org/tlog-checkpoint), the log's signature
 * checked here against its published key, and the witnesses' cosignatures
 * (c2sp.org/tlog-cosignature) with the time each witness says it saw the head.
 */
export function TreeHead() {
  const [state, setState] = useState<
    { ok: true; head: Head } | { ok: false; problem: ShownProblem } | undefined
  >();
  useEffect(() => {
    const controller = new AbortController();
    loadHead(controller.signal).then(setState, () => undefined);
    return () => {
      controller.abort();
    };
  }, []);
  return (
    <section aria-labelledby="tree-head-heading">
      <h2 id="tree-head-heading">The ledger’s signed tree head</h2>
      {state === undefined && <p role="status">Loading the signed checkpoint…</p>}
      {state?.ok === false && <ProblemMessage problem={state.problem} />}
      {state?.ok === true && (
        <>
          <dl className="facts">
            <div>
              <dt>Log</dt>
              <dd>
                <code>{state.head.body.origin}</code>
              </dd>
            </div>
            <div>
              <dt>Tree size</dt>
              <dd>{state.head.body.size} entries</dd>
            </div>
            <div>
              <dt>Log signature</dt>
              <dd className={state.head.logSignatureValid ? 'proof-ok' : 'proof-fail'}>
                {state.head.logSignatureValid
                  ? `Valid Ed25519 signature by ${state.head.logName ?? 'the log'} (checked in this browser)`
                  : 'Not verified against the log’s published key'}
              </dd>
            </div>
            <div className="fact-wide">
              <dt>Root hash (SHA-256, RFC 9162)</dt>
              <dd>
                <code className="hash">{toHex(state.head.body.root)}</code>
              </dd>
            </div>
          </dl>
          <h3 className="bulletin-subheading">Witness cosignatures</h3>
          {state.head.others.length === 0 ? (
            <p>No witness has cosigned this checkpoint yet.</p>
          ) : (
            <table>
              <caption>
                Witnesses that saw this tree head and vouch it is consistent with every earlier one
                they saw
              </caption>
              <thead>
                <tr>
                  <th scope="col">Witness</th>
                  <th scope="col">Key id</th>
                  <th scope="col">Cosigned at (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {state.head.others.map((s) => {
                  const time = cosignatureTime(s);
                  return (
                    <tr key={`${s.name}-${s.keyId}`}>
                      <th scope="row">
                        <code>{s.name}</code>
                      </th>
                      <td>
                        <code>{s.keyId.toString(16).padStart(8, '0')}</code>
                      </td>
                      <td>
                        {time === undefined
                          ? 'Not a timestamped cosignature'
                          : timeFormat.format(time)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <details>
            <summary>The signed note as served</summary>
            <pre className="note-text">{state.head.note}</pre>
          </details>
        </>
      )}
    </section>
  );
}
