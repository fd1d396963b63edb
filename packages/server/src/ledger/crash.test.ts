import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntry, eventIdOf, generateSignerKey, noteVerifierKey } from '@vigil/ledger';
import { openStore } from '@vigil/store';
import { postgresTarget, postgresTestSetup } from '@vigil/store/testing';
import { auditLedger } from './audit.ts';
import { signLedgerHead } from './checkpoints.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = resolve(here, '../../test/append-until-killed.ts');
const workDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
const postgres = postgresTestSetup();

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Starts the appender, waits until it has committed `commits` times, then SIGKILLs it. */
function appendThenKill(url: string, dataDir: string, commits: number): Promise<number> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, url, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let lastSize = 0;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line === '') continue;
        lines += 1;
        lastSize = Number(line);
        // Kill in the middle of the next transaction's work, without warning.
        if (lines === commits) proc.kill('SIGKILL');
      }
    });
    proc.on('error', fail);
    proc.on('close', (code, signal) => {
      if (signal !== 'SIGKILL')
        fail(new Error(`the appender ended by itself (${code}): ${stderr}`));
      else done(lastSize);
    });
  });
}

const backends = [
  { name: 'SQLite', skip: false },
  { name: 'PostgreSQL', skip: postgres.kind === 'skip' },
];

describe.each(backends)('a process killed while appending, on $name', ({ name, skip }) => {
  it.skipIf(skip)('leaves a log and a state that agree', async () => {
    const dataDir = join(workDir, name);
    let url = '';
    let cleanup = () => Promise.resolve();
    if (name === 'PostgreSQL') {
      if (postgres.kind !== 'available') throw new Error(postgres.message);
      const target = await postgresTarget(postgres.url);
      url = target.url ?? '';
      cleanup = () => target.cleanup();
    }
    try {
      const seen = await appendThenKill(url, dataDir, 5);
      const store = await openStore(url === '' ? { dataDir } : { url });
      try {
        const size = await store.ledgerSize();
        // Every acknowledged commit survived; whatever was in flight either landed whole or not.
        expect(size).toBeGreaterThanOrEqual(seen);
        expect(size % 201).toBe(0);
        const entries = await store.ledgerEntries(0, size);
        expect(entries).toHaveLength(size);
        const loaded = entries.filter((e) => {
          const d = decodeEntry(e.bytes);
          return d.ok && d.value.eventId === eventIdOf('election.definition.loaded');
        }).length;
        expect(await store.countElections()).toBe(loaded);

        // The recomputed tree agrees with every stored node, and appending goes on.
        const key = generateSignerKey('vigil.test/crash').key;
        await signLedgerHead(store, key);
        const audit = await auditLedger(store, { logKey: noteVerifierKey(key) });
        expect(audit.problems).toEqual([]);
        expect(audit.size).toBe(size);
      } finally {
        await store.close();
      }
    } finally {
      await cleanup();
    }
  });
});
