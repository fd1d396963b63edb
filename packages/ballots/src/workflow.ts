import { randomInt } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runKeyCeremony, type GuardianSecret } from './ceremony.ts';
import type { CheckContext } from './checks.ts';
import { DeviceChain, type PlaintextBallot } from './encrypt.ts';
import {
  contestsForStyle,
  loadElectionRecord,
  type ElectionRecord,
  type ManifestRecord,
} from './record.ts';
import { aggregateBallots, decryptChallengedBallot, decryptTally } from './tally.ts';
import {
  readGuardianSecret,
  writeBallotChain,
  writeChallengedBallot,
  writeElectionInitialized,
  writeEncryptedBallot,
  writeEncryptedTally,
  writeTally,
} from './writer.ts';

/**
 * The ElectionGuard workflow over a record folder, one stage per function, as the
 * `vigil eg` commands run it: ceremony → encrypt (repeatable, per device) → tally → decrypt.
 */

export const DEFAULT_BAUX0 = new TextEncoder().encode('device information');

export async function ceremonyStage(
  dir: string,
  options: { guardians: number; quorum: number; manifestBytes: Uint8Array; baux0?: Uint8Array },
): Promise<{ jointKey: bigint; extendedBaseHash: Buffer }> {
  const ceremony = runKeyCeremony({
    numberOfGuardians: options.guardians,
    quorum: options.quorum,
    manifestBytes: options.manifestBytes,
  });
  await writeElectionInitialized(
    dir,
    options.manifestBytes,
    ceremony,
    options.baux0 ?? DEFAULT_BAUX0,
  );
  return { jointKey: ceremony.jointKey, extendedBaseHash: ceremony.extendedBaseHash };
}

/** The encryption context of an initialized record, or a sentence saying what is missing. */
export function contextOf(record: ElectionRecord): {
  ctx: CheckContext;
  manifest: ManifestRecord;
  baux0: Uint8Array;
} {
  if (
    record.initialized === undefined ||
    record.manifest === undefined ||
    record.config === undefined
  ) {
    const why = record.problems.map((p) => p.message).join('; ');
    throw new Error(
      `${record.dir} is not an initialized election record (run vigil eg ceremony first)${why ? `: ${why}` : ''}`,
    );
  }
  return {
    ctx: {
      jointKey: record.initialized.jointPublicKey,
      extendedBaseHash: record.initialized.extendedBaseHash,
    },
    manifest: record.manifest,
    baux0: record.config.baux0,
  };
}

/** Random plaintext ballots for a manifest: each contest gets 0..limit marks (sometimes none). */
export function randomBallots(
  manifest: ManifestRecord,
  count: number,
  prefix = 'ballot',
): PlaintextBallot[] {
  const styles = manifest.ballotStyles;
  return Array.from({ length: count }, (_, i) => {
    const style = styles[randomInt(styles.length)];
    if (style === undefined) throw new Error('the manifest has no ballot style');
    const votes: Record<string, string[]> = {};
    for (const c of contestsForStyle(manifest, style.styleId) ?? []) {
      const ids = c.selections.map((s) => s.selectionId);
      const marks = randomInt(c.votesAllowed + 1);
      const chosen: string[] = [];
      while (chosen.length < marks && chosen.length < ids.length) {
        const id = ids[randomInt(ids.length)];
        if (id !== undefined && !chosen.includes(id)) chosen.push(id);
      }
      votes[c.contestId] = chosen;
    }
    return { ballotId: `${prefix}-${i + 1}`, ballotStyleId: style.styleId, votes };
  });
}

