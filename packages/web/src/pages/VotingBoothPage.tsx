import { useMemo, useState } from 'react';
import type {
  BoothSession,
  CastReceipt,
  ChallengeReceipt,
  EncryptedBallotReceipt,
} from '../admin/ballots/ballot-box-api.ts';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { callApi, stationToken } from '../session.tsx';
import { ballotBody, NO_MARKS, type Marks } from '../booth/ballot.ts';
import {
  BoothSettings,
  DEFAULT_PREFERENCES,
  type BoothPreferences,
} from '../booth/BoothSettings.tsx';
import { BoothSetup, BoothStationNote } from '../booth/BoothSetup.tsx';
import { ContestScreen } from '../booth/ContestScreen.tsx';
import { CredentialScreen } from '../booth/CredentialScreen.tsx';
import { boothText, type BoothLanguage, type BoothText } from '../booth/i18n.ts';
import { CastScreen, ChallengedScreen, EncryptedScreen } from '../booth/ReceiptScreens.tsx';
import { ReviewScreen } from '../booth/ReviewScreen.tsx';

/** Where the voter is in the booth. */
type Step =
  | { kind: 'credential' }
  | { kind: 'contest'; session: BoothSession; index: number }
  | { kind: 'review'; session: BoothSession }
  | { kind: 'encrypted'; session: BoothSession; receipt: EncryptedBallotReceipt }
  | { kind: 'cast'; receipt: CastReceipt }
  | { kind: 'challenged'; session: BoothSession; receipt: ChallengeReceipt };

/**
 * The voting booth: a station set up once with its token, then for each voter the
 * credential, the contests of their ballot style one at a time, a review, encryption
 * with a confirmation code and printable receipt, and cast or challenge (a challenged
 * ballot is opened for the voter to check, discarded, and they vote again).
 */
