import { describe, expect, it } from 'vitest';
import { fixedClock, unwrap } from '@vigil/core';
import {
  addSignatures,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
} from './checkpoint.ts';
import { MerkleTree } from './tree.ts';
import {
  asCosignatureKey,
  generateSignerKey,
  noteVerifierKey,
  parseNote,
  type SignerKey,
} from './note.ts';
import { Witness, witnessErrorStatus } from './witness.ts';

const ORIGIN = 'vigil.example/state-ledger';

function newLog(): { key: SignerKey; tree: MerkleTree; checkpoint: () => string } {
  const { key } = generateSignerKey(ORIGIN);
  const tree = new MerkleTree();
  return {
    key,
    tree,
    checkpoint: () =>
      signCheckpoint(
        { origin: ORIGIN, size: tree.size, rootHash: tree.root(), extensions: [] },
        key,
      ),
  };
}

function grow(tree: MerkleTree, n: number): void {
  for (let i = 0; i < n; i++) tree.append(new TextEncoder().encode(`entry ${tree.size}`));
}

describe('checkpoint text (c2sp.org/tlog-checkpoint)', () => {
  it('parses the spec example and writes it back identically', () => {
    const text =
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const cp = unwrap(parseCheckpoint(text));
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(cp.rootHash).toHaveLength(32);
    expect(formatCheckpoint(cp)).toBe(text);
    const signed = parseNote(
      `${text}\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n`,
    );
    expect(signed.ok).toBe(true);
  });

  it('keeps extension lines', () => {
    const cp: Checkpoint = {
      origin: ORIGIN,
      size: 0,
      rootHash: new MerkleTree().root(),
      extensions: ['ext one', 'ext two'],
    };
    expect(unwrap(parseCheckpoint(formatCheckpoint(cp)))).toEqual(cp);
  });

  it('refuses malformed checkpoints, saying what is wrong', () => {
    const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
    const cases: [string, RegExp][] = [
      [`o\n1\n${root}`, /end with a newline/],
      ['o\n1\n', /needs an origin line, a size line and a root/],
      [`\n1\n${root}\n`, /origin line is empty/],
      [`o\n01\n${root}\n`, /without leading zeros/],
      [`o\n-1\n${root}\n`, /not a decimal number/],
      [`o\n99999999999999999999\n${root}\n`, /too large/],
      ['o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n', /32-byte hash/],
      ['o\n1\nAAAA\n', /32-byte hash/],
      [`o\n1\n${root}\n\n`, /extension line is empty/],
    ];
    for (const [text, why] of cases) {
      const r = parseCheckpoint(text);
      expect(!r.ok && r.error.message).toMatch(why);
    }
    expect(() =>
      formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: new Uint8Array(32), extensions: [] }),
    ).toThrow(/origin/);
  });
});

