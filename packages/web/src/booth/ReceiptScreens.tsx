import { useEffect, useRef } from 'react';
import type {
  CastReceipt,
  ChallengeReceipt,
  ContestSummary,
  EncryptedBallotReceipt,
} from '../admin/ballots/ballot-box-api.ts';
import { Link } from '../router.tsx';
import type { BoothText } from './i18n.ts';

/** The confirmation code in groups of four, so a voter can copy it down without losing place. */
export function groupedCode(code: string): string {
  return code.match(/.{1,4}/g)?.join(' ') ?? code;
}

function useFocusedHeading() {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/**
 * The encrypted ballot's confirmation code (the ElectionGuard ballot code H_C), on the
 * screen and as a printable receipt (the print stylesheet prints only `.booth-receipt`),
 * and the choice between casting and challenging it (Benaloh challenge).
 */
export function EncryptedScreen({
  receipt,
  ballotStyleId,
  busy,
  onCast,
  onChallenge,
  t,
}: {
  receipt: EncryptedBallotReceipt;
  ballotStyleId: string;
  busy: boolean;
  onCast: () => void;
  onChallenge: () => void;
  t: BoothText;
}) {
  const heading = useFocusedHeading();
  return (
    <section aria-labelledby="booth-encrypted-heading">
      <h2 id="booth-encrypted-heading" tabIndex={-1} ref={heading}>
        {t('encryptedHeading')}
      </h2>
      <p>{t('encryptedIntro')}</p>
      <div className="booth-receipt">
        <p className="booth-receipt-title">{t('receiptHeading')}</p>
        <p className="booth-receipt-style">{t('receiptElection', { style: ballotStyleId })}</p>
        <p className="booth-code-label" id="booth-code-label">
          {t('confirmationCode')}
        </p>
        <p className="booth-code" data-code={receipt.confirmationCode}>
          <code>{groupedCode(receipt.confirmationCode)}</code>
        </p>
        <p className="booth-receipt-note">{t('receiptNote')}</p>
      </div>
      <p>
        <button
          type="button"
          onClick={() => {
            window.print();
          }}
        >
          {t('printReceipt')}
        </button>
      </p>
      <p>{t('castOrChallenge')}</p>
      <div className="booth-actions">
        <button type="button" className="booth-primary" disabled={busy} onClick={onCast}>
          {busy ? t('casting') : t('cast')}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={onChallenge}
          aria-describedby="booth-challenge-hint"
        >
          {t('challenge')}
        </button>
      </div>
      <p id="booth-challenge-hint" className="field-hint">
        {t('challengeHint')}
      </p>
    </section>
  );
}

export function CastScreen({
  receipt,
  onFinish,
  t,
}: {
  receipt: CastReceipt;
  onFinish: () => void;
  t: BoothText;
}) {
  const heading = useFocusedHeading();
  return (
    <section aria-labelledby="booth-cast-heading" className="booth-done">
      <h2 id="booth-cast-heading" tabIndex={-1} ref={heading}>
        {t('castHeading')}
      </h2>
      <p role="status">{t('castIntro', { batch: receipt.publicationBatch })}</p>
      <div className="booth-receipt">
        <p className="booth-code-label" id="booth-cast-code-label">
          {t('confirmationCode')}
        </p>
        <p className="booth-code" data-code={receipt.confirmationCode}>
          <code>{groupedCode(receipt.confirmationCode)}</code>
        </p>
      </div>
      <p>
        <Link to={`/bulletin-board?code=${receipt.confirmationCode}`}>{t('bulletinLink')}</Link>
      </p>
      <button type="button" className="booth-primary" onClick={onFinish}>
        {t('finish')}
      </button>
    </section>
  );
}

export function ChallengedScreen({
  receipt,
  onVoteAgain,
  t,
}: {
  receipt: ChallengeReceipt;
  onVoteAgain: () => void;
  t: BoothText;
}) {
  const heading = useFocusedHeading();
  const check =
    receipt.nonceCheck === 'matches'
      ? t('nonceMatches')
      : t('nonceOther', { value: receipt.nonceCheck });
  return (
    <section aria-labelledby="booth-challenged-heading">
      <h2 id="booth-challenged-heading" tabIndex={-1} ref={heading}>
        {t('challengedHeading')}
      </h2>
      <p>{t('challengedIntro')}</p>
      <p
        role="status"
        className={receipt.nonceCheck === 'matches' ? 'booth-ok' : 'booth-error-text'}
      >
        {t('nonceCheck', { result: check })}
      </p>
      <p className="booth-code-label">
        {t('confirmationCode')}: <code>{groupedCode(receipt.confirmationCode)}</code>
      </p>
      <SummaryList summary={receipt.selections} t={t} />
      <button type="button" className="booth-primary" onClick={onVoteAgain}>
        {t('voteAgain')}
      </button>
    </section>
  );
}

function SummaryList({ summary, t }: { summary: readonly ContestSummary[]; t: BoothText }) {
  return (
    <dl className="booth-summary">
      {summary.map((contest) => (
        <div key={contest.contestId}>
          <dt>{contest.title}</dt>
          <dd>{contest.chosen.length === 0 ? t('nothingChosen') : contest.chosen.join(', ')}</dd>
        </div>
      ))}
    </dl>
  );
}
