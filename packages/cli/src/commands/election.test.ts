import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigilSync, type VigilRun } from '../testing.ts';
import { parseElectionDefinition, sampleElectionPath, sha256Hex } from '@vigil/core';

const workDir = mkdtempSync(join(tmpdir(), 'vigil-election-cli-'));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function vigil(...args: string[]): VigilRun {
  return runVigilSync(args, { timeoutMs: 30_000 });
}

// Bad definitions are the sample with one change, edited as untyped JSON on purpose: the
// tests write values that the format's types forbid.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- see above */
type LooseJson = any;

/** Writes the sample with one change to a temporary file and returns its path. */
function sampleVariant(name: string, edit: (election: LooseJson) => unknown): string {
  const election: LooseJson = JSON.parse(readFileSync(sampleElectionPath, 'utf8'));
  edit(election);
  return writeTemp(name, JSON.stringify(election, null, 2));
}

function writeTemp(name: string, text: string): string {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
}

describe('vigil election validate', () => {
  it('accepts the sample and prints its title and the SHA-256 of the file', () => {
    const run = vigil('election', 'validate', sampleElectionPath);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const hash = sha256Hex(readFileSync(sampleElectionPath));
    expect(run.stdout).toBe(`valid: Franklin County General Election (sha256 ${hash})\n`);
  });

  const rejections: [string, () => string, RegExp][] = [
    [
      'text that is not JSON',
      () => writeTemp('not-json.json', '{\n  "id": "x",\n  "title": }\n'),
      /^ {2}\(root\): the file is not valid JSON at line 3, column 12: expected a value but found '}'/m,
    ],
    [
      'a missing file',
      () => join(workDir, 'no-such-file.json'),
      /^vigil: cannot read .*no-such-file\.json: there is no such file; check the path/m,
    ],
    [
      'a missing required field',
      () => sampleVariant('no-title.json', (e) => delete e.title),
      /^ {2}title: title is missing; add it, as text in double quotes\.$/m,
    ],
    [
      'a ballot style naming an unknown precinct',
      () =>
        sampleVariant(
          'unknown-precinct.json',
          (e) => (e.ballotStyles[0].precincts[0].precinctId = 'p-999'),
        ),
      /^ {2}ballotStyles\[0\]\.precincts\[0\]\.precinctId: unknown precinct "p-999"; add it to precincts, or correct the id\.$/m,
    ],
    [
      'two contests with one id',
      () =>
        sampleVariant('duplicate-contest.json', (e) => (e.contests[4].id = 'county-commission')),
      /^ {2}contests\[4\]\.id: contest id "county-commission" is already used by contests\[3\]; give each contest its own id\.$/m,
    ],
    [
      'vote-for 0',
      () => sampleVariant('vote-for-0.json', (e) => (e.contests[3].voteFor = 0)),
      /^ {2}contests\[3\]\.voteFor: vote-for must be at least 1; set voteFor to how many candidates a voter may choose\.$/m,
    ],
  ];

  for (const [name, makeFile, line] of rejections) {
    it(`refuses ${name} with exit code 1 and a line naming the problem`, () => {
      const run = vigil('election', 'validate', makeFile());
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(line);
    });
  }

  it('lists every problem, one line each, under a count', () => {
    const file = sampleVariant('two-problems.json', (e) => {
      e.contests[4].id = 'county-commission';
      e.contests[1].voteFor = 5;
    });
    const run = vigil('election', 'validate', file);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`invalid: ${file} has ${String(lines.length - 1)} problems:`);
    expect(lines.some((l) => l.startsWith('  contests[4].id: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('  contests[1].voteFor: vote-for is 5'))).toBe(true);
  });

  it('fails with usage help when the file is not given', () => {
    const run = vigil('election', 'validate');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing required argument 'file'/);
  });
});

describe('vigil election show', () => {
  it('summarizes the election: header, precincts with splits, contests, ballot styles', () => {
    const run = vigil('election', 'show', sampleElectionPath);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^Franklin County General Election\n/);
    expect(out).toContain('2026-11-03 (general election)');
    expect(out).toContain('Franklin County, State of Hamilton');
    expect(out).toContain(`sha256        ${sha256Hex(readFileSync(sampleElectionPath))}`);
    expect(out).toMatch(/p-103 {2}Cedar Falls, split 2 ways:\n {4}split p-103-n /);
    expect(out).toMatch(
      /county-commission {2}County Commissioner\n {4}vote for 2, 2 write-in lines/,
    );
    expect(out).toContain('ranked choice, rank up to 3, in City of Millbrook');
    expect(out).toContain('- Ruth Abernathy (FED)  [cc-abernathy]');
    expect(out).toContain('- For the levy (library-levy-yes)');
    expect(out).toMatch(/bs-2: used in p-102, p-103 \(split p-103-n\)\n {4}1\. governor /);
  });

  it('prints the parsed definition with --json, which is itself a valid definition', () => {
    const run = vigil('election', 'show', '--json', sampleElectionPath);
    expect(run.code).toBe(0);
    const reparsed = parseElectionDefinition(run.stdout);
    const original = parseElectionDefinition(readFileSync(sampleElectionPath));
    if (!reparsed.ok || !original.ok) throw new Error('the --json output is not a valid election');
    expect(reparsed.value.election).toEqual(original.value.election);
  });

  it('refuses an invalid definition the same way validate does', () => {
    const file = sampleVariant('show-vote-for-0.json', (e) => (e.contests[3].voteFor = 0));
    const run = vigil('election', 'show', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ {2}contests\[3\]\.voteFor: vote-for must be at least 1/m);
  });
});
