import { useId, useState, type SubmitEvent } from 'react';
import type {
  DemoVoterListResponse,
  RegistryInfoResponse,
  StationCheckInResponse,
  StationCredentialResponse,
  StationVoter,
} from '@vigil/server';
import type { ApiResult } from '../api.ts';
import type { BallotCredentialText } from '../credential-text.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi } from '../session.tsx';
import { blindCredential, finishCredential, toBase64 } from './credential.ts';
import { FaceCapture } from './FaceCapture.tsx';
import { FingerprintCapture } from './FingerprintCapture.tsx';
import { nextStepAfter, placeName, type CheckInProblem } from './refusal.ts';
import type { FingerprintImage } from './scanner.ts';

/** A finished check-in: the credential to hand over, and how the voter was checked in. */
export interface CheckedIn {
  readonly credential: BallotCredentialText;
  readonly method: 'biometric' | 'override';
  readonly score?: number;
}

/**
 * Asks the registry to check the voter in (fingerprint, or override) with a blinded
 * credential riding along, then finalises the credential; when the signature did not
 * come with the check-in, asks for it once more with a fresh blinding.
 */
async function checkInWithCredential(
  registry: RegistryInfoResponse,
  voter: StationVoter,
  send: (blindedMessage: string) => Promise<ApiResult<StationCheckInResponse>>,
): Promise<{ ok: true; value: CheckedIn } | { ok: false; problem: CheckInProblem }> {
  let blinded;
  try {
    blinded = await blindCredential(registry, voter.ballotStyleId);
  } catch (error) {
    return {
      ok: false,
      problem: { title: 'The ballot credential could not be prepared', detail: String(error) },
    };
  }
  const result = await send(blinded.blindedMessage);
  if (!result.ok) return result;
  const checkedIn = result.value;
  let pending = blinded.pending;
  let signature = checkedIn.blindSignature;
  if (signature === undefined || checkedIn.ballotStyleId !== voter.ballotStyleId) {
    const again = await blindCredential(registry, checkedIn.ballotStyleId);
    const issued = await callApi<StationCredentialResponse>(
      `/api/checkins/${encodeURIComponent(checkedIn.checkInId)}/credential`,
      { body: { voterId: voter.voterId, blindedMessage: again.blindedMessage } },
    );
    if (!issued.ok) return issued;
    pending = again.pending;
    signature = issued.value.blindSignature;
  }
  try {
    const credential = await finishCredential(pending, signature);
    return {
      ok: true,
      value: {
        credential,
        method: checkedIn.method,
        ...(checkedIn.score === undefined ? {} : { score: checkedIn.score }),
      },
    };
  } catch {
    return {
      ok: false,
      problem: {
        title: 'The ballot credential did not verify',
        detail:
          "The registry's blind signature does not verify under the ballot style's key. The check-in stands; ask a supervisor to call the registry.",
      },
    };
  }
}

/**
 * Checking the selected voter in: capture, match, retries with the attempts left, and
 * the ways on when the match does not succeed (override, provisional ballot, another
 * polling place).
 */
export function CheckInPanel({
  voter,
  registry,
  demo,
  sessionToken,
  onCheckedIn,
  onProvisional,
}: {
  voter: StationVoter;
  registry: RegistryInfoResponse;
  demo: DemoVoterListResponse | undefined;
  sessionToken: string;
  onCheckedIn: (done: CheckedIn) => void;
  onProvisional: (reason: string) => void;
}) {
  const [captured, setCaptured] = useState<FingerprintImage | undefined>();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<CheckInProblem | undefined>();
  const name = `${voter.givenName} ${voter.familyName}`;

  const checkIn = async () => {
    if (captured === undefined) return;
    setBusy(true);
    setRefusal(undefined);
    const image = toBase64(captured.bytes);
    const result = await checkInWithCredential(registry, voter, (blindedMessage) =>
      callApi<StationCheckInResponse>('/api/checkins', {
        body: { voterId: voter.voterId, fingerprint: { image }, blindedMessage },
      }),
    );
    setBusy(false);
    if (result.ok) onCheckedIn(result.value);
    else {
      setRefusal(result.problem);
      // A failed attempt is spent: the next one needs a new capture.
      if (result.problem.reason === 'no-match') setCaptured(undefined);
    }
  };

  const step = refusal === undefined ? undefined : nextStepAfter(refusal);
  return (
    <>
      <FingerprintCapture
        voterId={voter.voterId}
        demo={demo}
        sessionToken={sessionToken}
        captured={captured}
        onCaptured={setCaptured}
      />
      <FaceCapture />
      <div className="station-actions">
        <button
          type="button"
          className="primary"
          disabled={captured === undefined || busy || step === 'override'}
          onClick={() => void checkIn()}
        >
          {busy ? 'Matching…' : 'Check in with this fingerprint'}
        </button>
      </div>
      <div aria-live="polite" className="checkin-outcome">
        {refusal !== undefined && <Refusal refusal={refusal} name={name} step={step ?? 'none'} />}
      </div>
      {step === 'override' && (
        <OverrideForm
          voter={voter}
          onSubmit={(approval) =>
            checkInWithCredential(registry, voter, (blindedMessage) =>
              callApi<StationCheckInResponse>('/api/checkins/override', {
                body: {
                  voterId: voter.voterId,
                  reason: approval.reason,
                  idDocumentChecked: approval.idDocumentChecked,
                  blindedMessage,
                },
                headers: { 'vigil-second-official': approval.secondOfficial },
              }),
            )
          }
          onCheckedIn={onCheckedIn}
        />
      )}
      {step === 'provisional' && (
        <div className="station-actions">
          <button
            type="button"
            onClick={() => {
              onProvisional(refusal?.detail ?? 'Not eligible to check in on the roll.');
            }}
          >
            Issue a provisional ballot
          </button>
        </div>
      )}
    </>
  );
}

