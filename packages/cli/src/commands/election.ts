import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  err,
  isSplitPrecinct,
  missingCase,
  ok,
  parseElectionDefinition,
  type Candidate,
  type Contest,
  type Election,
  type ParsedElection,
  type Result,
} from '@vigil/core';

/**
 * `vigil election validate <file>` and `vigil election show <file> [--json]`: thin wrappers
 * over `parseElectionDefinition`, so the command line says exactly what the library says.
 */
export function registerElectionCommands(program: Command): void {
  const election = program
    .command('election')
    .description('check and inspect election definitions (JSON)');

  election
    .command('validate')
    .description('check an election definition and print its SHA-256, or every problem in it')
    .argument('<file>', 'the election definition, a JSON file')
    .action(async (file: string) => {
      const loaded = await loadElection(file);
      if (!loaded.ok) {
        reportFailure(file, loaded.error);
        return;
      }
      const { election: e, hash } = loaded.value;
      process.stdout.write(`valid: ${e.title} (sha256 ${hash})\n`);
    });

  election
    .command('show')
    .description('print a readable summary of an election definition')
    .argument('<file>', 'the election definition, a JSON file')
    .option('--json', 'print the parsed definition as JSON instead (defaults filled in)')
    .action(async (file: string, options: { json?: boolean }) => {
      const loaded = await loadElection(file);
      if (!loaded.ok) {
        reportFailure(file, loaded.error);
        return;
      }
      const { election: e, hash } = loaded.value;
      process.stdout.write(
        options.json === true ? `${JSON.stringify(e, null, 2)}\n` : formatElectionSummary(e, hash),
      );
    });
}

/** Why a file could not be used: unreadable, or the problems found in it. */
type LoadFailure =
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] };

async function loadElection(file: string): Promise<Result<ParsedElection, LoadFailure>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return err({ kind: 'unreadable', reason: describeReadError(e) });
  }
  const parsed = parseElectionDefinition(bytes);
  if (!parsed.ok) {
    return err({
      kind: 'invalid',
      problems: parsed.error.map((p) => `${p.path}: ${p.message}`),
    });
  }
  return ok(parsed.value);
}

function reportFailure(file: string, failure: LoadFailure): void {
  process.exitCode = 1;
  switch (failure.kind) {
    case 'unreadable':
      process.stderr.write(`vigil: cannot read ${file}: ${failure.reason}\n`);
      return;
    case 'invalid': {
      const count = failure.problems.length;
      process.stderr.write(
        `invalid: ${file} has ${count} ${count === 1 ? 'problem' : 'problems'}:\n` +
          failure.problems.map((line) => `  ${line}\n`).join(''),
      );
      return;
    }
    default:
      missingCase(failure);
  }
}

function describeReadError(e: unknown): string {
  const code = e instanceof Error && 'code' in e ? e.code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'there is no such file; check the path and try again.';
    case 'EISDIR':
      return 'it is a folder; name the election definition file inside it.';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; make the file readable by this user.';
    default:
      return `${e instanceof Error ? e.message : String(e)}.`;
  }
}

/**
 * A summary for a person checking a definition before it is used: what the election is,
 * where it is, which areas vote on which contests, and who is on the ballot.
 */
export function formatElectionSummary(election: Election, hash: string): string {
  const lines: string[] = [];
  const partyNames = new Map(election.parties.map((p) => [p.id, p.abbreviation]));
  const contestsById = new Map(election.contests.map((c) => [c.id, c]));
  const districtNames = new Map(election.districts.map((d) => [d.id, d.name]));

  lines.push(
    election.title,
    `  id            ${election.id}`,
    `  date          ${election.date} (${election.type} election)`,
    `  jurisdiction  ${election.jurisdiction.name}, ${election.jurisdiction.state}`,
    `  sha256        ${hash}`,
  );

  section(lines, 'Districts', election.districts.length);
  const districtWidth = widest(election.districts.map((d) => d.id));
  for (const d of election.districts) lines.push(`  ${d.id.padEnd(districtWidth)}  ${d.name}`);

  section(lines, 'Parties', election.parties.length);
  const partyWidth = widest(election.parties.map((p) => p.id));
  for (const p of election.parties) {
    lines.push(`  ${p.id.padEnd(partyWidth)}  ${p.name} (${p.abbreviation})`);
  }

  section(lines, 'Precincts', election.precincts.length);
  for (const p of election.precincts) {
    if (isSplitPrecinct(p)) {
      lines.push(`  ${p.id}  ${p.name}, split ${String(p.splits.length)} ways:`);
      for (const s of p.splits) {
        lines.push(`    split ${s.id}  ${s.name}: districts ${s.districtIds.join(', ')}`);
      }
    } else {
      lines.push(`  ${p.id}  ${p.name}: districts ${p.districtIds.join(', ')}`);
    }
  }

  section(lines, 'Contests', election.contests.length);
  for (const c of election.contests) {
    const district = districtNames.get(c.districtId) ?? c.districtId;
    lines.push(`  ${c.id}  ${c.title}`, `    ${describeContestRule(c)}, in ${district}`);
    switch (c.type) {
      case 'candidate':
      case 'ranked-choice':
        for (const candidate of c.candidates) {
          lines.push(`    - ${describeCandidate(candidate, partyNames)}`);
        }
        if (c.candidates.length === 0) lines.push('    (no candidates: write-ins only)');
        break;
      case 'yesno':
        lines.push(
          `    ${c.description}`,
          `    - ${c.yesOption.label} (${c.yesOption.id})`,
          `    - ${c.noOption.label} (${c.noOption.id})`,
        );
        break;
      default:
        missingCase(c);
    }
  }

  section(lines, 'Ballot styles', election.ballotStyles.length);
  for (const style of election.ballotStyles) {
    const areas = style.precincts.map((a) =>
      a.splitId === undefined ? a.precinctId : `${a.precinctId} (split ${a.splitId})`,
    );
    const party = style.partyId === undefined ? '' : ` [${style.partyId} primary ballot]`;
    lines.push(`  ${style.id}${party}: used in ${areas.join(', ')}`);
    style.contestIds.forEach((id, i) => {
      lines.push(`    ${String(i + 1)}. ${id}  ${contestsById.get(id)?.title ?? '(unknown)'}`);
    });
  }

  return `${lines.join('\n')}\n`;
}

function describeContestRule(contest: Contest): string {
  switch (contest.type) {
    case 'candidate':
      return `vote for ${String(contest.voteFor)}${writeIns(contest.writeInLines)}`;
    case 'ranked-choice':
      return `ranked choice, rank up to ${String(contest.ranks)}${writeIns(contest.writeInLines)}`;
    case 'yesno':
      return 'yes/no measure';
    default:
      return missingCase(contest);
  }
}

function writeIns(lines: number): string {
  if (lines === 0) return '';
  return lines === 1 ? ', 1 write-in line' : `, ${String(lines)} write-in lines`;
}

function describeCandidate(candidate: Candidate, partyNames: Map<string, string>): string {
  const parties = candidate.partyIds.map((id) => partyNames.get(id) ?? id);
  return `${candidate.name}${parties.length > 0 ? ` (${parties.join(', ')})` : ''}  [${candidate.id}]`;
}

function section(lines: string[], title: string, count: number): void {
  lines.push('', `${title} (${String(count)})`);
}

function widest(values: readonly string[]): number {
  return values.reduce((max, v) => Math.max(max, v.length), 0);
}
