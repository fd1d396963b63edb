import { useEffect, useId, useRef, useState } from 'react';
import { toDataURL } from 'qrcode';
import { encodeCredential, type BallotCredentialText } from '../credential-text.ts';

/**
 * The hand-off of the one-time ballot credential: a QR code the voting booth scans and
 * the same text on a printable slip. Nothing on it names the voter. The screen forgets it
 * at "Next voter" (the station keeps no copy: the registry recorded only that a
 * credential was issued).
 */
export function CredentialSlip({
  credential,
  method,
  score,
  onNext,
}: {
  credential: BallotCredentialText;
  method: 'biometric' | 'override';
  score?: number;
  onNext: () => void;
}) {
  const text = encodeCredential(credential);
  const [qr, setQr] = useState<string | undefined>();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    // Error correction M (15%): a slip creased or smudged in a pocket still scans.
    void toDataURL(text, { errorCorrectionLevel: 'M', margin: 4, width: 360 }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [text]);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <section className="station-step" aria-labelledby={headingId}>
      <div className="outcome outcome-go" role="status">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          Checked in
        </h2>
        <p className="outcome-big">
          {method === 'biometric'
            ? `Fingerprint matched${score === undefined ? '' : ` (score ${score})`}.`
            : 'Checked in by supervised override.'}{' '}
          Hand the voter their ballot credential.
        </p>
      </div>
      <div className="credential-slip">
        <h3>Ballot credential</h3>
        <p>
          One ballot, style <strong>{credential.ballotStyleId}</strong>. Scan the code at the voting
          booth, or type the text below. It does not carry your name.
        </p>
        {qr === undefined ? (
          <p role="status">Drawing the QR code…</p>
        ) : (
          <img className="credential-qr" src={qr} alt="QR code of the one-time ballot credential" />
        )}
        <p className="slip-label">Credential text</p>
        <p className="slip-text">
          <code data-testid="credential-text">{text}</code>
        </p>
      </div>
      <div className="station-actions no-print">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            window.print();
          }}
        >
          Print the slip
        </button>
        <button type="button" className="primary" onClick={onNext}>
          Next voter
        </button>
      </div>
    </section>
  );
}
