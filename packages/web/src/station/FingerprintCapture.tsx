import { useId, useState } from 'react';
import type { DemoVoterListResponse } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { toBase64 } from './credential.ts';
import {
  demoScanner,
  fileScanner,
  FINGER_NAMES,
  type FingerprintImage,
  type FingerprintScanner,
} from './scanner.ts';

type ScannerKind = 'demo' | 'file';

/**
 * Capturing the voter's fingerprint through a `FingerprintScanner`: an image file, or on
 * a demo server the demo scanner, whose finger can be any demo voter's (an impostor).
 */
export function FingerprintCapture({
  voterId,
  demo,
  sessionToken,
  captured,
  onCaptured,
}: {
  voterId: string;
  demo: DemoVoterListResponse | undefined;
  sessionToken: string;
  captured: FingerprintImage | undefined;
  onCaptured: (image: FingerprintImage | undefined) => void;
}) {
  // The demo scanner is the default where there is one (its list may arrive later).
  const [chosenKind, setKind] = useState<ScannerKind | undefined>();
  const kind = chosenKind ?? (demo === undefined ? 'file' : 'demo');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const headingId = useId();

  const capture = async (scanner: FingerprintScanner) => {
    setBusy(true);
    setProblem(undefined);
    const result = await scanner.capture();
    setBusy(false);
    if (result.ok) onCaptured(result.value);
    else setProblem(result.problem);
  };

  return (
    <section className="station-step" aria-labelledby={headingId}>
      <h3 id={headingId}>Fingerprint</h3>
      <fieldset className="choice-row">
        <legend>Scanner</legend>
        {demo !== undefined && (
          <label className="choice">
            <input
              type="radio"
              name="scanner"
              value="demo"
              checked={kind === 'demo'}
              onChange={() => {
                setKind('demo');
              }}
            />
            Demo scanner (synthetic fingerprints)
          </label>
        )}
        <label className="choice">
          <input
            type="radio"
            name="scanner"
            value="file"
            checked={kind === 'file'}
            onChange={() => {
              setKind('file');
            }}
          />
          Fingerprint image file
        </label>
      </fieldset>
      {kind === 'file' || demo === undefined ? (
        <label>
          Fingerprint image (PNG, TIFF or BMP, 500 dpi)
          <input
            type="file"
            accept="image/png,image/tiff,image/bmp,.png,.tif,.tiff,.bmp"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file !== undefined) void capture(fileScanner(file));
            }}
          />
        </label>
      ) : (
        <DemoScannerDevice
          demo={demo}
          voterId={voterId}
          busy={busy}
          onScan={(scan) => void capture(demoScanner(scan, sessionToken))}
        />
      )}
      {busy && <p role="status">Capturing the fingerprint…</p>}
      {problem !== undefined && <ProblemMessage problem={problem} />}
      {captured !== undefined && (
        <figure className="fingerprint-preview">
          <img
            src={`data:${captured.mediaType};base64,${toBase64(captured.bytes)}`}
            alt={`Captured fingerprint: ${captured.description}`}
          />
          <figcaption>Captured: {captured.description}</figcaption>
        </figure>
      )}
    </section>
  );
}

/**
 * The demo device: clearly labelled as one. It renders a new synthetic impression of the
 * chosen demo voter's finger (numbers after the enrolment's), so each scan differs, as a
 * real finger on a real sensor does.
 */
function DemoScannerDevice({
  demo,
  voterId,
  busy,
  onScan,
}: {
  demo: DemoVoterListResponse;
  voterId: string;
  busy: boolean;
  onScan: (scan: {
    voterId: string;
    voterName: string;
    finger: number;
    impression: number;
  }) => void;
}) {
  const own = demo.voters.some((v) => v.voterId === voterId);
  const [whose, setWhose] = useState(own ? voterId : (demo.voters[0]?.voterId ?? ''));
  const [finger, setFinger] = useState(2);
  // The next impression of each (voter, finger): every scan is a new placement.
  const [next, setNext] = useState<ReadonlyMap<string, number>>(new Map());
  const key = `${whose}/${finger}`;
  const impression = next.get(key) ?? demo.firstScanImpression;
  const chosen = demo.voters.find((v) => v.voterId === whose);
  return (
    <div className="demo-device" role="group" aria-label="Demo fingerprint scanner">
      <p className="demo-label">
        <span className="badge demo-badge">Demo device</span> Synthetic fingerprint scanner: it
        renders new impressions of the demo voters&apos; synthetic fingers. Pick another
        voter&apos;s finger to try an impostor.
      </p>
      <label>
        Whose finger
        <select
          value={whose}
          onChange={(e) => {
            setWhose(e.target.value);
          }}
        >
          {demo.voters.map((v) => (
            <option key={v.voterId} value={v.voterId}>
              {v.name} ({v.voterId}){v.voterId === voterId ? ' — this voter' : ''}
              {v.enrolled ? '' : ' — not enrolled yet'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Finger
        <select
          value={finger}
          onChange={(e) => {
            setFinger(Number(e.target.value));
          }}
        >
          {Object.entries(FINGER_NAMES).map(([position, name]) => (
            <option key={position} value={position}>
              {name}
              {position === '2' || position === '7' ? ' (enrolled)' : ''}
            </option>
          ))}
        </select>
      </label>
      {demo.enrolling && (
        <p className="field-hint">
          Enrolling the demo voters in the background: {demo.enrolled} of {demo.total} so far.
        </p>
      )}
      <button
        type="button"
        disabled={busy || chosen === undefined}
        onClick={() => {
          if (chosen === undefined) return;
          setNext(new Map(next).set(key, impression + 1));
          onScan({ voterId: chosen.voterId, voterName: chosen.name, finger, impression });
        }}
      >
        Scan finger (impression {impression})
      </button>
    </div>
  );
}
