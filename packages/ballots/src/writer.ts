import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GuardianSecret, KeyCeremonyResult } from './ceremony.ts';
import { bigToHex, G, P, P_BYTES, Q, Q_BYTES, R } from './group.ts';
import type {
  Ciphertext,
  DecryptedTallyOrBallot,
  EncryptedBallotRecord,
  EncryptedTallyRecord,
  HashedCiphertext,
  ProofPair,
} from './record.ts';

/**
 * Writes the election record in egk's JSON layout and field names (the same files and
 * folders as egk's `chainedJson` workflow output), so egk's verifier and Vigil's read it.
 */
const hexP = (x: bigint): string => bigToHex(x, P_BYTES);
const hexQ = (x: bigint): string => bigToHex(x, Q_BYTES);
const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

async function writeJson(path: string, value: unknown, secret = false): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `${JSON.stringify(value, null, 4)}\n`,
    secret ? { mode: 0o600 } : undefined,
  );
  if (secret) await chmod(path, 0o600);
}

const ciphertextJson = (ct: Ciphertext): unknown => ({ pad: hexP(ct.pad), data: hexP(ct.data) });
const proofJson = (p: ProofPair): unknown => ({
  challenge: hexQ(p.challenge),
  response: hexQ(p.response),
});
const hashedJson = (h: HashedCiphertext): unknown => ({
  c0: hexP(h.c0),
  c1: hexBytes(h.c1),
  c2: hexBytes(h.c2),
  numBytes: h.numBytes,
});

/** The public outcome of a key ceremony: what the record publishes, no secret. */
export type PublicCeremony = Omit<KeyCeremonyResult, 'guardians'> & {
  readonly guardians: readonly Pick<GuardianSecret, 'guardianId' | 'xCoordinate' | 'proofs'>[];
};

/** constants.json, manifest.json, election_config.json, election_initialized.json, and the guardians' secrets. */
export async function writeElectionInitialized(
  dir: string,
  manifestBytes: Uint8Array,
  ceremony: KeyCeremonyResult,
  baux0: Uint8Array,
): Promise<void> {
  await writePublicElectionInitialized(dir, manifestBytes, ceremony, baux0);
  for (const g of ceremony.guardians) await writeGuardianSecret(dir, g);
}

/**
 * constants.json, manifest.json, election_config.json and election_initialized.json
 * only: for a service that keeps the guardians' secrets elsewhere (sealed in its
 * database), so that the record folder never holds one.
 */
export async function writePublicElectionInitialized(
  dir: string,
  manifestBytes: Uint8Array,
  ceremony: PublicCeremony,
  baux0: Uint8Array,
): Promise<void> {
  await writeJson(join(dir, 'constants.json'), {
    name: 'production group, low memory use, 4096 bits',
    large_prime: bigToHex(P, P_BYTES),
    small_prime: bigToHex(Q, Q_BYTES),
    cofactor: R.toString(16).toUpperCase(),
    generator: bigToHex(G, P_BYTES),
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), manifestBytes);
  await writeJson(join(dir, 'election_config.json'), {
    config_version: 'v2.0.0',
    number_of_guardians: ceremony.numberOfGuardians,
    quorum: ceremony.quorum,
    parameter_base_hash: hexBytes(ceremony.parameterBaseHash),
    manifest_hash: hexBytes(ceremony.manifestHash),
    election_base_hash: hexBytes(ceremony.electionBaseHash),
    chain_confirmation_codes: true,
    baux0: [...baux0],
    metadata: { 'Created by': 'vigil eg ceremony' },
  });
  await writeJson(join(dir, 'election_initialized.json'), {
    joint_public_key: hexP(ceremony.jointKey),
    extended_base_hash: hexBytes(ceremony.extendedBaseHash),
    guardians: ceremony.guardians.map((g) => ({
      guardian_id: g.guardianId,
      x_coordinate: g.xCoordinate,
      coefficient_proofs: g.proofs.map((p) => ({
        public_key: hexP(p.publicKey),
        ...(proofJson(p) as object),
      })),
    })),
    metadata: {},
  });
}

/** A guardian's secrets, mode 0600, under private_data/ (never part of the public record). */
export async function writeGuardianSecret(dir: string, g: GuardianSecret): Promise<void> {
  await writeJson(
    join(dir, 'private_data', 'trustees', `vigil-${g.guardianId}.json`),
    {
      guardian_id: g.guardianId,
      x_coordinate: g.xCoordinate,
      coefficients: g.coefficients.map(hexQ),
      secret_share: hexQ(g.secretShare),
    },
    true,
  );
}

