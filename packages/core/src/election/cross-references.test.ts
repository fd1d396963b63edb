import { describe, expect, it } from 'vitest';
import { parseElectionDefinition } from './parse.ts';
import { loadSampleElection } from './sample.ts';
import type { ElectionProblem } from './types.ts';

// Each case changes one thing in the sample (or in a small primary election) and names the
// problem it must cause. The JSON is edited untyped on purpose: the tests write values the
// format's types forbid.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- see above */
type LooseJson = any;

function variant(edit: (election: LooseJson) => unknown, base: unknown = sample()): string {
  const election: LooseJson = structuredClone(base);
  edit(election);
  return JSON.stringify(election, null, 2);
}

function sample(): unknown {
  return JSON.parse(new TextDecoder().decode(loadSampleElection()));
}

function problemsOf(input: string): ElectionProblem[] {
  const result = parseElectionDefinition(input);
  if (result.ok) throw new Error('expected the definition to be refused, but it was accepted');
  return result.error;
}

function expectProblem(problems: ElectionProblem[], path: string, message: RegExp): void {
  const messages = problems.filter((p) => p.path === path).map((p) => p.message);
  expect(messages, `no problem at ${path}; got ${JSON.stringify(problems, null, 2)}`).not.toEqual(
    [],
  );
  expect(messages.join('\n')).toMatch(message);
}

/** A closed primary: each party's voters get their party's ballot; the measure is on both. */
const primary = {
  id: 'hamilton-2026-primary',
  title: 'Franklin County Primary Election',
  jurisdiction: { name: 'Franklin County', state: 'State of Hamilton' },
  date: '2026-05-19',
  type: 'primary',
  districts: [{ id: 'county', name: 'Franklin County' }],
  precincts: [{ id: 'p-1', name: 'Ashford', districtIds: ['county'] }],
  parties: [
    { id: 'fed', name: 'Federalist Party', abbreviation: 'FED' },
    { id: 'pro', name: 'Progressive Party', abbreviation: 'PRO' },
  ],
  contests: [
    {
      type: 'candidate',
      id: 'gov-fed',
      districtId: 'county',
      title: 'Governor (Federalist)',
      partyId: 'fed',
      voteFor: 1,
      candidates: [{ id: 'a', name: 'A. Adams', partyIds: ['fed'] }],
    },
    {
      type: 'ranked-choice',
      id: 'gov-pro',
      districtId: 'county',
      title: 'Governor (Progressive)',
      partyId: 'pro',
      ranks: 2,
      candidates: [
        { id: 'b', name: 'B. Brown', partyIds: ['pro'] },
        { id: 'c', name: 'C. Cole', partyIds: ['pro'] },
      ],
      writeInLines: 1,
    },
    {
      type: 'yesno',
      id: 'levy',
      districtId: 'county',
      title: 'Levy',
      description: 'Shall the levy pass?',
      yesOption: { id: 'levy-yes', label: 'Yes' },
      noOption: { id: 'levy-no', label: 'No' },
    },
  ],
  ballotStyles: [
    {
      id: 'fed-1',
      partyId: 'fed',
      precincts: [{ precinctId: 'p-1' }],
      contestIds: ['gov-fed', 'levy'],
    },
    {
      id: 'pro-1',
      partyId: 'pro',
      precincts: [{ precinctId: 'p-1' }],
      contestIds: ['gov-pro', 'levy'],
    },
  ],
};

