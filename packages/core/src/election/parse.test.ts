import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../hash.ts';
import { parseElectionDefinition } from './parse.ts';
import { loadSampleElection, sampleElectionPath } from './sample.ts';
import type { ElectionProblem } from './types.ts';

// Bad definitions are built from the sample by changing one thing, so each test shows
// exactly which mistake it is about. The sample is edited as untyped JSON on purpose: the
// tests write values that the format's types forbid.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- see above */
type LooseJson = any;

function variant(edit: (election: LooseJson) => unknown): string {
  const election: LooseJson = JSON.parse(new TextDecoder().decode(loadSampleElection()));
  edit(election);
  return JSON.stringify(election, null, 2);
}

function problemsOf(input: string | Uint8Array): ElectionProblem[] {
  const result = parseElectionDefinition(input);
  if (result.ok) throw new Error('expected the definition to be refused, but it was accepted');
  return result.error;
}

/** Asserts that one of the problems is at `path` with a message matching `message`. */
function expectProblem(problems: ElectionProblem[], path: string, message: RegExp): void {
  const atPath = problems.filter((p) => p.path === path);
  expect(atPath, `no problem at ${path}; got ${JSON.stringify(problems, null, 2)}`).not.toEqual([]);
  expect(atPath.map((p) => p.message).join('\n')).toMatch(message);
  for (const p of problems) {
    // Every message is a sentence a person can act on: it says what to do after a ';'.
    expect(p.message).toMatch(/[.?]$/);
    expect(p.message.length).toBeGreaterThan(20);
  }
}

describe('the sample election', () => {
  it('is a valid definition and is hashed as the bytes on disk', () => {
    const bytes = loadSampleElection();
    const result = parseElectionDefinition(bytes);
    if (!result.ok) throw new Error(JSON.stringify(result.error, null, 2));
    const { election, hash } = result.value;
    expect(sampleElectionPath).toMatch(/sample-election\.json$/);
    expect(hash).toBe(sha256Hex(bytes));
    expect(election.title).toBe('Franklin County General Election');
    expect(election.date).toBe('2026-11-03');
    expect(election.precincts.length).toBeGreaterThanOrEqual(3);
    expect(election.precincts.some((p) => 'splits' in p)).toBe(true);
    expect(election.ballotStyles.length).toBeGreaterThanOrEqual(2);
    expect(election.contests.length).toBeGreaterThanOrEqual(6);
    const types = election.contests.map((c) => c.type);
    expect(types).toContain('ranked-choice');
    expect(types).toContain('yesno');
    expect(election.contests.some((c) => c.type === 'candidate' && c.voteFor === 2)).toBe(true);
    expect(election.contests.some((c) => c.type === 'candidate' && c.writeInLines > 0)).toBe(true);
  });

  it('fills defaults: no party list means nonpartisan, no write-in lines means none', () => {
    const result = parseElectionDefinition(loadSampleElection());
    if (!result.ok) throw new Error('sample refused');
    const mayor = result.value.election.contests.find((c) => c.id === 'millbrook-mayor');
    expect(mayor).toMatchObject({ type: 'ranked-choice', writeInLines: 0, ranks: 3 });
    if (mayor?.type !== 'ranked-choice') throw new Error('not ranked-choice');
    expect(mayor.candidates[0]?.partyIds).toEqual([]);
  });
});

describe('hashing', () => {
  it('hashes the exact bytes: the same election written differently has another hash', () => {
    const bytes = loadSampleElection();
    const compact = JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)));
    const a = parseElectionDefinition(bytes);
    const b = parseElectionDefinition(compact);
    const c = parseElectionDefinition(`${compact}\n`);
    if (!a.ok || !b.ok || !c.ok) throw new Error('variants refused');
    expect(b.value.election).toEqual(a.value.election);
    expect(b.value.hash).not.toBe(a.value.hash);
    expect(c.value.hash).not.toBe(b.value.hash);
    expect(b.value.hash).toBe(sha256Hex(compact));
  });

  it('gives a string the hash of its UTF-8 bytes', () => {
    const text = new TextDecoder().decode(loadSampleElection());
    const fromText = parseElectionDefinition(text);
    const fromBytes = parseElectionDefinition(new TextEncoder().encode(text));
    if (!fromText.ok || !fromBytes.ok) throw new Error('sample refused');
    expect(fromText.value.hash).toBe(fromBytes.value.hash);
  });

  it('accepts a leading byte order mark but counts it in the hash', () => {
    const bytes = loadSampleElection();
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    const result = parseElectionDefinition(withBom);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.hash).toBe(sha256Hex(withBom));
    expect(result.value.hash).not.toBe(sha256Hex(bytes));
  });
});

