import { useEffect, useRef, useState } from 'react';
import type { BoothContest } from '../admin/ballots/ballot-box-api.ts';
import {
  chooseAnswer,
  choicesAllowed,
  rankCandidate,
  selectionsOf,
  toggleCandidate,
  type Marks,
} from './ballot.ts';
import type { BoothText } from './i18n.ts';

interface ContestScreenProps {
  readonly contest: BoothContest;
  readonly index: number;
  readonly total: number;
  readonly marks: Marks;
  readonly onChange: (marks: Marks) => void;
  readonly t: BoothText;
}

/**
 * One contest of the ballot, as a fieldset whose legend is the contest's title, so a
 * screen reader names the contest with every choice. Refused marks (an overvote) are
 * announced in a live region and change nothing.
 */
export function ContestScreen({ contest, index, total, marks, onChange, t }: ContestScreenProps) {
  const [notice, setNotice] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setNotice('');
    headingRef.current?.focus();
  }, [contest.contestId]);
  const headingId = `contest-heading-${contest.contestId}`;
  const allowed = choicesAllowed(contest);
  const overvote = () => {
    setNotice(t('overvote', { n: allowed, contest: contest.title }));
  };
  return (
    <section className="booth-contest" aria-labelledby={headingId}>
      <p className="booth-progress">{t('contestOf', { n: index + 1, total })}</p>
      <h2 id={headingId} tabIndex={-1} ref={headingRef}>
        {contest.title}
      </h2>
      {contest.description !== undefined && (
        <p className="booth-description">{contest.description}</p>
      )}
      {contest.type === 'candidate' && (
        <CandidateChoices
          contest={contest}
          marks={marks}
          onChange={onChange}
          onOvervote={overvote}
          setNotice={setNotice}
          t={t}
        />
      )}
      {contest.type === 'yesno' && (
        <YesNoChoices contest={contest} marks={marks} onChange={onChange} t={t} />
      )}
      {contest.type === 'ranked-choice' && (
        <RankedChoices
          contest={contest}
          marks={marks}
          onChange={onChange}
          setNotice={setNotice}
          t={t}
        />
      )}
      <p className="booth-notice" role="status" aria-live="polite">
        {notice}
      </p>
    </section>
  );
}

function CandidateChoices({
  contest,
  marks,
  onChange,
  onOvervote,
  setNotice,
  t,
}: {
  contest: BoothContest;
  marks: Marks;
  onChange: (marks: Marks) => void;
  onOvervote: () => void;
  setNotice: (text: string) => void;
  t: BoothText;
}) {
  const chosen = selectionsOf(marks, contest.contestId);
  const allowed = choicesAllowed(contest);
  const rule = allowed === 1 ? t('voteForOne') : t('voteForN', { n: allowed });
  return (
    <fieldset className="booth-choices">
      <legend>
        {contest.title}: {rule}
      </legend>
      <p className="booth-count">{t('chosenCount', { chosen: chosen.length, n: allowed })}</p>
      {contest.options.map((option) => (
        <label key={option.optionId} className="booth-choice">
          <input
            type="checkbox"
            checked={chosen.includes(option.optionId)}
            onChange={() => {
              const result = toggleCandidate(marks, contest, option.optionId);
              if (result.ok) {
                setNotice('');
                onChange(result.marks);
              } else onOvervote();
            }}
          />
          <span className="booth-choice-name">{option.label}</span>
          {option.party !== undefined && <span className="booth-choice-party">{option.party}</span>}
        </label>
      ))}
      {(contest.writeIns ?? 0) > 0 && <p className="field-hint">{t('writeInUnavailable')}</p>}
    </fieldset>
  );
}

function YesNoChoices({
  contest,
  marks,
  onChange,
  t,
}: {
  contest: BoothContest;
  marks: Marks;
  onChange: (marks: Marks) => void;
  t: BoothText;
}) {
  const chosen = selectionsOf(marks, contest.contestId)[0];
  const name = `yesno-${contest.contestId}`;
  return (
    <fieldset className="booth-choices">
      <legend>
        {contest.title}: {t('yesNo')}
      </legend>
      {contest.options.map((option, i) => (
        <label key={option.optionId} className="booth-choice">
          <input
            type="radio"
            name={name}
            checked={chosen === option.optionId}
            onChange={() => {
              onChange(chooseAnswer(marks, contest, option.optionId));
            }}
            onClick={() => {
              // A second click on the chosen answer clears it: a measure may be left blank.
              if (chosen === option.optionId)
                onChange(chooseAnswer(marks, contest, option.optionId));
            }}
          />
          <span className="booth-choice-name">{answerLabel(option.label, i, t)}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** The server's label for yes/no, or the booth's own word when the label is the bare answer. */
function answerLabel(label: string, index: number, t: BoothText): string {
  if (/^(yes|no)$/i.test(label.trim())) return index === 0 ? t('yes') : t('no');
  return label;
}

function RankedChoices({
  contest,
  marks,
  onChange,
  setNotice,
  t,
}: {
  contest: BoothContest;
  marks: Marks;
  onChange: (marks: Marks) => void;
  setNotice: (text: string) => void;
  t: BoothText;
}) {
  const ranking = selectionsOf(marks, contest.contestId);
  const ranks = choicesAllowed(contest);
  return (
    <fieldset className="booth-choices booth-ranked">
      <legend>
        {contest.title}: {t('rankUpTo', { n: ranks })}
      </legend>
      {contest.options.map((option) => {
        const rank = ranking.indexOf(option.optionId);
        const selectId = `rank-${contest.contestId}-${option.optionId}`;
        return (
          <div key={option.optionId} className="booth-choice booth-rank-row">
            <span className="booth-choice-name" id={`${selectId}-name`}>
              {option.label}
              {option.party !== undefined && (
                <span className="booth-choice-party"> {option.party}</span>
              )}
            </span>
            <select
              id={selectId}
              aria-label={t('rankFor', { name: option.label })}
              value={rank < 0 ? '' : String(rank + 1)}
              onChange={(event) => {
                const value = event.target.value === '' ? undefined : Number(event.target.value);
                onChange(rankCandidate(marks, contest, option.optionId, value));
                setNotice(
                  value === undefined
                    ? t('rankRemoved', { name: option.label })
                    : t('rankMoved', {
                        name: option.label,
                        n: Math.min(
                          value,
                          ranking.filter((id) => id !== option.optionId).length + 1,
                        ),
                      }),
                );
              }}
            >
              <option value="">{t('notRanked')}</option>
              {Array.from({ length: ranks }, (_, i) => (
                <option key={i} value={String(i + 1)}>
                  {t('rankOrdinal', { n: i + 1 })}
                </option>
              ))}
            </select>
          </div>
        );
      })}
      {ranking.length > 0 && (
        <ol className="booth-ranking" aria-label={contest.title}>
          {ranking.map((id) => (
            <li key={id}>{contest.options.find((o) => o.optionId === id)?.label ?? id}</li>
          ))}
        </ol>
      )}
    </fieldset>
  );
}