export function VotingBoothPage() {
  const [preferences, setPreferences] = useState<BoothPreferences>(DEFAULT_PREFERENCES);
  const [token, setToken] = useState(stationToken);
  const [step, setStep] = useState<Step>({ kind: 'credential' });
  const [marks, setMarks] = useState<Marks>(NO_MARKS);
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const t = useMemo(() => boothText(preferences.language), [preferences.language]);

  const goTo = (next: Step) => {
    setProblem(undefined);
    setStep(next);
  };
  const finish = () => {
    // The next voter starts from nothing: no marks, English, default display.
    setMarks(NO_MARKS);
    setPreferences(DEFAULT_PREFERENCES);
    goTo({ kind: 'credential' });
  };

  const encrypt = async (session: BoothSession) => {
    setBusy(true);
    setProblem(undefined);
    const result = await callApi<EncryptedBallotReceipt>(
      `/api/booth/sessions/${encodeURIComponent(session.boothSessionId)}/ballots`,
      { body: ballotBody(session.contests, marks) },
    );
    setBusy(false);
    if (result.ok) goTo({ kind: 'encrypted', session, receipt: result.value });
    else setProblem(result.problem);
  };

  const decide = async (
    session: BoothSession,
    receipt: EncryptedBallotReceipt,
    action: 'cast' | 'challenge',
  ) => {
    setBusy(true);
    setProblem(undefined);
    const path = `/api/booth/ballots/${encodeURIComponent(receipt.confirmationCode)}/${action}`;
    if (action === 'cast') {
      const result = await callApi<CastReceipt>(path, { method: 'POST' });
      setBusy(false);
      if (result.ok) {
        setMarks(NO_MARKS);
        goTo({ kind: 'cast', receipt: result.value });
      } else setProblem(result.problem);
    } else {
      const result = await callApi<ChallengeReceipt>(path, { method: 'POST' });
      setBusy(false);
      if (result.ok) goTo({ kind: 'challenged', session, receipt: result.value });
      else setProblem(result.problem);
    }
  };

  const className = [
    'booth',
    preferences.largeText ? 'booth-large' : '',
    preferences.highContrast ? 'booth-contrast' : '',
  ]
    .filter((c) => c !== '')
    .join(' ');

  return (
    <div className={className} lang={preferences.language}>
      <h1 tabIndex={-1}>{t('title')}</h1>
      <BoothSettings preferences={preferences} onChange={setPreferences} t={t} />
      {token === undefined ? (
        <BoothSetup
          onDone={() => {
            setToken(stationToken());
          }}
          t={t}
        />
      ) : (
        <>
          {step.kind === 'credential' && (
            <>
              <CredentialScreen
                onSession={(session) => {
                  setMarks(NO_MARKS);
                  goTo(
                    session.contests.length === 0
                      ? { kind: 'review', session }
                      : { kind: 'contest', session, index: 0 },
                  );
                }}
                t={t}
              />
              <BoothStationNote
                token={token}
                onReset={() => {
                  setToken(undefined);
                }}
                t={t}
              />
            </>
          )}
          {step.kind === 'contest' && (
            <ContestStep
              session={step.session}
              index={step.index}
              marks={marks}
              onMarks={setMarks}
              language={preferences.language}
              onGo={(index) => {
                goTo(
                  index >= step.session.contests.length
                    ? { kind: 'review', session: step.session }
                    : { kind: 'contest', session: step.session, index: Math.max(0, index) },
                );
              }}
              t={t}
            />
          )}
          {step.kind === 'review' && (
            <>
              <ReviewScreen
                contests={step.session.contests}
                marks={marks}
                onChange={(index) => {
                  goTo({ kind: 'contest', session: step.session, index });
                }}
                t={t}
              />
              <div className="booth-actions">
                <button
                  type="button"
                  className="booth-primary"
                  disabled={busy}
                  onClick={() => void encrypt(step.session)}
                >
                  {busy ? t('encrypting') : t('encrypt')}
                </button>
              </div>
            </>
          )}
          {step.kind === 'encrypted' && (
            <EncryptedScreen
              receipt={step.receipt}
              ballotStyleId={step.session.ballotStyleId}
              busy={busy}
              onCast={() => void decide(step.session, step.receipt, 'cast')}
              onChallenge={() => void decide(step.session, step.receipt, 'challenge')}
              t={t}
            />
          )}
          {step.kind === 'cast' && <CastScreen receipt={step.receipt} onFinish={finish} t={t} />}
          {step.kind === 'challenged' && (
            <ChallengedScreen
              receipt={step.receipt}
              onVoteAgain={() => {
                goTo({ kind: 'contest', session: step.session, index: 0 });
              }}
              t={t}
            />
          )}
          {/* The server's problem (RFC 9457) in its own words; ProblemMessage is an alert. */}
          {problem !== undefined && <ProblemMessage problem={problem} />}
          {problem !== undefined && step.kind !== 'credential' && isSessionOver(problem) && (
            <div className="booth-actions">
              <p>{t('sessionOver')}</p>
              <button type="button" className="booth-primary" onClick={finish}>
                {t('finish')}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

/**
 * The booth session is over (expired after 30 minutes: 410; ended or unknown: 404): the
 * voter cannot go on with it, and a poll worker must help, so the booth offers to start
 * over instead of leaving them on a dead screen.
 */
function isSessionOver(problem: ShownProblem): boolean {
  return problem.status === 410 || problem.status === 404;
}

function ContestStep({
  session,
  index,
  marks,
  onMarks,
  onGo,
  language,
  t,
}: {
  language: BoothLanguage;
  session: BoothSession;
  index: number;
  marks: Marks;
  onMarks: (marks: Marks) => void;
  onGo: (index: number) => void;
  t: BoothText;
}) {
  const contest = session.contests[index];
  if (contest === undefined) return null;
  const last = index === session.contests.length - 1;
  return (
    <>
      <ContestScreen
        contest={contest}
        index={index}
        total={session.contests.length}
        marks={marks}
        onChange={onMarks}
        t={t}
      />
      <div className="booth-actions">
        {index > 0 && (
          <button
            type="button"
            onClick={() => {
              onGo(index - 1);
            }}
          >
            {t('back')}
          </button>
        )}
        <button
          type="button"
          className="booth-primary"
          onClick={() => {
            onGo(index + 1);
          }}
        >
          {last ? t('review') : t('next')}
        </button>
      </div>
      <p className="field-hint">
        {t('sessionEnds', {
          time: new Date(session.expiresAt).toLocaleTimeString(
            language === 'en' ? 'en-US' : 'es-US',
            {
              hour: 'numeric',
              minute: '2-digit',
            },
          ),
        })}
      </p>
    </>
  );
}
