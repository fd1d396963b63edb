import { useEffect, useState } from 'react';
import type { BulletinBallot } from '../admin/ballots/ballot-box-api.ts';
import {
  entryBytes,
  fromHex,
  leafHash,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  rootFromInclusionProof,
  toHex,
  verifyNoteSignature,
  type ProofStep,
} from './proof.ts';
import { fetchText } from './fetch-text.ts';

/** What the browser found, check by check. */
interface Check {
  readonly title: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface Verification {
  readonly checks: readonly Check[];
  readonly steps: readonly ProofStep[];
  readonly ok: boolean;
}

/**
 * Recomputes everything the server claims about the ballot's place in the ledger: the
 * leaf hash from the entry, the root from the inclusion proof (RFC 9162 §2.1.3.2), the
 * checkpoint's size and root, and the log's signature on the checkpoint.
 */
async function verifyBallot(ballot: BulletinBallot): Promise<Verification> {
  const checks: Check[] = [];
  const add = (title: string, ok: boolean, detail: string) => checks.push({ title, ok, detail });

  const entryHasCode = JSON.stringify(ballot.ledger.entry).includes(ballot.confirmationCode);
  add(
    'The ledger entry names this confirmation code',
    entryHasCode,
    entryHasCode
      ? `Entry ${ballot.ledger.index} carries the code among its subjects.`
      : `Entry ${ballot.ledger.index} does not mention the code: it is not this ballot's entry.`,
  );

  const leaf = await leafHash(entryBytes(ballot.ledger.entry));
  const leafOk = toHex(leaf) === ballot.ledger.leafHash.toLowerCase();
  add(
    'Leaf hash recomputed: SHA-256(0x00 ‖ entry)',
    leafOk,
    leafOk
      ? `${toHex(leaf)} (equal to the server's)`
      : `${toHex(leaf)}, but the server said ${ballot.ledger.leafHash}`,
  );

  const proof = ballot.inclusion.hashes.map(fromHex);
  const hashes = proof.filter((p): p is Uint8Array => p !== undefined);
  const outcome = await rootFromInclusionProof(
    leaf,
    ballot.ledger.index,
    ballot.inclusion.treeSize,
    hashes,
  );
  add(
    `Inclusion proof walked from leaf ${ballot.ledger.index} to the root of a tree of ${ballot.inclusion.treeSize} entries`,
    outcome.ok && hashes.length === proof.length,
    outcome.ok ? `Root ${outcome.root}, after ${outcome.steps.length} steps.` : outcome.reason,
  );

  const note = parseSignedNote(ballot.checkpoint.text);
  const body = note === undefined ? undefined : parseCheckpointBody(note.text);
  if (note === undefined || body === undefined) {
    add(
      'Signed checkpoint read',
      false,
      'The checkpoint is not a C2SP signed note with a size and a root.',
    );
    return { checks, steps: outcome.steps, ok: false };
  }
  const sizeOk = body.size === ballot.inclusion.treeSize;
  add(
    'The proof is for the checkpoint’s tree size',
    sizeOk,
    `Checkpoint of ${body.origin}: ${body.size} entries; proof: ${ballot.inclusion.treeSize}.`,
  );
  const rootOk = outcome.ok && outcome.root === toHex(body.root);
  add(
    'The recomputed root equals the checkpoint’s root',
    rootOk,
    `Checkpoint root ${toHex(body.root)}.`,
  );

  const vkeyText = await fetchText('/api/ledger/key');
  const key = vkeyText.ok ? parseVerifierKey(vkeyText.value) : undefined;
  const logSignature = note.signatures.find((s) => s.name === key?.name && s.keyId === key.keyId);
  const signed =
    key !== undefined &&
    logSignature !== undefined &&
    (await verifyNoteSignature(note.text, key, logSignature));
  add(
    'The checkpoint carries the log’s Ed25519 signature',
    signed,
    key === undefined
      ? 'The log’s verifier key could not be read from /api/ledger/key.'
      : signed
        ? `Signed by ${key.name} (key id ${key.keyId.toString(16).padStart(8, '0')}).`
        : `No valid signature by ${key.name} on the checkpoint.`,
  );
  return { checks, steps: outcome.steps, ok: checks.every((c) => c.ok) };
}

export function InclusionCheck({ ballot }: { ballot: BulletinBallot }) {
  const [verification, setVerification] = useState<Verification | undefined>();
  useEffect(() => {
    let current = true;
    setVerification(undefined);
    void verifyBallot(ballot).then((v) => {
      if (current) setVerification(v);
    });
    return () => {
      current = false;
    };
  }, [ballot]);

  return (
    <section aria-labelledby="inclusion-heading" className="panel">
      <h3 id="inclusion-heading">Inclusion proof, checked in this browser</h3>
      <p
        role="status"
        className={verification === undefined ? '' : verification.ok ? 'proof-ok' : 'proof-fail'}
      >
        {verification === undefined
          ? 'Checking the proof…'
          : verification.ok
            ? 'Verified: this ballot is in the ledger covered by the signed checkpoint.'
            : 'Not verified: a check below failed.'}
      </p>
      {verification !== undefined && (
        <>
          <ol className="proof-checks">
            {verification.checks.map((check) => (
              <li key={check.title} className={check.ok ? 'proof-ok' : 'proof-fail'}>
                <strong>
                  <span aria-hidden="true">{check.ok ? '✔ ' : '✘ '}</span>
                  {check.title}
                </strong>
                <span className="visually-hidden">{check.ok ? ': passed.' : ': failed.'}</span>
                <br />
                <span className="proof-detail">{check.detail}</span>
              </li>
            ))}
          </ol>
          <table className="proof-steps">
            <caption>
              Each step of the walk to the root (RFC 9162 §2.1.3.2): the running hash r is combined
              with the proof hash as SHA-256(0x01 ‖ left ‖ right)
            </caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">fn, sn</th>
                <th scope="col">Proof hash</th>
                <th scope="col">Combined as</th>
                <th scope="col">New r</th>
              </tr>
            </thead>
            <tbody>
              {verification.steps.map((step) => (
                <tr key={step.step}>
                  <th scope="row">{step.step}</th>
                  <td>
                    {step.fn}, {step.sn}
                  </td>
                  <td>
                    <code className="hash">{step.sibling}</code>
                  </td>
                  <td>{step.siblingOnLeft ? 'H(0x01 ‖ proof ‖ r)' : 'H(0x01 ‖ r ‖ proof)'}</td>
                  <td>
                    <code className="hash">{step.result}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
