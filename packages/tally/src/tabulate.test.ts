import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { loadSampleElection, parseElectionDefinition, type Election } from '@vigil/core';
import type { CastVoteRecord } from './cvr.ts';
import { instantRunoff, OVERVOTED, SKIPPED } from './irv.ts';
import { toNistCvrReport, toNistResults } from './nist.ts';
import { syntheticCvrs } from './synthetic.ts';
import { tabulate } from './tabulate.ts';

const parsed = parseElectionDefinition(loadSampleElection());
if (!parsed.ok) throw new Error('the sample election does not parse');
const election: Election = parsed.value.election;

const ballot = (id: string, votes: CastVoteRecord['votes']): CastVoteRecord => ({
  ballotId: id,
  ballotStyleId: 'bs-1',
  precinctId: 'p-101',
  votes,
});

describe('tabulate', () => {
  it('counts vote-for-N with overvotes, undervotes and write-ins in vote units', () => {
    const commission = election.contests.find((c) => c.id === 'county-commission');
    const member = commission?.type === 'candidate' ? (commission.candidates[0]?.id ?? '') : '';
    const levy = election.contests.find((c) => c.id === 'library-levy');
    const levyYes = levy?.type === 'yesno' ? levy.yesOption.id : '';
    const r = tabulate(election, [
      ballot('1', { governor: ['gov-okafor'], 'county-commission': [member, { writeIn: 'Ada' }] }),
      ballot('2', { governor: ['gov-okafor', 'gov-marsh'] }),
      ballot('3', { governor: [], 'library-levy': [levyYes] }),
    ]);
    if (!r.ok) throw r.error;
    const gov = r.value.totals.find((t) => t.contestId === 'governor');
    expect(gov).toMatchObject({
      ballots: 3,
      votes: { 'gov-okafor': 1, 'gov-marsh': 0 },
      overvotes: 1,
      undervotes: 1,
    });
    const comm = r.value.totals.find((t) => t.contestId === 'county-commission');
    expect(comm?.writeIns).toBe(1);
    expect(r.value.writeInNames['county-commission']).toEqual({ Ada: 1 });
    // votes + write-ins + overvotes + undervotes = ballots × vote-for, for every contest.
    for (const t of r.value.totals) {
      const c = election.contests.find((x) => x.id === t.contestId);
      const voteFor = c?.type === 'candidate' ? c.voteFor : 1;
      const sum =
        Object.values(t.votes).reduce((a, b) => a + b, 0) + t.writeIns + t.overvotes + t.undervotes;
      expect(sum).toBe(t.ballots * voteFor);
    }
    expect(r.value.byArea.find((a) => a.precinctId === 'p-101')?.ballots).toBe(3);
    expect(r.value.byBallotStyle.find((s) => s.ballotStyleId === 'bs-1')?.ballots).toBe(3);
  });

  it('counts approval when asked: no overvotes', () => {
    const r = tabulate(
      election,
      [ballot('1', { governor: ['gov-okafor', 'gov-marsh'] }), ballot('2', {})],
      { approval: ['governor'] },
    );
    if (!r.ok) throw r.error;
    expect(r.value.totals.find((t) => t.contestId === 'governor')).toMatchObject({
      type: 'approval',
      votes: { 'gov-okafor': 1, 'gov-marsh': 1 },
      overvotes: 0,
      undervotes: 1,
    });
  });

  it('refuses a CVR for an unknown contest, a wrong area and a duplicate ballot', () => {
    const unknown = tabulate(election, [ballot('1', { 'dog-catcher': ['rex'] })]);
    expect(!unknown.ok && unknown.error.message).toMatch(
      /contest "dog-catcher", which the election definition does not have/,
    );
    const area = tabulate(election, [{ ...ballot('1', {}), precinctId: 'p-104' }]);
    expect(!area.ok && area.error.message).toMatch(/does not use ballot style bs-1/);
    const twice = tabulate(election, [ballot('1', {}), ballot('1', {})]);
    expect(!twice.ok && twice.error.message).toMatch(/two cast vote records/);
  });

  it('totals equal the sum of areas and of ballot styles', () => {
    const r = tabulate(election, syntheticCvrs(election, 5000, 3));
    if (!r.ok) throw r.error;
    for (const t of r.value.totals) {
      const fromAreas = r.value.byArea
        .flatMap((a) => a.contests)
        .filter((c) => c.contestId === t.contestId)
        .reduce((n, c) => n + c.ballots, 0);
      const fromStyles = r.value.byBallotStyle
        .flatMap((a) => a.contests)
        .filter((c) => c.contestId === t.contestId)
        .reduce((n, c) => n + c.ballots, 0);
      expect(fromAreas).toBe(t.ballots);
      expect(fromStyles).toBe(t.ballots);
    }
    expect(r.value.rankedChoice[0]?.winner).toBeDefined();
  });
});

