import type { VerificationReport, VerificationStep } from '../admin/ballots/ballot-box-api.ts';

const STATUS_WORDS: Readonly<Record<VerificationStep['status'], string>> = {
  pass: 'Passed',
  fail: 'Failed',
  warn: 'Warning',
  skip: 'Skipped',
};

const STATUS_MARKS: Readonly<Record<VerificationStep['status'], string>> = {
  pass: '✔',
  fail: '✘',
  warn: '!',
  skip: '–',
};

/** The election record verifier's report (ElectionGuard 2.0 §5 verification), step by step. */
export function VerificationSection({ report }: { report: VerificationReport }) {
  const counts = report.steps.reduce<Record<string, number>>((acc, s) => {
    acc[s.status] = (acc[s.status] ?? 0) + 1;
    return acc;
  }, {});
  return (
    <>
      <p role="status" className={report.ok ? 'proof-ok' : 'proof-fail'}>
        {report.ok
          ? `The election record verifies: ${counts.pass ?? 0} of ${report.steps.length} checks passed${
              (counts.warn ?? 0) > 0 ? `, ${counts.warn} with a warning` : ''
            }${(counts.skip ?? 0) > 0 ? `, ${counts.skip} skipped` : ''}.`
          : `The election record does NOT verify: ${counts.fail ?? 0} checks failed.`}
      </p>
      <ol className="verification-steps">
        {report.steps.map((step) => (
          <li key={step.id} className={`verification-${step.status}`}>
            <span className="verification-status">
              <span aria-hidden="true">{STATUS_MARKS[step.status]} </span>
              {STATUS_WORDS[step.status]}
            </span>{' '}
            <strong>{step.title}</strong>
            <span className="verification-id"> ({step.id})</span>
            <br />
            <span className="proof-detail">{step.detail}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