describe('witnesses and quorum verification', () => {
  function setup(witnessCount: number) {
    const log = newLog();
    const clock = fixedClock(new Date('2026-11-03T12:00:00Z'));
    const witnesses = Array.from({ length: witnessCount }, (_, i) => {
      const { key } = generateSignerKey(`witness.example/w${i}`);
      return new Witness({
        key,
        clock,
        logs: [{ origin: ORIGIN, logKeys: [noteVerifierKey(log.key)] }],
      });
    });
    const policy = (quorum: number) => ({
      logKey: noteVerifierKey(log.key),
      witnessKeys: witnesses.map((w) => w.verifierKey),
      quorum,
    });
    return { log, clock, witnesses, policy };
  }

  it('follows a growing log: cosigns with a valid consistency proof and records the head', () => {
    const { log, clock, witnesses } = setup(1);
    const w = witnesses[0]!;
    grow(log.tree, 5);
    const first = unwrap(w.cosign(log.checkpoint(), []));
    expect(first.timestamp).toBe(Date.parse('2026-11-03T12:00:00Z') / 1000);
    expect(w.latest(ORIGIN)?.size).toBe(5);
    grow(log.tree, 7);
    clock.advance(60_000);
    const second = unwrap(w.cosign(log.checkpoint(), log.tree.consistencyProof(5, 12)));
    expect(second.timestamp).toBe(first.timestamp + 60);
    expect(second.line.startsWith('— witness.example/w0 ')).toBe(true);
    expect(w.latest(ORIGIN)?.size).toBe(12);
    // The same head again, with an empty proof, is cosigned again.
    expect(w.cosign(log.checkpoint(), []).ok).toBe(true);
  });

  it('refuses, with the reason and HTTP status of tlog-witness, and keeps its state', () => {
    const { log, witnesses } = setup(1);
    const w = witnesses[0]!;
    grow(log.tree, 8);
    unwrap(w.cosign(log.checkpoint(), []));
    const at8 = log.checkpoint();
    grow(log.tree, 4);
    const at12 = log.checkpoint();
    const goodProof = log.tree.consistencyProof(8, 12);

    const expectRefusal = (
      r: ReturnType<Witness['cosign']>,
      reason: string,
      status: number,
      message?: RegExp,
    ) => {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.reason).toBe(reason);
      expect(witnessErrorStatus(r.error.reason)).toBe(status);
      if (message) expect(r.error.message).toMatch(message);
    };

    // A broken proof: one flipped bit.
    const badProof = goodProof.map((h, i) =>
      i === 0 ? h.map((b, j) => (j === 0 ? b ^ 1 : b)) : h,
    );
    expectRefusal(w.cosign(at12, badProof), 'inconsistent', 422, /from size 8 to 12/);
    expectRefusal(w.cosign(at12, []), 'inconsistent', 422);
    // The submitter thinks the witness is elsewhere.
    const mismatch = w.cosign(at12, goodProof, { oldSize: 5 });
    expectRefusal(mismatch, 'old-size-mismatch', 409);
    expect(!mismatch.ok && mismatch.error.latestSize).toBe(8);
    expectRefusal(w.cosign(at8, [], { oldSize: 9 }), 'bad-old-size', 400);
    // Unknown log, wrong key, tampered signature, garbage.
    const stranger = generateSignerKey('other.example/log').key;
    const foreign = signCheckpoint(
      { origin: 'other.example/log', size: 1, rootHash: new Uint8Array(32), extensions: [] },
      stranger,
    );
    expectRefusal(w.cosign(foreign, []), 'unknown-origin', 404);
    const impostor = signCheckpoint(
      { origin: ORIGIN, size: 12, rootHash: log.tree.root(), extensions: [] },
      generateSignerKey(ORIGIN).key,
    );
    expectRefusal(w.cosign(impostor, goodProof), 'not-signed-by-log', 403);
    const tampered = at12.replace(/\n12\n/, '\n13\n');
    expectRefusal(w.cosign(tampered, goodProof), 'invalid-log-signature', 403);
    expectRefusal(w.cosign('not a note', []), 'malformed-request', 400);
    expect(w.latest(ORIGIN)?.size).toBe(8);

    // Now it moves to 12 ...
    unwrap(w.cosign(at12, goodProof));
    // ... and refuses to go back to 8.
    const back = w.cosign(at8, []);
    expectRefusal(back, 'rollback', 409, /fewer than the 12/);
    expect(!back.ok && back.error.latestSize).toBe(12);
    // A log that signs a different tree at the same size has forked.
    const fork = signCheckpoint(
      { origin: ORIGIN, size: 12, rootHash: new Uint8Array(32).fill(7), extensions: [] },
      log.key,
    );
    expectRefusal(w.cosign(fork, []), 'root-mismatch', 409, /forked/);
    expect(w.latest(ORIGIN)?.size).toBe(12);
  });

  it('restarts from persisted state', () => {
    const { log, witnesses, clock } = setup(1);
    const w = witnesses[0]!;
    grow(log.tree, 3);
    unwrap(w.cosign(log.checkpoint(), []));
    const key = generateSignerKey('witness.example/again').key;
    const again = new Witness({
      key,
      clock,
      logs: [{ origin: ORIGIN, logKeys: [noteVerifierKey(log.key)] }],
      state: w.state(),
    });
    grow(log.tree, 1);
    expect(again.cosign(log.checkpoint(), []).ok).toBe(false);
    expect(again.cosign(log.checkpoint(), log.tree.consistencyProof(3, 4)).ok).toBe(true);
  });

  it('accepts a checkpoint only with the log signature and a quorum of distinct trusted witnesses', () => {
    const { log, witnesses, policy } = setup(3);
    grow(log.tree, 20);
    let note = log.checkpoint();
    expect(unwrap(verifyCheckpoint(note, policy(0))).checkpoint.size).toBe(20);
    const short = verifyCheckpoint(note, policy(1));
    expect(!short.ok && short.error.reason).toBe('quorum-not-met');

    const lines = witnesses.slice(0, 2).map((w) => unwrap(w.cosign(note, [])).signature);
    note = addSignatures(note, lines);
    // The same witness twice counts once; an untrusted witness does not count.
    const outsider = new Witness({
      key: generateSignerKey('witness.example/outsider').key,
      logs: [{ origin: ORIGIN, logKeys: [noteVerifierKey(log.key)] }],
    });
    note = addSignatures(note, [
      unwrap(witnesses[0]!.cosign(note, [])).signature,
      unwrap(outsider.cosign(note, [])).signature,
    ]);
    const ok2 = unwrap(verifyCheckpoint(note, policy(2)));
    expect(ok2.cosignatures.map((c) => c.witness.name).sort()).toEqual([
      'witness.example/w0',
      'witness.example/w1',
    ]);
    expect(ok2.note.unverified.map((s) => s.name)).toEqual(['witness.example/outsider']);
    const three = verifyCheckpoint(note, policy(3));
    expect(!three.ok && three.error.reason).toBe('quorum-not-met');
    expect(!three.ok && three.error.message).toMatch(/from 2 trusted witnesses; 3 are required/);
  });

  it('refuses a bad cosignature, a missing log signature, the wrong origin and impossible policies', () => {
    const { log, witnesses, policy } = setup(2);
    grow(log.tree, 4);
    const signed = log.checkpoint();
    const cosig = unwrap(witnesses[0]!.cosign(signed, [])).signature;
    const broken = { ...cosig, signature: cosig.signature.map((b, i) => (i === 20 ? b ^ 1 : b)) };
    const r1 = verifyCheckpoint(addSignatures(signed, [broken]), policy(1));
    expect(!r1.ok && r1.error.reason).toBe('invalid-signature');

    // Witness signatures alone do not make a checkpoint.
    const text = unwrap(parseNote(signed)).text;
    const onlyWitness = `${text}\n${unwrap(witnesses[1]!.cosign(signed, [])).line}`;
    const r2 = verifyCheckpoint(onlyWitness, policy(0));
    expect(!r2.ok && r2.error.reason).toBe('not-signed-by-log');

    const r3 = verifyCheckpoint(signed, { ...policy(0), origin: 'vigil.example/other' });
    expect(!r3.ok && r3.error.reason).toBe('wrong-origin');

    const r4 = verifyCheckpoint(signed, policy(3));
    expect(!r4.ok && r4.error.reason).toBe('invalid-policy');
    const plainWitness = noteVerifierKey(generateSignerKey('w').key);
    const r5 = verifyCheckpoint(signed, { ...policy(0), witnessKeys: [plainWitness] });
    expect(!r5.ok && r5.error.message).toMatch(/not a cosignature\/v1/);
    const r6 = verifyCheckpoint(signed, {
      logKey: asCosignatureKey(noteVerifierKey(log.key)),
      quorum: 0,
    });
    expect(!r6.ok && r6.error.reason).toBe('invalid-policy');
  });
});