describe('cross references', () => {
  it('accepts a primary with one ballot style per party for the same precinct', () => {
    const result = parseElectionDefinition(JSON.stringify(primary));
    expect(result.ok ? 'valid' : result.error).toBe('valid');
  });

  const cases: [string, (e: LooseJson) => unknown, string, RegExp][] = [
    // Duplicate ids, in every collection.
    [
      'two districts with one id',
      (e) => (e.districts[1].id = 'franklin-county'),
      'districts[1].id',
      /district id "franklin-county" is already used by districts\[0\]/,
    ],
    [
      'two precincts with one id',
      (e) => (e.precincts[3].id = 'p-101'),
      'precincts[3].id',
      /precinct id "p-101" is already used/,
    ],
    [
      'two splits with one id',
      (e) => (e.precincts[2].splits[1].id = 'p-103-n'),
      'precincts[2].splits[1].id',
      /split id "p-103-n" is already used by precincts\[2\]\.splits\[0\]/,
    ],
    [
      'two parties with one id',
      (e) => (e.parties[2].id = 'federalist'),
      'parties[2].id',
      /party id "federalist" is already used/,
    ],
    [
      'two contests with one id',
      (e) => (e.contests[4].id = 'county-commission'),
      'contests[4].id',
      /contest id "county-commission" is already used by contests\[3\]/,
    ],
    [
      'two ballot styles with one id',
      (e) => (e.ballotStyles[2].id = 'bs-1'),
      'ballotStyles[2].id',
      /ballot style id "bs-1" is already used/,
    ],
    [
      'one candidate id in two contests',
      (e) => (e.contests[4].candidates[0].id = 'gov-marsh'),
      'contests[4].candidates[0].id',
      /candidate id "gov-marsh" is already used by contests\[0\]\.candidates\[1\]; .*unique across the election/,
    ],
    [
      'a measure option with a candidate id',
      (e) => (e.contests[6].noOption.id = 'gov-marsh'),
      'contests[6].noOption.id',
      /option id "gov-marsh" is already used/,
    ],
    // Unknown references.
    [
      'a precinct in an unknown district',
      (e) => e.precincts[0].districtIds.push('school-9'),
      'precincts[0].districtIds[2]',
      /unknown district "school-9"; add it to districts/,
    ],
    [
      'a split in an unknown district',
      (e) => (e.precincts[2].splits[0].districtIds[2] = 'nowhere'),
      'precincts[2].splits[0].districtIds[2]',
      /unknown district "nowhere"/,
    ],
    [
      'a district listed twice',
      (e) => e.precincts[0].districtIds.push('house-12'),
      'precincts[0].districtIds[2]',
      /listed twice/,
    ],
    [
      'a contest in an unknown district',
      (e) => (e.contests[1].districtId = 'house-99'),
      'contests[1].districtId',
      /unknown district "house-99"/,
    ],
    [
      'a candidate of an unknown party',
      (e) => (e.contests[0].candidates[0].partyIds = ['whig']),
      'contests[0].candidates[0].partyIds[0]',
      /unknown party "whig"; add it to parties/,
    ],
    [
      'a contest of an unknown party',
      (e) => (e.contests[0].partyId = 'whig'),
      'contests[0].partyId',
      /unknown party "whig"/,
    ],
    [
      'a ballot style of an unknown party',
      (e) => (e.ballotStyles[0].partyId = 'whig'),
      'ballotStyles[0].partyId',
      /unknown party "whig"/,
    ],
    [
      'a ballot style naming an unknown precinct',
      (e) => (e.ballotStyles[0].precincts[0].precinctId = 'p-999'),
      'ballotStyles[0].precincts[0].precinctId',
      /unknown precinct "p-999"; add it to precincts/,
    ],
    [
      'a ballot style naming an unknown split',
      (e) => (e.ballotStyles[1].precincts[1].splitId = 'p-103-x'),
      'ballotStyles[1].precincts[1].splitId',
      /precinct "p-103" has no split "p-103-x"; use one of "p-103-n" or "p-103-s"/,
    ],
    [
      'a split precinct without its split',
      (e) => delete e.ballotStyles[1].precincts[1].splitId,
      'ballotStyles[1].precincts[1]',
      /precinct "p-103" is split, so name the split/,
    ],
    [
      'a split of an unsplit precinct',
      (e) => (e.ballotStyles[0].precincts[0].splitId = 'p-101-a'),
      'ballotStyles[0].precincts[0].splitId',
      /precinct "p-101" is not split/,
    ],
    [
      'a ballot style naming an unknown contest',
      (e) => e.ballotStyles[0].contestIds.push('dog-catcher'),
      'ballotStyles[0].contestIds[5]',
      /unknown contest "dog-catcher"/,
    ],
    [
      'a contest twice on one ballot style',
      (e) => e.ballotStyles[0].contestIds.push('governor'),
      'ballotStyles[0].contestIds[5]',
      /contest "governor" is listed twice/,
    ],
    [
      'a precinct twice on one ballot style',
      (e) => e.ballotStyles[0].precincts.push({ precinctId: 'p-101' }),
      'ballotStyles[0].precincts[1]',
      /precinct "p-101" is listed twice/,
    ],
    // Counts that do not fit the candidates.
    [
      'vote-for above candidates and write-ins',
      (e) => (e.contests[3].voteFor = 7),
      'contests[3].voteFor',
      /vote-for is 7 but the contest offers only 6 choices \(4 candidates and 2 write-in lines\); lower voteFor/,
    ],
    [
      'vote-for above candidates when there are no write-ins',
      (e) => (e.contests[1].voteFor = 3),
      'contests[1].voteFor',
      /offers only 2 choices/,
    ],
    [
      'more write-in lines than votes',
      (e) => (e.contests[0].writeInLines = 2),
      'contests[0].writeInLines',
      /2 write-in lines but a voter may choose only 1/,
    ],
    [
      'more ranks than candidates',
      (e) => (e.contests[5].ranks = 5),
      'contests[5].ranks',
      /ranks is 5 but the contest offers only 4 choices/,
    ],
    [
      'a measure whose options read the same',
      (e) => (e.contests[7].noOption.label = 'yes'),
      'contests[7].noOption.label',
      /both labelled "yes"/,
    ],
    // Ballot styles against the map of districts.
    [
      'a contest on a ballot style of areas outside its district',
      (e) => e.ballotStyles[0].contestIds.push('millbrook-mayor'),
      'ballotStyles[0].contestIds[5]',
      /contest "millbrook-mayor" is for district "millbrook-city", but precinct "p-101" on this ballot style is not in that district/,
    ],
    [
      'a ballot style mixing areas of different districts',
      (e) => e.ballotStyles[1].precincts.push(e.ballotStyles[2].precincts.shift()),
      'ballotStyles[1].contestIds[1]',
      /split "p-103-s" of precinct "p-103" on this ballot style is not in that district/,
    ],
    [
      'a ballot style missing a contest of its districts',
      (e) => e.ballotStyles[1].contestIds.splice(4, 1),
      'ballotStyles[1].contestIds',
      /contest "millbrook-mayor" is missing, though precinct "p-102" and split "p-103-n" of precinct "p-103" on this ballot style are in its district "millbrook-city"/,
    ],
    [
      'a precinct on no ballot style',
      (e) => e.ballotStyles[2].precincts.pop(),
      'precincts[3]',
      /precinct "p-104" is on no ballot style, so its voters would get no ballot/,
    ],
    [
      'a split on no ballot style',
      (e) => e.ballotStyles[2].precincts.shift(),
      'precincts[2].splits[1]',
      /split "p-103-s" of precinct "p-103" is on no ballot style/,
    ],
    [
      'a precinct on two ballot styles',
      (e) => e.ballotStyles[2].precincts.push({ precinctId: 'p-101' }),
      'ballotStyles[2].precincts[2]',
      /precinct "p-101" already uses ballot style "bs-1"; a voter there must get exactly one ballot/,
    ],
    [
      'a contest whose district has no precinct',
      (e) => (
        e.districts.push({ id: 'school-9', name: 'School District 9' }),
        e.contests.push({
          type: 'yesno',
          id: 'school-bond',
          districtId: 'school-9',
          title: 'Bond',
          description: 'Shall the bond pass?',
          yesOption: { id: 'sb-yes', label: 'Yes' },
          noOption: { id: 'sb-no', label: 'No' },
        })
      ),
      'contests[8]',
      /contest "school-bond" is on no ballot style, so no one can vote in it/,
    ],
  ];

  for (const [name, edit, path, message] of cases) {
    it(`refuses ${name}`, () => {
      expectProblem(problemsOf(variant(edit)), path, message);
    });
  }

  const primaryCases: [string, (e: LooseJson) => unknown, string, RegExp][] = [
    [
      "a party's contest on another party's ballot",
      (e) => e.ballotStyles[1].contestIds.push('gov-fed'),
      'ballotStyles[1].contestIds[2]',
      /contest "gov-fed" is party "fed"'s primary contest, but this ballot style is for party "pro"/,
    ],
    [
      "a party's contest on a nonpartisan ballot",
      (e) =>
        e.ballotStyles.push({
          id: 'np',
          precincts: [{ precinctId: 'p-1' }],
          contestIds: ['levy', 'gov-pro'],
        }),
      'ballotStyles[2].contestIds[1]',
      /is party "pro"'s primary contest, but this ballot style is not for a party/,
    ],
    [
      "a party's ballot missing its own contest",
      (e) => e.ballotStyles[0].contestIds.shift(),
      'ballotStyles[0].contestIds',
      /contest "gov-fed" is missing/,
    ],
    [
      'two ballot styles of one party for one precinct',
      (e) => (e.ballotStyles[1].partyId = 'fed'),
      'ballotStyles[1].precincts[0]',
      /already uses ballot style "fed-1", also for party "fed"; .* one ballot per party/,
    ],
  ];

  for (const [name, edit, path, message] of primaryCases) {
    it(`refuses ${name}`, () => {
      expectProblem(problemsOf(variant(edit, primary)), path, message);
    });
  }

  it('reports every cross-reference problem in one run', () => {
    const problems = problemsOf(
      variant((e) => {
        e.contests[4].id = 'county-commission';
        e.ballotStyles[0].precincts[0].precinctId = 'p-999';
        e.contests[3].voteFor = 9;
      }),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('contests[4].id');
    expect(paths).toContain('ballotStyles[0].precincts[0].precinctId');
    expect(paths).toContain('contests[3].voteFor');
  });
});