/** Reads the guardians' secrets back (for `vigil eg decrypt`); ids not found are reported. */
export async function readGuardianSecret(
  dir: string,
  guardianId: string,
): Promise<Omit<GuardianSecret, 'proofs'>> {
  const text = await readFile(
    join(dir, 'private_data', 'trustees', `vigil-${guardianId}.json`),
    'utf8',
  );
  const j = JSON.parse(text) as {
    guardian_id: string;
    x_coordinate: number;
    coefficients: string[];
    secret_share: string;
  };
  return {
    guardianId: j.guardian_id,
    xCoordinate: j.x_coordinate,
    coefficients: j.coefficients.map((h) => BigInt(`0x${h}`)),
    secretShare: BigInt(`0x${j.secret_share}`),
  };
}

export function encryptedBallotJson(b: EncryptedBallotRecord): unknown {
  return {
    ballot_id: b.ballotId,
    ballot_style_id: b.ballotStyleId,
    encrypting_device: b.device,
    timestamp: b.timestamp,
    code_baux: hexBytes(b.codeBaux),
    confirmation_code: hexBytes(b.confirmationCode),
    election_id: hexBytes(b.electionId),
    contests: b.contests.map((c) => ({
      contest_id: c.contestId,
      sequence_order: c.sequenceOrder,
      votes_allowed: c.votesAllowed,
      contest_hash: hexBytes(c.contestHash),
      selections: c.selections.map((s) => ({
        selection_id: s.selectionId,
        sequence_order: s.sequenceOrder,
        encrypted_vote: ciphertextJson(s.ciphertext),
        proof: { proofs: s.proof.map(proofJson) },
      })),
      proof: { proofs: c.proof.map(proofJson) },
      encrypted_contest_data: c.contestData === undefined ? null : hashedJson(c.contestData),
    })),
    state: b.state,
    encrypted_sn: null,
    is_preencrypt: false,
  };
}

export async function writeEncryptedBallot(dir: string, b: EncryptedBallotRecord): Promise<void> {
  await writeJson(
    join(dir, 'encrypted_ballots', b.device, `eballot-${b.ballotId}.json`),
    encryptedBallotJson(b),
  );
}

export async function writeBallotChain(
  dir: string,
  chain: {
    device: string;
    baux0: Uint8Array;
    ballotIds: readonly string[];
    lastConfirmationCode: Uint8Array;
    closingHash: Uint8Array;
  },
): Promise<void> {
  await writeJson(join(dir, 'encrypted_ballots', chain.device, 'ballot_chain.json'), {
    encrypting_device: chain.device,
    baux0: hexBytes(chain.baux0),
    ballot_ids: chain.ballotIds,
    last_confirmation_code: hexBytes(chain.lastConfirmationCode),
    chaining: true,
    closing_hash: hexBytes(chain.closingHash),
  });
}

export async function writeEncryptedTally(
  dir: string,
  t: EncryptedTallyRecord,
  sequence: ReadonlyMap<string, number>,
): Promise<void> {
  await writeJson(join(dir, 'encrypted_tally.json'), {
    tally_id: t.tallyId,
    contests: t.contests.map((c) => ({
      contest_id: c.contestId,
      sequence_order: sequence.get(c.contestId) ?? 0,
      selections: c.selections.map((s, i) => ({
        selection_id: s.selectionId,
        sequence_order: i + 1,
        encrypted_vote: ciphertextJson(s.ciphertext),
      })),
    })),
    cast_ballot_ids: t.castBallotIds,
    election_id: hexBytes(t.electionId),
  });
}

function decryptedJson(d: DecryptedTallyOrBallot, contestData?: Record<string, unknown>): unknown {
  return {
    id: d.id,
    contests: d.contests.map((c) => ({
      contest_id: c.contestId,
      selections: c.selections.map((s) => ({
        selection_id: s.selectionId,
        tally: s.tally,
        b_over_m: hexP(s.bOverM),
        encrypted_vote: ciphertextJson(s.ciphertext),
        proof: proofJson(s.proof),
      })),
      ...(c.contestData === undefined
        ? {}
        : {
            decrypted_contest_data: {
              contest_data: contestData?.[c.contestId] ?? null,
              encrypted_contest_data: hashedJson(c.contestData.encrypted),
              proof: proofJson(c.contestData.proof),
              beta: hexP(c.contestData.beta),
            },
          }),
    })),
    election_id: hexBytes(d.electionId),
  };
}

export async function writeTally(dir: string, d: DecryptedTallyOrBallot): Promise<void> {
  await writeJson(join(dir, 'tally.json'), decryptedJson(d));
}

export async function writeChallengedBallot(
  dir: string,
  d: DecryptedTallyOrBallot,
  contestData: Record<string, unknown>,
): Promise<void> {
  await writeJson(
    join(dir, 'challenged_ballots', `dballot-${d.id}.json`),
    decryptedJson(d, contestData),
  );
}
