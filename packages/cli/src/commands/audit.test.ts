import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVigil } from '../testing.ts';

describe('vigil audit and vigil tally', () => {
  it('prints BRAVO and comparison sample sizes', async () => {
    const asn = await runVigil([
      'audit',
      'sample-size',
      '--method',
      'bravo',
      '--votes',
      '600,400',
      '--ballots',
      '1000',
      '--risk-limit',
      '0.1',
      '--asn',
    ]);
    expect(asn.stdout).toMatch(/average sample number: 119 ballots/);
    const cmp = await runVigil([
      'audit',
      'sample-size',
      '--method',
      'comparison',
      '--margin',
      '0.1',
      '--risk-limit',
      '0.1',
      '--json',
    ]);
    expect(JSON.parse(cmp.stdout)).toMatchObject({ size: 54 });
    const zero = await runVigil([
      'audit',
      'sample-size',
      '--method',
      'comparison',
      '--margin',
      '0',
      '--risk-limit',
      '0.1',
    ]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/greater than 0/);
  });

  it('draws a reproducible sample and tallies CVRs as NIST results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));
    const manifest = join(dir, 'manifest.csv');
    writeFileSync(manifest, 'Batch Name,Number of Ballots\nb1,100\nb2,50\n');
    const args = [
      'audit',
      'sample',
      '--seed',
      '12345678901234567890',
      '--manifest',
      manifest,
      '--size',
      '5',
    ];
    const [a, b] = await Promise.all([runVigil(args), runVigil(args)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const letters = await runVigil([
      'audit',
      'sample',
      '--seed',
      '1234567890abc',
      '--manifest',
      manifest,
      '--size',
      '5',
    ]);
    expect(letters.stderr).toMatch(/decimal digits only/);
    const cvrs = join(dir, 'cvrs.json');
    writeFileSync(
      cvrs,
      JSON.stringify([
        {
          ballotId: '1',
          ballotStyleId: 'bs-1',
          precinctId: 'p-101',
          votes: { governor: ['gov-okafor'] },
        },
      ]),
    );
    const nist = await runVigil(['tally', cvrs, '--format', 'nist-1500-100']);
    expect(JSON.parse(nist.stdout)).toMatchObject({ '@type': 'ElectionResults.ElectionReport' });
    writeFileSync(
      cvrs,
      JSON.stringify([
        { ballotId: '1', ballotStyleId: 'bs-1', precinctId: 'p-101', votes: { nope: [] } },
      ]),
    );
    const bad = await runVigil(['tally', cvrs]);
    expect(bad.stderr).toMatch(/contest "nope", which the election definition does not have/);
  });
});
