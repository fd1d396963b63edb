import type { ContestResult } from '@vigil/server';
import type { DemoSummary } from './run.ts';

const labelOf = (contest: ContestResult, optionId: string | null): string =>
  optionId === null
    ? 'no winner'
    : (contest.options.find((o) => o.optionId === optionId)?.label ?? optionId);

/** The demo's summary as text, a section per stage. */
export function formatSummary(s: DemoSummary): string {
  const lines: string[] = [];
  const out = (text = '') => lines.push(text);
  out(`${s.title} (${s.electionId}), ${s.voters} synthetic voters, seed ${s.seed}`);
  out(`data folder: ${s.dataDir}`);
  out();
  out(
    `Roll: ${s.roll.registered} records registered (file sha256 ${s.roll.fileHash.slice(0, 16)}…)`,
  );
  const e = s.enrolment;
  out(
    `Enrolment: ${e.enrolled} enrolled (${e.fingers} fingers); ${e.reviewsRaised} flagged for review; ` +
      `${e.duplicatesCaught} of ${e.duplicatesPlanted} planted duplicates caught; ${e.falseAlarms} false alarm(s); ${e.blocked} record(s) blocked`,
  );
  out(
    `Key ceremony: ${s.ceremony.guardians} guardians, quorum ${s.ceremony.quorum}, proofs ${s.ceremony.proofsValid ? 'valid' : 'INVALID'}`,
  );
  const c = s.checkIns;
  out(
    `Check-ins: ${c.arrivals} arrivals, ${c.noShows} no-shows; matched ${c.matchedFirstTry} first time, ${c.matchedAfterRetry} after a retry; ` +
      `${c.failedAttempts} failed attempts; ${c.overridden} supervised overrides; impostors ${c.impostorsRefused} refused, ${c.impostorsAccepted} accepted; ` +
      `${c.alreadyVoted} already voted; ${c.blockedDuplicates} blocked duplicate(s); ${c.credentials} credentials`,
  );
  const other = Object.entries(c.otherRefusals);
  if (other.length > 0) out(`  other refusals: ${other.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out(
    `Voting: ${s.voting.ballotsCast} ballots cast, ${s.voting.ballotsChallenged} challenged (${s.voting.challengesChecked} decrypted to the marks made)`,
  );
  const t = s.tally;
  out(
    `Tally: ${t.castCount} counted; shares from ${t.sharesReleased.join(', ')}; phase ${t.phase}`,
  );
  for (const contest of t.results) {
    const options = [...contest.options].sort((a, b) => b.votes - a.votes);
    const ranked =
      contest.ranked === undefined
        ? ''
        : ` (first choices; instant runoff: ${labelOf(contest, contest.ranked.winner)} after ${contest.ranked.rounds.length} round(s))`;
    out(`  ${contest.title}: ${options.map((o) => `${o.label} ${o.votes}`).join(', ')}${ranked}`);
  }
  const v = t.recordVerification;
  out(
    `Verification (as vigil eg verify ${v.recordDir}): ${v.ok ? 'accepted' : 'REJECTED'}; ` +
      v.steps.map((step) => `${step.step} ${step.status}`).join(', '),
  );
  for (const f of v.failures) out(`  ${f}`);
  const a = s.audit;
  out(
    `Audit (BRAVO ballot polling, ${a.contestId}, risk limit ${a.riskLimit}): ${a.status}; ` +
      `${a.rounds.length} round(s) (${a.rounds.map((r) => `${r.size} ballots, risk ${r.risk?.toFixed(4) ?? 'n/a'}`).join('; ')}); ` +
      `${a.ballotsExamined} of ${a.paperBallots} paper ballots examined; limit ${a.limitMet ? 'met' : 'NOT met'}`,
  );
  if (a.handCount !== undefined) {
    out(
      `  escalated to a full hand count of ${a.handCount.ballots} paper ballots: outcome ${a.handCount.outcomeConfirmed ? 'confirmed' : 'NOT confirmed'}, counts ${a.handCount.countsMatch ? 'equal to' : 'DIFFERENT from'} the reported ones`,
    );
  }
  const l = s.ledger;
  out(
    `Ledger: ${l.size} entries, root ${l.root}; ${l.verified ? 'verified' : 'FAILED verification'} (${l.entriesChecked} entries, ${l.headsChecked} signed heads)`,
  );
  for (const p of l.problems) out(`  ${p}`);
  if (l.bulletin.looked > 0) {
    out(
      `Bulletin board: ${l.bulletin.included} of ${l.bulletin.looked} confirmation codes looked up found cast, with inclusion proofs to a signed checkpoint`,
    );
  }
  out();
  out(
    `Elapsed: ${Object.entries(s.elapsed)
      .map(
        ([stage, seconds]) =>
          `${stage} ${seconds.toFixed(1)} s (CPU ${(s.cpu[stage] ?? 0).toFixed(1)} s)`,
      )
      .join(
        ', ',
      )}; ${s.requests} API requests; ${s.machine.cpus} cores, load ${s.machine.loadStart.toFixed(2)} → ${s.machine.loadEnd.toFixed(2)}`,
  );
  return `${lines.join('\n')}\n`;
}