/** Encrypts ballots on one device, continuing its confirmation-code chain, and writes them. */
export async function encryptStage(
  dir: string,
  options: {
    device: string;
    ballots: readonly PlaintextBallot[];
    spoil?: (ballot: PlaintextBallot, index: number) => boolean;
  },
): Promise<{ cast: number; spoiled: number; millisPerBallot: number }> {
  const record = await loadElectionRecord(dir);
  const { ctx, manifest, baux0 } = contextOf(record);
  const existing = record.chains.find((c) => c.device === options.device);
  const chain = new DeviceChain(
    ctx,
    { deviceId: options.device, baux0 },
    existing === undefined
      ? undefined
      : { ballotIds: existing.ballotIds, lastCode: existing.lastConfirmationCode },
  );
  const taken = new Set(record.ballots.map((b) => b.ballotId));
  let cast = 0;
  let spoiled = 0;
  const started = performance.now();
  for (const [i, ballot] of options.ballots.entries()) {
    if (taken.has(ballot.ballotId))
      throw new Error(`ballot id ${ballot.ballotId} is already in the record; ids must be unique`);
    const state = options.spoil?.(ballot, i) === true ? 'SPOILED' : 'CAST';
    const encrypted = chain.encrypt(manifest, ballot, state);
    await writeEncryptedBallot(dir, encrypted);
    await mkdir(join(dir, 'private_data', 'input'), { recursive: true });
    await writeFile(
      join(dir, 'private_data', 'input', `pballot-${ballot.ballotId}.json`),
      `${JSON.stringify(ballot, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    if (state === 'CAST') cast++;
    else spoiled++;
  }
  const millisPerBallot =
    options.ballots.length === 0 ? 0 : (performance.now() - started) / options.ballots.length;
  await writeBallotChain(dir, {
    device: options.device,
    baux0: chain.firstBaux,
    ballotIds: chain.ballotIds,
    ...chain.close(),
  });
  return { cast, spoiled, millisPerBallot };
}

/** Aggregates the CAST ballots into encrypted_tally.json. */
export async function tallyStage(dir: string): Promise<{ cast: number }> {
  const record = await loadElectionRecord(dir);
  const { ctx, manifest } = contextOf(record);
  const tally = aggregateBallots(manifest, record.ballots, 'vigil-tally', ctx.extendedBaseHash);
  await writeEncryptedTally(
    dir,
    tally,
    new Map(manifest.contests.map((c) => [c.contestId, c.sequenceOrder])),
  );
  return { cast: tally.castBallotIds.length };
}

/**
 * Decrypts the tally and every SPOILED (challenged) ballot with the named guardians, who
 * must number at least the quorum; absent guardians' parts are covered by the Lagrange
 * coefficients of the present ones (spec 2.0 §3.6.2).
 */
export async function decryptStage(
  dir: string,
  guardianIds: readonly string[],
): Promise<{ totals: Record<string, Record<string, number>>; challenged: number }> {
  const record = await loadElectionRecord(dir);
  const { ctx } = contextOf(record);
  const quorum = record.config?.quorum ?? 0;
  const unique = [...new Set(guardianIds)];
  if (unique.length < quorum) {
    throw new Error(
      `${unique.length} guardians present, the quorum is ${quorum}; name at least ${quorum} (e.g. --guardians guardian1,guardian2,…)`,
    );
  }
  const present: GuardianSecret[] = [];
  for (const id of unique) {
    const published = record.initialized?.guardians.find((g) => g.guardianId === id);
    if (published === undefined) throw new Error(`there is no guardian ${id} in the record`);
    const secret = await readGuardianSecret(dir, id).catch(() => {
      throw new Error(`the secrets of guardian ${id} are not in ${dir}/private_data/trustees`);
    });
    present.push({ ...secret, proofs: published.coefficientProofs });
  }
  if (record.encryptedTally === undefined)
    throw new Error('there is no encrypted tally yet; run vigil eg tally first');
  const tally = decryptTally(ctx, present, record.encryptedTally);
  await writeTally(dir, tally);
  let challenged = 0;
  for (const ballot of record.ballots.filter((b) => b.state === 'SPOILED')) {
    const { decrypted, contestData } = decryptChallengedBallot(ctx, present, ballot);
    await writeChallengedBallot(dir, decrypted, contestData);
    challenged++;
  }
  const totals: Record<string, Record<string, number>> = {};
  for (const c of tally.contests)
    totals[c.contestId] = Object.fromEntries(c.selections.map((s) => [s.selectionId, s.tally]));
  return { totals, challenged };
}

/** Plaintext sums of the cast ballots: what the decrypted tally must equal. */
export function plaintextTotals(
  manifest: ManifestRecord,
  ballots: readonly PlaintextBallot[],
): Record<string, Record<string, number>> {
  const totals: Record<string, Record<string, number>> = {};
  for (const c of manifest.contests)
    totals[c.contestId] = Object.fromEntries(c.selections.map((s) => [s.selectionId, 0]));
  for (const b of ballots) {
    for (const [contestId, marks] of Object.entries(b.votes)) {
      const contest = manifest.contests.find((c) => c.contestId === contestId);
      const row = totals[contestId];
      if (contest === undefined || row === undefined || marks.length > contest.votesAllowed)
        continue;
      for (const m of marks) row[m] = (row[m] ?? 0) + 1;
    }
  }
  return totals;
}

export interface SimulationResult {
  readonly dir: string;
  readonly cast: number;
  readonly spoiled: number;
  readonly present: readonly string[];
  readonly expected: Record<string, Record<string, number>>;
  readonly decrypted: Record<string, Record<string, number>>;
  readonly tallyMatches: boolean;
  readonly millis: {
    readonly ceremony: number;
    readonly encryptPerBallot: number;
    readonly tally: number;
    readonly decrypt: number;
  };
}

/** Runs the whole workflow with random ballots and leaves a complete record in `dir`. */
export async function simulateElection(options: {
  dir: string;
  manifestBytes: Uint8Array;
  manifest: ManifestRecord;
  ballots: number;
  guardians: number;
  quorum: number;
  present: number;
  spoilEvery?: number;
}): Promise<SimulationResult> {
  if (options.present < options.quorum || options.present > options.guardians) {
    throw new Error(
      `present guardians must be between the quorum ${options.quorum} and ${options.guardians}`,
    );
  }
  let t = performance.now();
  await ceremonyStage(options.dir, {
    guardians: options.guardians,
    quorum: options.quorum,
    manifestBytes: options.manifestBytes,
  });
  const ceremonyMs = performance.now() - t;
  const ballots = randomBallots(options.manifest, options.ballots);
  const spoilEvery = options.spoilEvery ?? 5;
  const spoil = (_b: PlaintextBallot, i: number): boolean =>
    spoilEvery > 0 && i % spoilEvery === spoilEvery - 1;
  const enc = await encryptStage(options.dir, { device: 'vigil-device-1', ballots, spoil });
  t = performance.now();
  await tallyStage(options.dir);
  const tallyMs = performance.now() - t;
  // The first `present` guardians of a shuffled list take part; the others are absent.
  const ids = Array.from({ length: options.guardians }, (_, i) => `guardian${i + 1}`);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [ids[i], ids[j]] = [ids[j] ?? '', ids[i] ?? ''];
  }
  const present = ids.slice(0, options.present).sort();
  t = performance.now();
  const { totals } = await decryptStage(options.dir, present);
  const decryptMs = performance.now() - t;
  const expected = plaintextTotals(
    options.manifest,
    ballots.filter((b, i) => !spoil(b, i)),
  );
  return {
    dir: options.dir,
    cast: enc.cast,
    spoiled: enc.spoiled,
    present,
    expected,
    decrypted: totals,
    tallyMatches: JSON.stringify(expected) === JSON.stringify(totals),
    millis: {
      ceremony: ceremonyMs,
      encryptPerBallot: enc.millisPerBallot,
      tally: tallyMs,
      decrypt: decryptMs,
    },
  };
}
