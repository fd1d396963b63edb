import { useCallback, useState, type SubmitEvent } from 'react';
import type { ApiResult } from '../api.ts';
import { decodeCredential } from '../credential-text.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import type { ShownProblem } from '../api.ts';
import { callApi } from '../session.tsx';
import type { BoothSession } from '../admin/ballots/ballot-box-api.ts';
import type { BoothText } from './i18n.ts';
import { QrScanner } from './QrScanner.tsx';

/**
 * The voter hands over their one-time credential (the slip's text, typed, pasted or read
 * from its QR code). The booth checks its form here, then the ballot box spends it and
 * opens a booth session with the contests of the credential's ballot style.
 */
export function CredentialScreen({
  onSession,
  t,
}: {
  onSession: (session: BoothSession) => void;
  t: BoothText;
}) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);

  const start = useCallback(
    async (slip: string) => {
      setProblem(undefined);
      const decoded = decodeCredential(slip);
      if (!decoded.ok) {
        setMessage(decoded.message);
        return;
      }
      setMessage('');
      setBusy(true);
      const result: ApiResult<BoothSession> = await callApi<BoothSession>('/api/booth/sessions', {
        body: { credential: decoded.value },
      });
      setBusy(false);
      if (result.ok) onSession(result.value);
      else setProblem(result.problem);
    },
    [onSession],
  );
  const scanned = useCallback(
    (slip: string) => {
      setText(slip);
      void start(slip);
    },
    [start],
  );
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void start(text);
  };

  return (
    <section className="panel booth-panel" aria-labelledby="booth-credential-heading">
      <h2 id="booth-credential-heading">{t('credentialHeading')}</h2>
      <p>{t('credentialIntro')}</p>
      <form onSubmit={submit} aria-labelledby="booth-credential-heading">
        <label>
          {t('credentialLabel')}
          <textarea
            name="credential"
            rows={3}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="booth-credential-hint"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
        </label>
        <span id="booth-credential-hint" className="field-hint">
          {t('credentialHint')}
        </span>
        <p role="alert" className="booth-error-text">
          {message}
        </p>
        <button type="submit" className="booth-primary" disabled={busy}>
          {busy ? t('credentialBusy') : t('credentialSubmit')}
        </button>
      </form>
      <QrScanner onText={scanned} t={t} />
      {problem !== undefined && <ProblemMessage problem={problem} />}
    </section>
  );
}
