import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEAF_INPUTS_HEX, ROOTS_HEX } from '@vigil/ledger/testing';
import { runVigil, type VigilRun } from '../testing.ts';

// Runs the real `vigil` binary, as a person would.
function vigil(...args: string[]): Promise<VigilRun> {
  return runVigil(args);
}

// The leaf inputs and roots published in transparency-dev/merkle, as the ledger's own tests use them.
const LEAVES = LEAF_INPUTS_HEX;
const ROOT_8 = ROOTS_HEX[8]!;
const ROOT_EMPTY = ROOTS_HEX[0]!;

const dir = mkdtempSync(join(tmpdir(), 'vigil-ledger-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const leaves = file('leaves.txt', `${LEAVES.join('\n')}\n`);

describe('vigil ledger (pure commands)', () => {
  it('prints the tree head of the published vector leaves', async () => {
    // Trailing blank lines, CRLF endings and upper-case hex make no difference.
    const loose = file('loose.txt', `${LEAVES.join('\r\n').toUpperCase()}\r\n\r\n\n`);
    const [plain, relaxed, empty, three] = await Promise.all([
      vigil('ledger', 'root', leaves),
      vigil('ledger', 'root', loose),
      vigil('ledger', 'root', file('empty.txt', '')),
      vigil('ledger', 'root', leaves, '--size', '3'),
    ]);
    expect(plain).toEqual({ code: 0, stdout: `${ROOT_8}\n`, stderr: '' });
    expect(relaxed.stdout).toBe(`${ROOT_8}\n`);
    expect(empty.stdout).toBe(`${ROOT_EMPTY}\n`);
    expect(three.stdout).toBe('aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77\n');
  });

  it('prints inclusion proofs one hash per line', async () => {
    const r = await vigil('ledger', 'inclusion-proof', leaves, '--index', '5');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        '',
      ].join('\n'),
    );
    const small = await vigil('ledger', 'inclusion-proof', leaves, '--index', '2', '--size', '3');
    expect(small.stdout).toBe('fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125\n');
    const single = await vigil('ledger', 'inclusion-proof', leaves, '--index', '0', '--size', '1');
    expect(single).toMatchObject({ code: 0, stdout: '' });
  });

  it('prints consistency proofs one hash per line', async () => {
    const r = await vigil('ledger', 'consistency-proof', leaves, '--old', '6', '--size', '7');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        '',
      ].join('\n'),
    );
    const full = await vigil('ledger', 'consistency-proof', leaves, '--old', '1');
    expect(full.stdout).toBe(
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 naming the line of bad hex', async () => {
    const bad = file('bad.txt', '00\n10\nabc\n2021\n');
    const r = await vigil('ledger', 'root', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.txt line 3: .*odd number of characters/);
    const zz = await vigil('ledger', 'inclusion-proof', file('zz.txt', '00\nzz\n'), '--index', '0');
    expect(zz.code).toBe(1);
    expect(zz.stderr).toMatch(/zz\.txt line 2: .*other than 0-9 and a-f/);
  });

  it('exits 1 on a bad index or size, saying what is allowed', async () => {
    const cases: [string[], RegExp][] = [
      [['inclusion-proof', leaves, '--index', '8'], /leaf index 8 is out of range.*0 to 7/],
      [
        ['inclusion-proof', leaves, '--index', '0', '--size', '9'],
        /--size 9 is larger than the 8 entries in leaves\.txt/,
      ],
      [['inclusion-proof', leaves, '--index', 'two'], /--index.*must be a whole number/],
      [['inclusion-proof', leaves, '--index', '-1'], /must be a whole number/],
      [['inclusion-proof', leaves], /required option '--index <I>' not specified/],
      [
        ['consistency-proof', leaves, '--old', '9'],
        /old tree size 9 is larger than new tree size 8/,
      ],
      [['consistency-proof', leaves, '--old', '1', '--size', '0x10'], /must be a whole number/],
      [['root', join(dir, 'missing.txt')], /missing\.txt: it does not exist/],
    ];
    const runs = await Promise.all(cases.map(([args]) => vigil('ledger', ...args)));
    runs.forEach((r, i) => {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });
});