function Refusal({ refusal, name, step }: { refusal: CheckInProblem; name: string; step: string }) {
  if (refusal.reason === 'wrong-polling-place' && refusal.goTo !== undefined) {
    return (
      <div className="outcome outcome-stop" role="alert">
        <h3>Wrong polling place</h3>
        <p className="outcome-big">
          Send {name} to {placeName(refusal.goTo)}.
        </p>
        <p>{refusal.detail}</p>
      </div>
    );
  }
  if (refusal.reason === 'no-match') {
    const left = refusal.attemptsLeft ?? 0;
    return (
      <div className="outcome outcome-stop" role="alert">
        <h3>No match</h3>
        <p className="outcome-big">
          The fingerprint did not match {name}. {left} attempt{left === 1 ? '' : 's'} left.
        </p>
        <p>
          {step === 'retry'
            ? 'Clean the sensor and the finger, place it flat, scan again and check in again.'
            : 'No attempts are left: a supervisor can check the voter in after checking an ID document.'}
        </p>
      </div>
    );
  }
  return <ProblemMessage problem={refusal} />;
}

interface Approval {
  readonly reason: string;
  readonly idDocumentChecked: boolean;
  /** `Basic base64(id:password)`, the Vigil-Second-Official header. */
  readonly secondOfficial: string;
}

/**
 * The supervised override: the supervisor signs in on this screen (their id and
 * password go, once, in the Vigil-Second-Official header, and are not kept), gives the
 * reason and confirms the ID document was checked.
 */
function OverrideForm({
  voter,
  onSubmit,
  onCheckedIn,
}: {
  voter: StationVoter;
  onSubmit: (approval: Approval) => ReturnType<typeof checkInWithCredential>;
  onCheckedIn: (done: CheckedIn) => void;
}) {
  const [reason, setReason] = useState(
    'Fingerprint did not match; identity confirmed by ID document.',
  );
  const [idChecked, setIdChecked] = useState(false);
  const [supervisorId, setSupervisorId] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<CheckInProblem | undefined>();
  const headingId = useId();

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    const credentials = new TextEncoder().encode(`${supervisorId.trim()}:${password}`);
    setPassword('');
    const result = await onSubmit({
      reason,
      idDocumentChecked: idChecked,
      secondOfficial: `Basic ${toBase64(credentials)}`,
    });
    credentials.fill(0);
    setBusy(false);
    if (result.ok) onCheckedIn(result.value);
    else setProblem(result.problem);
  };

  return (
    <section className="station-step override" aria-labelledby={headingId}>
      <h3 id={headingId}>Supervised override</h3>
      <p>
        A supervisor checks {voter.givenName} {voter.familyName}&apos;s ID document and approves the
        check-in by signing in here. The override is recorded in the ledger with both officials.
      </p>
      <form
        className="station-form"
        aria-label="Supervised override"
        onSubmit={(e) => void submit(e)}
      >
        <label>
          Reason
          <textarea
            name="reason"
            rows={2}
            required
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          />
        </label>
        <label className="choice">
          <input
            type="checkbox"
            name="idDocumentChecked"
            checked={idChecked}
            onChange={(e) => {
              setIdChecked(e.target.checked);
            }}
          />
          The voter&apos;s ID document was checked
        </label>
        <label>
          Supervisor&apos;s official id
          <input
            name="supervisorId"
            autoComplete="off"
            required
            value={supervisorId}
            onChange={(e) => {
              setSupervisorId(e.target.value);
            }}
          />
        </label>
        <label>
          Supervisor&apos;s password
          <input
            name="supervisorPassword"
            type="password"
            autoComplete="off"
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </label>
        {problem !== undefined && <ProblemMessage problem={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Approving…' : 'Approve the override and check in'}
        </button>
      </form>
    </section>
  );
}