describe('text that is not a JSON election', () => {
  it('names the JSON syntax error and where it is', () => {
    const text = new TextDecoder()
      .decode(loadSampleElection())
      .replace('"title": "Franklin County General Election",', '"title": "Franklin County",,');
    const [problem, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(problem?.path).toBe('(root)');
    expect(problem?.message).toMatch(/not valid JSON at line 3, column \d+: /);
  });

  it('explains a trailing comma, a missing comma, comments and single quotes', () => {
    const cases: [string, RegExp][] = [
      ['{"id": "x",}', /line 1, column 12: found a trailing comma before '}'/],
      ['{\n  "id": "x"\n  "title": "y"\n}', /line 3, column 3: expected ',' or '}'.*missing comma/],
      ['{ // note\n}', /line 1, column 3: .*comment/],
      ["{'id': 'x'}", /line 1, column 2: .*double quotes/],
      ['{"id": "x"', /line 1, column 11: the text ends inside an object/],
      ['', /the file is empty/],
      ['{"voteFor": 01}', /'01' is not a JSON number/],
      ['{"a": True}', /'True' is not a JSON value/],
    ];
    for (const [text, message] of cases) {
      const problems = problemsOf(text);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toBe('(root)');
      expect(problems[0]?.message).toMatch(message);
    }
  });

  it('refuses bytes that are not UTF-8', () => {
    expectProblem(problemsOf(new Uint8Array([0x7b, 0xff, 0x7d])), '(root)', /not valid UTF-8/);
  });

  it('refuses a key given twice, since JSON readers disagree on which one counts', () => {
    const text = new TextDecoder()
      .decode(loadSampleElection())
      .replace('"voteFor": 2,', '"voteFor": 2, "voteFor": 3,');
    expectProblem(
      problemsOf(text),
      'contests[3].voteFor',
      /"voteFor" appears twice in this object .*remove one/,
    );
  });

  it('refuses a document that is not an object', () => {
    expectProblem(problemsOf('[1, 2]'), '(root)', /must be a JSON object.*but this is a list/);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expectProblem(
      problemsOf('['.repeat(100_000) + ']'.repeat(100_000)),
      '(root)',
      /nests deeper than 64 levels/,
    );
  });
});

describe('shape problems', () => {
  const cases: [string, (e: LooseJson) => unknown, string, RegExp][] = [
    ['a missing title', (e) => delete e.title, 'title', /title is missing; add it/],
    [
      'a missing jurisdiction state',
      (e) => delete e.jurisdiction.state,
      'jurisdiction.state',
      /state is missing/,
    ],
    ['a blank title', (e) => (e.title = '  '), 'title', /blank/],
    ['a title of the wrong type', (e) => (e.title = 7), 'title', /must be text .* the number 7/],
    [
      'an unknown election type',
      (e) => (e.type = 'generall'),
      'type',
      /one of "general", .* "generall"/,
    ],
    ['a date in another form', (e) => (e.date = '11/03/2026'), 'date', /YYYY-MM-DD/],
    [
      'a date not on the calendar',
      (e) => (e.date = '2026-02-30'),
      'date',
      /not a day of the calendar/,
    ],
    [
      'an id with spaces',
      (e) => (e.districts[0].id = 'franklin county'),
      'districts[0].id',
      /not a valid district id/,
    ],
    [
      'an unknown field',
      (e) => (e.contests[0].writeinLines = 1),
      'contests[0].writeinLines',
      /unknown field "writeinLines" \(did you mean "writeInLines"\?\)/,
    ],
    [
      'an unknown contest type',
      (e) => (e.contests[0].type = 'plurality'),
      'contests[0].type',
      /"candidate", "ranked-choice" or "yesno".*"plurality"/,
    ],
    [
      'a contest without a type',
      (e) => delete e.contests[0].type,
      'contests[0].type',
      /type is missing/,
    ],
    [
      'vote-for 0',
      (e) => (e.contests[3].voteFor = 0),
      'contests[3].voteFor',
      /vote-for must be at least 1/,
    ],
    [
      'a fractional vote-for',
      (e) => (e.contests[3].voteFor = 1.5),
      'contests[3].voteFor',
      /whole number.*1\.5/,
    ],
    ['ranks 0', (e) => (e.contests[5].ranks = 0), 'contests[5].ranks', /ranks must be at least 1/],
    [
      'negative write-in lines',
      (e) => (e.contests[0].writeInLines = -1),
      'contests[0].writeInLines',
      /cannot be negative/,
    ],
    [
      'a ballot style with no precinct',
      (e) => (e.ballotStyles[0].precincts = []),
      'ballotStyles[0].precincts',
      /used by no precinct/,
    ],
    [
      'a ballot style with no contest',
      (e) => (e.ballotStyles[0].contestIds = []),
      'ballotStyles[0].contestIds',
      /shows no contest/,
    ],
    ['no contests at all', (e) => (e.contests = []), 'contests', /the election has no contests/],
    [
      'a precinct with districts and splits',
      (e) => (e.precincts[2].districtIds = ['franklin-county']),
      'precincts[2].districtIds',
      /both districtIds and splits/,
    ],
    [
      'a precinct with neither',
      (e) => delete e.precincts[0].districtIds,
      'precincts[0].districtIds',
      /names no districts/,
    ],
    [
      'a precinct with one split',
      (e) => e.precincts[2].splits.pop(),
      'precincts[2].splits',
      /at least two splits/,
    ],
    [
      'a precinct in no district',
      (e) => (e.precincts[0].districtIds = []),
      'precincts[0].districtIds',
      /district list is empty/,
    ],
  ];

  for (const [name, edit, path, message] of cases) {
    it(`refuses ${name}`, () => {
      expectProblem(problemsOf(variant(edit)), path, message);
    });
  }

  it('reports shape problems alone, before cross references that would only echo them', () => {
    const problems = problemsOf(variant((e) => (e.contests[3].voteFor = 0)));
    expect(problems).toEqual([
      {
        path: 'contests[3].voteFor',
        message:
          'vote-for must be at least 1; set voteFor to how many candidates a voter may choose.',
      },
    ]);
  });

  it('reports every missing field of an empty object at once', () => {
    const paths = problemsOf('{}').map((p) => p.path);
    expect(paths).toEqual([
      'id',
      'title',
      'jurisdiction',
      'date',
      'type',
      'districts',
      'precincts',
      'parties',
      'contests',
      'ballotStyles',
    ]);
  });
});