describe('instant runoff', () => {
  const run = (choices: string[], ballots: number[][], seed = '') => {
    const ranks = Math.max(...ballots.map((b) => b.length));
    const rankings = new Int32Array(ballots.length * ranks).fill(SKIPPED);
    ballots.forEach((b, i) => {
      b.forEach((c, r) => {
        rankings[i * ranks + r] = c;
      });
    });
    return instantRunoff({
      contestId: 'm',
      choices,
      ranks,
      rankings,
      ballots: ballots.length,
      tieBreakSeed: seed,
    });
  };
  const many = (n: number, b: number[]) => Array.from({ length: n }, () => b);

  it('transfers votes and finds a majority winner', () => {
    const r = run(['a', 'b', 'c'], [...many(4, [0]), ...many(3, [1]), ...many(2, [2, 1])]);
    expect(r.winner).toBe('b');
    expect(r.rounds[0]?.eliminated).toEqual(['c']);
  });

  it('eliminates in a batch the candidates who cannot catch up', () => {
    const r = run(
      ['a', 'b', 'c', 'd', 'e'],
      [
        ...many(10, [0]),
        ...many(8, [1]),
        ...many(2, [2, 1]),
        ...many(1, [3, 0]),
        ...many(1, [4, 0]),
      ],
    );
    expect(r.rounds[0]?.reason).toBe('batch');
    expect([...(r.rounds[0]?.eliminated ?? [])].sort()).toEqual(['c', 'd', 'e']);
  });

  it('breaks a tie for last by the previous round, then by the seeded draw', () => {
    const r = run(
      ['a', 'b', 'c', 'd'],
      [...many(6, [0]), ...many(3, [1]), ...many(4, [2]), ...many(2, [3, 1])],
    );
    expect(r.rounds[1]).toMatchObject({ votes: { a: 6, b: 5, c: 4 } });
    const tied = run(['a', 'b', 'c'], [...many(4, [0]), ...many(2, [1]), ...many(2, [2, SKIPPED])]);
    expect(tied.rounds[0]?.reason).toBe('draw');
    // Same seed, same draw.
    expect(
      run(['a', 'b', 'c'], [...many(5, [0]), ...many(2, [1]), ...many(2, [2])], '42').rounds,
    ).toEqual(
      run(['a', 'b', 'c'], [...many(5, [0]), ...many(2, [1]), ...many(2, [2])], '42').rounds,
    );
    const prev = run(
      ['a', 'b', 'c', 'd'],
      [
        ...many(5, [0]),
        ...many(3, [1]),
        ...many(2, [2]),
        ...many(1, [3, 2]),
        ...many(1, [OVERVOTED]),
      ],
    );
    expect(prev.rounds[1]).toMatchObject({
      votes: { a: 5, b: 3, c: 3 },
      reason: 'previous-round',
      eliminated: ['c'],
    });
  });
});

// The NIST schemas live in the shared data folder, never in the repository.
const here = dirname(fileURLToPath(import.meta.url));
const sharedData = process.env.VIGIL_SHARED_DATA ?? resolve(here, '../../../../shared/data');
const resultsSchemaPath = join(
  sharedData,
  'nist-cdf/election-results-reporting/NIST_V2_election_results_reporting.json',
);
const cvrSchemaPath = join(sharedData, 'nist-cdf/cast-vote-records/NIST_V0_cast_vote_records.json');
const haveSchemas = existsSync(resultsSchemaPath) && existsSync(cvrSchemaPath);
if (!haveSchemas) {
  console.warn(
    `NIST export validation skipped: the schemas are absent from ${sharedData}/nist-cdf; set VIGIL_SHARED_DATA to the shared data folder.`,
  );
}

describe.skipIf(!haveSchemas)('NIST exports validate against the schemas', () => {
  // Draft-04 schemas: Ajv 8 reads them only through ajv-draft-04 (see ledger's nist.test.ts).
  const validator = (path: string) => {
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    return ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  };
  const cvrs = syntheticCvrs(election, 300, 5);

  it('SP 1500-100 v2 results', () => {
    const r = tabulate(election, cvrs);
    if (!r.ok) throw r.error;
    const validate = validator(resultsSchemaPath);
    const ok = validate(toNistResults(election, r.value, { generatedAt: '2026-11-04T02:00:00Z' }));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('SP 1500-103 cast vote records', () => {
    const validate = validator(cvrSchemaPath);
    const ok = validate(toNistCvrReport(election, cvrs, { generatedAt: '2026-11-04T02:00:00Z' }));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});
