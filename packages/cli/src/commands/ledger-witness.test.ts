import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runVigil, vigilBin, type VigilRun } from '../testing.ts';
import {
  EMPTY_ROOT,
  generateSignerKey,
  parseVerifierKey,
  signCheckpoint,
  verifyCheckpoint,
  addSignatures,
  parseSignatureLine,
} from '@vigil/ledger';

// Runs the real `vigil` binary, as a person would.
function vigil(...args: string[]): Promise<VigilRun> {
  return runVigil(args);
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-witness-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil ledger witness keygen', () => {
  it('writes the private key with mode 0600 and prints the cosignature vkey', async () => {
    const file = join(dir, 'w1.key');
    const run = await vigil('ledger', 'witness', 'keygen', '--name', 'witness.test/w1', '-o', file);
    expect(run.code).toBe(0);
    const vkey = run.stdout.trim();
    const parsed = parseVerifierKey(vkey);
    expect(parsed.ok && parsed.value.name).toBe('witness.test/w1');
    // cosignature/v1 keys are type 0x04.
    expect(parsed.ok && parsed.value.type).toBe(0x04);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const again = await vigil(
      'ledger',
      'witness',
      'keygen',
      '--name',
      'witness.test/w1',
      '-o',
      file,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('refuses a name that cannot name a key', async () => {
    const run = await vigil('ledger', 'witness', 'keygen', '--name', 'a b', '-o', join(dir, 'x'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot name a key');
  });
});

describe('vigil ledger witness serve', () => {
  const log = generateSignerKey('vigil.test/ledger');

  it('stops with a clear message for a missing key file or a malformed vkey', async () => {
    const missing = await vigil(
      'ledger',
      'witness',
      'serve',
      '--key',
      join(dir, 'nope.key'),
      '--log',
      log.vkey,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');

    const keyFile = join(dir, 'bad.key');
    writeFileSync(keyFile, 'PRIVATE+KEY+broken\n', { mode: 0o600 });
    const bad = await vigil('ledger', 'witness', 'serve', '--key', keyFile, '--log', log.vkey);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('does not hold a usable key');

    const good = join(dir, 'good.key');
    writeFileSync(good, `${generateSignerKey('witness.test/w2').skey}\n`, { mode: 0o600 });
    const badLog = await vigil('ledger', 'witness', 'serve', '--key', good, '--log', 'nonsense');
    expect(badLog.code).toBe(1);
    expect(badLog.stderr).toContain('--log nonsense');
  });

  it('cosigns a checkpoint over HTTP and stops on SIGTERM', async () => {
    const keyFile = join(dir, 'serve.key');
    const keygen = await vigil(
      'ledger',
      'witness',
      'keygen',
      '--name',
      'witness.test/w3',
      '-o',
      keyFile,
    );
    const witnessKey = parseVerifierKey(keygen.stdout.trim());
    if (!witnessKey.ok) throw witnessKey.error;

    const child = spawn(
      process.execPath,
      [vigilBin, 'ledger', 'witness', 'serve', '--key', keyFile, '--log', log.vkey, '--port', '0'],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    try {
      let stderr = '';
      const url = await new Promise<string>((done, fail) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          const match = /listening on (http:\/\/\S+?) /.exec(stderr);
          if (match?.[1] !== undefined) done(match[1]);
        });
        child.on('exit', () => {
          fail(new Error(`the witness exited: ${stderr}`));
        });
      });
      const checkpoint = signCheckpoint(
        { origin: 'vigil.test/ledger', size: 0, rootHash: EMPTY_ROOT, extensions: [] },
        log.key,
      );
      const response = await fetch(`${url}/add-checkpoint`, {
        method: 'POST',
        body: `old 0\n\n${checkpoint}`,
      });
      expect(response.status).toBe(200);
      const line = parseSignatureLine((await response.text()).trimEnd());
      if (!line.ok) throw new Error(line.error);
      const logVkey = parseVerifierKey(log.vkey);
      if (!logVkey.ok) throw logVkey.error;
      const cosigned = addSignatures(checkpoint, [line.value]);
      expect(
        verifyCheckpoint(cosigned, {
          logKey: logVkey.value,
          witnessKeys: [witnessKey.value],
          quorum: 1,
        }).ok,
      ).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Its state sits next to the key file.
    expect(statSync(join(dir, 'witness-state.json')).mode & 0o777).toBe(0o600);
  });
});
