import { useState, type SubmitEvent } from 'react';
import { setStationToken } from '../session.tsx';
import type { BoothText } from './i18n.ts';

/**
 * Setting the booth up as a station: a poll worker types the booth's station token once
 * (it stays in this device's localStorage). Booth calls carry only that token; voters
 * never sign in.
 */
export function BoothSetup({ onDone, t }: { onDone: () => void; t: BoothText }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState('');
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (token.trim() === '') {
      setProblem(t('setupMissing'));
      return;
    }
    setStationToken(token);
    onDone();
  };
  return (
    <form className="panel booth-panel" onSubmit={submit} aria-labelledby="booth-setup-heading">
      <h2 id="booth-setup-heading">{t('setupHeading')}</h2>
      <p>{t('setupIntro')}</p>
      <label>
        {t('setupToken')}
        <input
          name="boothStationToken"
          autoComplete="off"
          value={token}
          onChange={(event) => {
            setToken(event.target.value);
          }}
        />
      </label>
      <p role="alert" className="booth-error-text">
        {problem}
      </p>
      <button type="submit" className="booth-primary">
        {t('setupSave')}
      </button>
    </form>
  );
}

/** The set-up booth's station, with a way for a poll worker to take the token off. */
export function BoothStationNote({
  token,
  onReset,
  t,
}: {
  token: string;
  onReset: () => void;
  t: BoothText;
}) {
  return (
    <p className="booth-station muted">
      {t('setupDone', { suffix: token.slice(-4) })}{' '}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setStationToken(undefined);
          onReset();
        }}
      >
        {t('setupReset')}
      </button>
    </p>
  );
}
