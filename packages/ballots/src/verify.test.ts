import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyRecord, type StepId, type VerificationReport } from './verify.ts';

const sharedData =
  process.env.VIGIL_SHARED_DATA ??
  resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data');
const pristine = join(sharedData, 'electionguard', 'egk-chainedJson');
const haveRecord = existsSync(join(pristine, 'election_config.json'));
if (!haveRecord) {
  console.warn(
    `skipping the egk record tests: ${pristine} is absent (set VIGIL_SHARED_DATA to the shared data folder)`,
  );
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A temporary copy of the public record (private_data left out), changed by `edit`. */
function tampered(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eg-tamper-'));
  temps.push(dir);
  cpSync(pristine, dir, { recursive: true, filter: (src) => !src.includes('private_data') });
  edit(dir);
  return dir;
}

const DEVICE = 'encrypted_ballots/runWorkflowChainedJson';
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/restrict-plus-operands -- tamper edits work on untyped JSON on purpose */
function editJson(dir: string, file: string, change: (j: any) => void): void {
  const path = join(dir, file);
  const j: any = JSON.parse(readFileSync(path, 'utf8'));
  change(j);
  writeFileSync(path, JSON.stringify(j, null, 4));
}

function flipHex(s: string, at = 100): string {
  const c = s[at] === 'A' ? 'B' : 'A';
  return s.slice(0, at) + c + s.slice(at + 1);
}

function failing(report: VerificationReport): StepId[] {
  return report.steps.filter((s) => s.status === 'fail').map((s) => s.step);
}

// Quick checks of tampered copies: all cheap checks over the whole record, the proofs of
// the one tampered ballot (id-1 is CAST, id-3 SPOILED) and of the tally.
const quick = (ids: string[], decryptions = false) => ({
  workers: 0,
  only: { ballotIds: ids, decryptions },
});

describe.runIf(haveRecord)('verifyRecord on egk-chainedJson', () => {
  it('accepts the pristine record, on two worker threads', async () => {
    const report = await verifyRecord(pristine, { workers: 2 });
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.find((s) => s.step === 'V5')?.checked).toBe(1100);
    expect(report.steps.find((s) => s.step === 'V12')?.checked).toBe(300);
  });

  it('rejects a flipped hex digit of a cast selection (V5, V8)', async () => {
    const dir = tampered((d) => {
      editJson(d, `${DEVICE}/eballot-id-1.json`, (j) => {
        j.contests[0].selections[0].encrypted_vote.pad = flipHex(
          j.contests[0].selections[0].encrypted_vote.pad,
        );
      });
    });
    const f = failing(await verifyRecord(dir, quick(['id-1'])));
    expect(f).toContain('V5');
    expect(f).toContain('V8');
  });

  it('rejects a changed tally count (V9)', async () => {
    const dir = tampered((d) => {
      editJson(d, 'tally.json', (j) => {
        j.contests[0].selections[0].tally += 1;
      });
    });
    expect(failing(await verifyRecord(dir, quick([], true)))).toContain('V9');
  });

  it('rejects swapped and duplicated confirmation codes (V7)', async () => {
    const swapped = tampered((d) => {
      const a = JSON.parse(readFileSync(join(d, `${DEVICE}/eballot-id-1.json`), 'utf8')) as {
        confirmation_code: string;
      };
      const b = JSON.parse(readFileSync(join(d, `${DEVICE}/eballot-id-2.json`), 'utf8')) as {
        confirmation_code: string;
      };
      editJson(
        d,
        `${DEVICE}/eballot-id-1.json`,
        (j) => (j.confirmation_code = b.confirmation_code),
      );
      editJson(
        d,
        `${DEVICE}/eballot-id-2.json`,
        (j) => (j.confirmation_code = a.confirmation_code),
      );
    });
    expect(failing(await verifyRecord(swapped, quick([])))).toContain('V7');
    const duplicated = tampered((d) => {
      const b = JSON.parse(readFileSync(join(d, `${DEVICE}/eballot-id-2.json`), 'utf8')) as {
        confirmation_code: string;
      };
      editJson(
        d,
        `${DEVICE}/eballot-id-1.json`,
        (j) => (j.confirmation_code = b.confirmation_code),
      );
    });
    const report = await verifyRecord(duplicated, quick([]));
    expect(failing(report)).toContain('V7');
    expect(report.steps.find((s) => s.step === 'V7')?.failures.join(' ')).toMatch(
      /same confirmation code/,
    );
  });

  it('rejects a changed quorum or number of guardians (V1)', async () => {
    for (const field of ['quorum', 'number_of_guardians']) {
      const dir = tampered((d) => {
        editJson(d, 'election_config.json', (j) => (j[field] = 2));
      });
      expect(failing(await verifyRecord(dir, quick([])))).toContain('V1');
    }
  });

  it('rejects a changed manifest: a selection limit (V6, V10) or a selection id (V10)', async () => {
    const limit = tampered((d) => {
      editJson(d, 'manifest.json', (j) => (j.contests[2].votes_allowed = 2));
    });
    expect(failing(await verifyRecord(limit, quick(['id-1'])))).toEqual(
      expect.arrayContaining(['V6']),
    );
    const label = tampered((d) => {
      const path = join(d, 'manifest.json');
      writeFileSync(path, readFileSync(path, 'utf8').replace('"selection7"', '"selection7x"'));
    });
    expect(failing(await verifyRecord(label, quick([])))).toContain('V10');
  });

  it('rejects a dropped cast ballot id or a deleted cast ballot (V8)', async () => {
    const dropped = tampered((d) => {
      editJson(d, 'encrypted_tally.json', (j) => j.cast_ballot_ids.splice(1, 1));
    });
    expect(failing(await verifyRecord(dropped, quick([])))).toContain('V8');
    const deleted = tampered((d) => {
      unlinkSync(join(d, `${DEVICE}/eballot-id-2.json`));
    });
    const f = failing(await verifyRecord(deleted, quick([])));
    expect(f).toContain('V8');
    expect(f).toContain('V7');
  });

  it('rejects an altered chain: last confirmation code or closing hash (V7)', async () => {
    for (const field of ['last_confirmation_code', 'closing_hash']) {
      const dir = tampered((d) => {
        editJson(d, `${DEVICE}/ballot_chain.json`, (j) => (j[field] = flipHex(j[field], 10)));
      });
      expect(failing(await verifyRecord(dir, quick([])))).toContain('V7');
    }
  });

  it('rejects a changed joint public key (V3)', async () => {
    const dir = tampered((d) => {
      editJson(
        d,
        'election_initialized.json',
        (j) => (j.joint_public_key = flipHex(j.joint_public_key)),
      );
    });
    expect(failing(await verifyRecord(dir, quick([])))).toContain('V3');
  });

  it('rejects a challenged ballot whose contest data decryption was altered (V14)', async () => {
    const dir = tampered((d) => {
      editJson(d, 'challenged_ballots/dballot-id-6.json', (j) => {
        j.contests[0].decrypted_contest_data.beta = flipHex(
          j.contests[0].decrypted_contest_data.beta,
        );
      });
    });
    expect(failing(await verifyRecord(dir, quick([], true)))).toContain('V14');
  });

  it('rejects a challenged ballot relabelled CAST (V8)', async () => {
    const dir = tampered((d) => {
      editJson(d, `${DEVICE}/eballot-id-3.json`, (j) => (j.state = 'CAST'));
    });
    expect(failing(await verifyRecord(dir, quick([])))).toContain('V8');
  });

  it('gives clear failures, never a crash, for malformed records', async () => {
    const missing = tampered((d) => {
      unlinkSync(join(d, 'election_initialized.json'));
    });
    const r1 = await verifyRecord(missing, quick([]));
    expect(r1.ok).toBe(false);
    expect(r1.steps.find((s) => s.step === 'V2')?.failures[0]).toMatch(
      /election_initialized.json is missing/,
    );

    const badHex = tampered((d) => {
      editJson(
        d,
        `${DEVICE}/eballot-id-4.json`,
        (j) => (j.contests[0].selections[0].encrypted_vote.data = `ZZ${'0'.repeat(1022)}`),
      );
    });
    const r2 = await verifyRecord(badHex, quick([]));
    expect(r2.steps.find((s) => s.step === 'V5')?.failures.join(' ')).toMatch(
      /not a hexadecimal string/,
    );

    const outside = tampered((d) => {
      editJson(
        d,
        `${DEVICE}/eballot-id-4.json`,
        (j) => (j.contests[0].selections[0].encrypted_vote.pad = 'F'.repeat(1024)),
      );
    });
    const r3 = await verifyRecord(outside, quick([]));
    expect(r3.steps.find((s) => s.step === 'V5')?.failures.join(' ')).toMatch(/not below p/);

    const short = tampered((d) => {
      editJson(
        d,
        'election_initialized.json',
        (j) => (j.guardians[0].coefficient_proofs[0].challenge = 'ABCD'),
      );
    });
    const r4 = await verifyRecord(short, quick([]));
    expect(r4.steps.find((s) => s.step === 'V2')?.failures.join(' ')).toMatch(
      /expected 64 hex digits/,
    );

    const notInGroup = tampered((d) => {
      // 2 is below p but not in the order-q subgroup: the range check of V5 must catch it.
      editJson(
        d,
        `${DEVICE}/eballot-id-5.json`,
        (j) => (j.contests[0].selections[0].encrypted_vote.pad = `${'0'.repeat(1023)}2`),
      );
    });
    const r5 = await verifyRecord(notInGroup, quick(['id-5']));
    expect(r5.steps.find((s) => s.step === 'V5')?.failures.join(' ')).toMatch(/not in the group/);
  });
});
