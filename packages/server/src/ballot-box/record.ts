import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import {
  DeviceChain,
  aggregateBallots,
  parseEncryptedBallot,
  writeBallotChain,
  writeEncryptedBallot,
  writeEncryptedTally,
  type CheckContext,
  type EncryptedBallotRecord,
  type EncryptedTallyRecord,
  type ManifestRecord,
} from '@vigil/ballots';
import { sha256Hex } from '@vigil/core';
import type { StoredBallot } from '@vigil/store';

/**
 * The election record folder of the ballot box, `<dataDir>/records/<electionId>`, in the
 * layout of @vigil/ballots' writer (egk's). The database is the source of truth: each
 * ballot file is written when the ballot is cast or challenged, and the tally rewrites
 * every ballot and chain from the database, so a file lost or left half-written before
 * then does not reach the published record. The guardians' secrets are never written
 * here (they stay sealed in the database), so the whole folder is public.
 */

/** A folder name for an election id that cannot escape the records folder. */
export function recordFolderName(electionId: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(electionId)
    ? electionId
    : `election-${sha256Hex(new TextEncoder().encode(electionId)).slice(0, 32)}`;
}

/** The stored JSON of a ballot as the record's encrypted ballot, with its final state. */
export function ballotRecordOf(ballot: StoredBallot): EncryptedBallotRecord {
  const state =
    ballot.state === 'cast' ? 'CAST' : ballot.state === 'challenged' ? 'SPOILED' : 'UNKNOWN';
  const json = JSON.parse(ballot.encrypted) as Record<string, unknown>;
  return parseEncryptedBallot(
    { ...json, state },
    `encrypted_ballots/${ballot.deviceId}/eballot-${ballot.ballotId}.json`,
  );
}

/**
 * Writes every ballot file and each device's ballot_chain.json (with its closing hash,
 * spec 2.0 §3.4.3) from the database, all at the tally (never a file at cast time: its
 * modification time would be the cast time), then aggregates the CAST ballots into
 * encrypted_tally.json (§3.5). Returns the tally and the bytes' hash.
 */
export async function writeBallotsAndTally(
  dir: string,
  input: {
    readonly ctx: CheckContext;
    readonly manifest: ManifestRecord;
    readonly baux0: Uint8Array;
    readonly ballots: readonly StoredBallot[];
    readonly tallyId: string;
  },
): Promise<{ tally: EncryptedTallyRecord; sha256: string }> {
  await rm(join(dir, 'encrypted_ballots'), { recursive: true, force: true });
  const records = input.ballots.map(ballotRecordOf);
  const byDevice = new Map<string, EncryptedBallotRecord[]>();
  for (const r of records) {
    await writeEncryptedBallot(dir, r);
    const list = byDevice.get(r.device) ?? [];
    list.push(r);
    byDevice.set(r.device, list);
  }
  for (const [device, list] of byDevice) {
    const last = list.at(-1);
    if (last === undefined) continue;
    const chain = new DeviceChain(
      input.ctx,
      { deviceId: device, baux0: input.baux0 },
      { ballotIds: list.map((b) => b.ballotId), lastCode: last.confirmationCode },
    );
    await writeBallotChain(dir, {
      device,
      baux0: chain.firstBaux,
      ballotIds: chain.ballotIds,
      ...chain.close(),
    });
  }
  const tally = aggregateBallots(
    input.manifest,
    records,
    input.tallyId,
    input.ctx.extendedBaseHash,
  );
  await writeEncryptedTally(
    dir,
    tally,
    new Map(input.manifest.contests.map((c) => [c.contestId, c.sequenceOrder])),
  );
  const bytes = await readFile(join(dir, 'encrypted_tally.json'));
  return { tally, sha256: sha256Hex(bytes) };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/**
 * The record folder as a ZIP (fflate, DEFLATE), every file under `<name>/`, with the
 * given modification time on every entry so that the same record zips to the same bytes.
 */
export async function zipRecord(dir: string, name: string, mtime: Date): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const path of await listFiles(dir)) {
    const inZip = `${name}/${relative(dir, path).split('\\').join('/')}`;
    files[inZip] = [new Uint8Array(await readFile(path)), { mtime }];
  }
  return zipSync(files, { level: 6 });
}
