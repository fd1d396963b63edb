import { useEffect, useRef } from 'react';
import type { BoothContest } from '../admin/ballots/ballot-box-api.ts';
import { choicesAllowed, selectionsOf, type Marks } from './ballot.ts';
import type { BoothText } from './i18n.ts';

/** Labels of what is marked in a contest, in order (rank order for ranked choice). */
export function chosenLabels(contest: BoothContest, marks: Marks): string[] {
  return selectionsOf(marks, contest.contestId).map(
    (id) => contest.options.find((o) => o.optionId === id)?.label ?? id,
  );
}

/**
 * The whole ballot before encryption: each contest with its choices, blank and
 * under-voted contests pointed out (a voter may leave them so), and a way back to change.
 */
export function ReviewScreen({
  contests,
  marks,
  onChange,
  t,
}: {
  contests: readonly BoothContest[];
  marks: Marks;
  onChange: (contestIndex: number) => void;
  t: BoothText;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <section aria-labelledby="booth-review-heading">
      <h2 id="booth-review-heading" tabIndex={-1} ref={headingRef}>
        {t('reviewHeading')}
      </h2>
      <p>{t('reviewIntro')}</p>
      <ol className="booth-review">
        {contests.map((contest, index) => {
          const chosen = chosenLabels(contest, marks);
          const allowed = choicesAllowed(contest);
          const count = chosen.length;
          return (
            <li key={contest.contestId} className="booth-review-item">
              <h3>{contest.title}</h3>
              {chosen.length === 0 ? (
                <p className="booth-blank">{t('noSelection')}</p>
              ) : contest.type === 'ranked-choice' ? (
                <ol className="booth-review-choices">
                  {chosen.map((label) => (
                    <li key={label}>{label}</li>
                  ))}
                </ol>
              ) : (
                <ul className="booth-review-choices">
                  {chosen.map((label) => (
                    <li key={label}>{label}</li>
                  ))}
                </ul>
              )}
              {contest.type === 'candidate' && count > 0 && count < allowed && (
                <p className="booth-blank">{t('underVote', { chosen: count, n: allowed })}</p>
              )}
              <button
                type="button"
                aria-label={t('changeContest', { contest: contest.title })}
                onClick={() => {
                  onChange(index);
                }}
              >
                {t('change')}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
