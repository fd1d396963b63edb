import type {
  BallotBoxStatus,
  ElectionResults,
  VerificationReport,
} from '../admin/ballots/ballot-box-api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { useApi } from '../useApi.ts';
import { BallotLookup } from '../bulletin/BallotLookup.tsx';
import { ResultsSection } from '../bulletin/ResultsSection.tsx';
import { TreeHead } from '../bulletin/TreeHead.tsx';
import { VerificationSection } from '../bulletin/VerificationSection.tsx';

/**
 * The public bulletin board: anyone, signed in or not, can find a ballot by its
 * confirmation code and check its inclusion proof in their own browser (or learn that it
 * is recorded and waits for its shuffled batch in the ledger), see the results,
 * download the election record, read the verifier's report step by step, and see the
 * ledger's signed tree head with its witness cosignatures.
 */
export function BulletinBoardPage() {
  const status = useApi<BallotBoxStatus>('/api/ballot-box/status');
  const decrypted = status.status === 'loaded' && status.value.phase === 'decrypted';
  return (
    <>
      <h1 tabIndex={-1}>Bulletin board</h1>
      <p className="lede">
        {status.status === 'loaded'
          ? `${status.value.title}: ${status.value.castCount} ballots cast and ${status.value.challengedCount} challenged in the public ledger so far (ballots join it in batches).`
          : 'The public record of the election: check your ballot, the results and the proofs.'}
      </p>
      <BallotLookup />
      <section aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        {status.status === 'failed' && <ProblemMessage problem={status.problem} />}
        {status.status === 'loaded' && !decrypted && (
          <p>
            Results are published when the guardians have decrypted the tally (now:{' '}
            {status.value.phase.replace(/-/g, ' ')}).
          </p>
        )}
        {decrypted && <Results />}
      </section>
      <section aria-labelledby="record-heading">
        <h2 id="record-heading">Election record and verification</h2>
        {decrypted ? (
          <>
            <p>
              <a href="/api/election-record.zip" download="election-record.zip">
                Download the election record
              </a>{' '}
              (ElectionGuard 2.0 format, zipped): the manifest, the guardians’ public keys, every
              encrypted ballot, the encrypted tally and its decryption with proofs. Any independent
              verifier can check it.
            </p>
            <Verification />
          </>
        ) : (
          <p>The election record and its verification are published after decryption.</p>
        )}
      </section>
      <TreeHead />
    </>
  );
}

function Results() {
  const results = useApi<ElectionResults>('/api/results');
  if (results.status === 'loading') return <p role="status">Loading the results…</p>;
  if (results.status === 'failed') return <ProblemMessage problem={results.problem} />;
  return <ResultsSection results={results.value} />;
}

function Verification() {
  const report = useApi<VerificationReport>('/api/verification');
  if (report.status === 'loading') return <p role="status">Loading the verifier’s report…</p>;
  if (report.status === 'failed') return <ProblemMessage problem={report.problem} />;
  return (
    <>
      <h3 className="bulletin-subheading">The verifier’s result, step by step</h3>
      <VerificationSection report={report.value} />
    </>
  );
}
