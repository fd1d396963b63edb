import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil, type VigilRun } from '../testing.ts';
import { sha256Hex } from '@vigil/core';
import {
  Witness,
  addSignatures,
  eventIdOf,
  formatVerifierKey,
  generateSignerKey,
  leafHash,
  noteVerifierKey,
  type LedgerEntry,
} from '@vigil/ledger';
import { loadLogKey, signLedgerHead } from '@vigil/server';
import { nodeKey, openStore, SQLITE_FILE_NAME } from '@vigil/store';

// `vigil ledger head | verify | export` run as a person runs them, on a real SQLite
// store, before and after the database is tampered with directly.
const workDir = mkdtempSync(join(tmpdir(), 'vigil-ledger-cli-'));
const pristine = join(workDir, 'pristine');

function vigil(dataDir: string, ...args: string[]): Promise<VigilRun> {
  return runVigil(args, { env: { VIGIL_DATA_DIR: dataDir, VIGIL_DATABASE_URL: '' } });
}

function entry(i: number): LedgerEntry {
  return {
    eventId: eventIdOf('voter.registered'),
    actorId: 'clerk-7',
    stationId: 'franklin-county-office',
    time: new Date(Date.UTC(2026, 9, 1, 9, 0, i % 60)).toISOString(),
    disposition: 'success',
    subjects: [`voter:${sha256Hex(`voter-${i}`).slice(0, 16)}`],
  };
}

const witnessA = generateSignerKey('witness.example/a');
const witnessB = generateSignerKey('witness.example/b');
const witnessKeyA = formatVerifierKey(noteVerifierKey(witnessA.key));
const witnessKeyB = formatVerifierKey(noteVerifierKey(witnessB.key));

/** A copy of the pristine data folder for one test to damage. */
function copyOfLedger(name: string): string {
  const dir = join(workDir, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function sqlite(dir: string): Database.Database {
  return new Database(join(dir, SQLITE_FILE_NAME));
}

beforeAll(async () => {
  // 37 entries, heads at 20 and 37, each cosigned by witness A (who checks consistency).
  const store = await openStore({ dataDir: pristine });
  const logKey = loadLogKey({ dataDir: pristine, create: true });
  const witness = new Witness({
    key: witnessA.key,
    logs: [{ origin: logKey.key.name, logKeys: [noteVerifierKey(logKey.key)] }],
  });
  let lastCosigned = 0;
  for (const batch of [20, 17]) {
    const start = await store.ledgerSize();
    await store.appendLedgerEntries(Array.from({ length: batch }, (_, i) => entry(start + i)));
    const head = await signLedgerHead(store, logKey.key);
    const proof =
      lastCosigned === 0 ? [] : await store.ledgerConsistencyProof(lastCosigned, head.size);
    const cosigned = witness.cosign(head.checkpoint, proof);
    if (!cosigned.ok) throw cosigned.error;
    await store.updateLedgerHeadCheckpoint(
      head.size,
      addSignatures(head.checkpoint, [cosigned.value.signature]),
    );
    lastCosigned = head.size;
  }
  await store.close();
}, 60_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('vigil ledger over the stored ledger', () => {
  it('prints the latest head as size and root, and verifies an untouched ledger', async () => {
    const dir = copyOfLedger('untouched');
    const head = await vigil(dir, 'ledger', 'head');
    expect(head.code).toBe(0);
    const [size, root] = head.stdout.trim().split('\n');
    expect(size).toBe('37');
    expect(root).toMatch(/^[0-9a-f]{64}$/);

    const verified = await vigil(
      dir,
      'ledger',
      'verify',
      '--witness-key',
      witnessKeyA,
      '--quorum',
      '1',
    );
    expect(verified.stderr).toContain('ledger verified');
    expect(verified.code).toBe(0);
    expect(verified.stdout.trim().split('\n')).toEqual(['37', root]);
  });

  it('detects an entry changed in the database', async () => {
    const dir = copyOfLedger('changed');
    const db = sqlite(dir);
    const row = db.prepare('select entry from ledger_entries where seq = 12').get() as {
      entry: Buffer;
    };
    const altered = Buffer.from(row.entry.toString('utf8').replace('clerk-7', 'clerk-8'));
    db.prepare('update ledger_entries set entry = ? where seq = 12').run(altered);
    db.close();
    const run = await vigil(dir, 'ledger', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/entry 12 does not match its stored leaf hash/);
    expect(run.stderr).toMatch(/signed root at size 20 .* rewritten/);
  });

  it('detects an entry changed together with its leaf and node hashes, through the signed heads', async () => {
    const dir = copyOfLedger('rewritten');
    const db = sqlite(dir);
    // A careful attacker rewrites entry 3 and recomputes the level-0 node; only the
    // signed roots can catch that.
    const row = db.prepare('select entry from ledger_entries where seq = 3').get() as {
      entry: Buffer;
    };
    const altered = Buffer.from(row.entry.toString('utf8').replace('success', 'failure'));
    db.prepare('update ledger_entries set entry = ? where seq = 3').run(altered);
    db.prepare('update ledger_nodes set hash = ? where node_key = ?').run(
      Buffer.from(leafHash(altered)),
      nodeKey(0, 3),
    );
    db.close();
    const run = await vigil(dir, 'ledger', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/entry 3 does not match its stored leaf hash/);
    expect(run.stderr).toMatch(/signed root at size 20 .* rewritten/);
    expect(run.stderr).toMatch(/signed root at size 37/);
  });

  it('detects an entry removed from the database', async () => {
    const dir = copyOfLedger('removed');
    const db = sqlite(dir);
    db.prepare('delete from ledger_entries where seq = 30').run();
    db.close();
    const run = await vigil(dir, 'ledger', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/entry 30 is missing/);
  });

  it('detects entries reordered in the database', async () => {
    const dir = copyOfLedger('reordered');
    const db = sqlite(dir);
    const a = db.prepare('select entry from ledger_entries where seq = 5').get() as {
      entry: Buffer;
    };
    const b = db.prepare('select entry from ledger_entries where seq = 6').get() as {
      entry: Buffer;
    };
    db.prepare('update ledger_entries set entry = ? where seq = 5').run(b.entry);
    db.prepare('update ledger_entries set entry = ? where seq = 6').run(a.entry);
    db.close();
    const run = await vigil(dir, 'ledger', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/entry 5 does not match/);
    expect(run.stderr).toMatch(/entry 6 does not match/);
  });

  it('detects a head whose log signature does not hold', async () => {
    const dir = copyOfLedger('bad-signature');
    const db = sqlite(dir);
    const row = db.prepare('select checkpoint from ledger_heads where size = 20').get() as {
      checkpoint: string;
    };
    // Flip one character of the log's signature (the first signature line).
    const lines = row.checkpoint.split('\n');
    const at = lines.findIndex((l) => l.startsWith('\u2014 '));
    const sig = lines[at]!;
    const pos = sig.length - 5;
    lines[at] = sig.slice(0, pos) + (sig[pos] === 'A' ? 'B' : 'A') + sig.slice(pos + 1);
    db.prepare('update ledger_heads set checkpoint = ? where size = 20').run(lines.join('\n'));
    db.close();
    const run = await vigil(dir, 'ledger', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/head at size 20 does not verify/);
  });

  it('refuses heads without the quorum of trusted witness cosignatures', async () => {
    const dir = copyOfLedger('quorum');
    // Witness B never cosigned: a quorum of 2 from {A, B} fails for every head.
    const run = await vigil(
      dir,
      'ledger',
      'verify',
      '--witness-key',
      witnessKeyA,
      '--witness-key',
      witnessKeyB,
      '--quorum',
      '2',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/head at size 20 does not verify/);
    expect(run.stderr).toMatch(/head at size 37 does not verify/);
  });

  it('detects a forged witness cosignature', async () => {
    const dir = copyOfLedger('forged-cosignature');
    const db = sqlite(dir);
    const row = db.prepare('select checkpoint from ledger_heads where size = 37').get() as {
      checkpoint: string;
    };
    const lines = row.checkpoint.split('\n');
    const at = lines.findIndex((l) => l.startsWith('\u2014 witness.example/a '));
    const sig = lines[at]!;
    const pos = sig.length - 6;
    lines[at] = sig.slice(0, pos) + (sig[pos] === 'A' ? 'B' : 'A') + sig.slice(pos + 1);
    db.prepare('update ledger_heads set checkpoint = ? where size = 37').run(lines.join('\n'));
    db.close();
    const run = await vigil(dir, 'ledger', 'verify', '--witness-key', witnessKeyA, '--quorum', '1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/head at size 37 does not verify/);
  });

  it('exports NIST SP 1500-101 JSON with one event per entry', async () => {
    const dir = copyOfLedger('export');
    const run = await vigil(dir, 'ledger', 'export', '--format', 'nist-1500-101');
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      '@type': string;
      Device: { Event: { Sequence: string; Id: string }[] }[];
    };
    expect(log['@type']).toBe('EventLogging.ElectionEventLog');
    const events = log.Device.flatMap((d) => d.Event);
    expect(events).toHaveLength(37);
    expect(events[36]?.Sequence).toBe('36');
  });

  it('says clearly when a verifier key is malformed', async () => {
    const run = await vigil(copyOfLedger('bad-key'), 'ledger', 'verify', '--log-key', 'not-a-key');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--log-key is not a verifier key/);
  });
});
