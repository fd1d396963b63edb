import { randomBytes } from 'node:crypto';
import { modQ, mulP, powG, powKey, randomQ } from './group.ts';
import { elP, hashH, tag, u32 } from './hash.ts';
import { confirmationCode, contestHash, type CheckContext } from './checks.ts';
import {
  contestsForStyle,
  type Ciphertext,
  type EncryptedBallotRecord,
  type EncryptedContest,
  type HashedCiphertext,
  type ManifestRecord,
  type ProofPair,
} from './record.ts';

/** A voter's marks: for each contest id, the selection ids marked (write-in names aside). */
export interface PlaintextBallot {
  readonly ballotId: string;
  readonly ballotStyleId: string;
  readonly votes: Readonly<Record<string, readonly string[]>>;
  readonly writeIns?: Readonly<Record<string, readonly string[]>>;
}

export interface EncryptionDevice {
  readonly deviceId: string;
  /** B_aux,0 of the election configuration: the device information bytes. */
  readonly baux0: Uint8Array;
}

function hashQ(h: Uint8Array): bigint {
  return modQ(BigInt(`0x${Buffer.from(h).toString('hex')}`));
}

/**
 * Range proof that (α, β) = (g^ξ, K^{σ+ξ}) encrypts σ in 0..L (spec 2.0 §3.3.5). The
 * encrypter knows ξ, so α^c = g^{ξc} and β^c = K^{(σ+ξ)c}: every exponentiation is a
 * fixed-base one through the g and K tables, which is what makes encryption fast.
 */
export function proveRange(
  ctx: CheckContext,
  ct: Ciphertext,
  nonce: bigint,
  value: number,
  limit: number,
): ProofPair[] {
  const K = ctx.jointKey;
  const challenges: bigint[] = [];
  const responses: bigint[] = [];
  const parts: Uint8Array[] = [];
  const u = randomQ();
  let sumOthers = 0n;
  for (let j = 0; j <= limit; j++) {
    if (j === value) {
      challenges.push(0n);
      responses.push(0n);
      parts.push(elP(powG(u)), elP(powKey(K, u)));
      continue;
    }
    const c = randomQ();
    const v = randomQ();
    const w = modQ(v - BigInt(j) * c);
    // a_j = g^v·α^c = g^{v+ξc};  b_j = K^w·β^c = K^{w+(σ+ξ)c}
    const a = powG(modQ(v + nonce * c));
    const b = powKey(K, modQ(w + (BigInt(value) + nonce) * c));
    challenges.push(c);
    responses.push(v);
    parts.push(elP(a), elP(b));
    sumOthers += c;
  }
  const c = hashQ(
    hashH(ctx.extendedBaseHash, tag(0x21), elP(K), elP(ct.pad), elP(ct.data), ...parts),
  );
  const cValue = modQ(c - sumOthers);
  challenges[value] = cValue;
  responses[value] = modQ(u - cValue * nonce);
  return challenges.map((challenge, j) => ({ challenge, response: responses[j] ?? 0n }));
}

const CONTEST_DATA_BYTES = 64;
const KDF_LABEL = Buffer.from('data_enc_keys');

/**
 * Hashed ElGamal encryption of a contest's extra data (write-ins, overvotes), following
 * spec 2.0 §3.3.3: C0 = g^ξ, k = H(H_E; 0x22, K, C0, K^ξ), keystream and MAC key from
 * k by an SP 800-108 counter-mode KDF, C1 = data ⊕ keystream, C2 = HMAC(k_0, C0 ∥ C1).
 */
export function encryptContestData(
  ctx: CheckContext,
  contestIndex: number,
  data: Uint8Array,
  nonce: bigint,
): HashedCiphertext {
  const blocks = Math.max(1, Math.ceil(data.length / 32));
  const padded = Buffer.alloc(Math.max(CONTEST_DATA_BYTES, blocks * 32));
  padded.set(data);
  const c0 = powG(nonce);
  const beta = powKey(ctx.jointKey, nonce);
  const c1 = xorKeystream(ctx, contestIndex, c0, beta, padded);
  return { c0, c1, c2: contestDataMac(ctx, contestIndex, c0, beta, c1), numBytes: padded.length };
}

function contestDataKey(ctx: CheckContext, c0: bigint, beta: bigint): Buffer {
  return hashH(ctx.extendedBaseHash, tag(0x22), elP(ctx.jointKey), elP(c0), elP(beta));
}

function kdf(key: Uint8Array, i: number, contestIndex: number, bits: number): Buffer {
  return hashH(key, u32(i), KDF_LABEL, Uint8Array.of(0), u32(contestIndex), u32(bits));
}

export function xorKeystream(
  ctx: CheckContext,
  contestIndex: number,
  c0: bigint,
  beta: bigint,
  input: Uint8Array,
): Buffer {
  const k = contestDataKey(ctx, c0, beta);
  const out = Buffer.from(input);
  for (let i = 0; i * 32 < out.length; i++) {
    const block = kdf(k, i + 1, contestIndex, out.length * 8);
    for (let b = 0; b < 32 && i * 32 + b < out.length; b++)
      out[i * 32 + b] = (out[i * 32 + b] ?? 0) ^ (block[b] ?? 0);
  }
  return out;
}

export function contestDataMac(
  ctx: CheckContext,
  contestIndex: number,
  c0: bigint,
  beta: bigint,
  c1: Uint8Array,
): Buffer {
  const k = contestDataKey(ctx, c0, beta);
  const k0 = kdf(k, 0, contestIndex, c1.length * 8);
  return hashH(k0, elP(c0), c1);
}

export const PRIMARY_NONCE_BYTES = 32;

export interface EncryptOptions {
  /**
   * The ballot's primary nonce (32 bytes); random when absent. A device that keeps it
   * until the voter casts or challenges can open a challenged ballot by revealing it
   * (spec 2.0 §3.3.2 derives every encryption nonce from it, `ballotNonce`); it must be
   * destroyed once the ballot is cast.
   */
  readonly primaryNonce?: Uint8Array;
}

/**
 * The nonce of one selection (label = its sequence order as 4 bytes) or of a contest's
 * data (label "contest data"): ξ = H(H_E; 0x20, ξ_B, contest index, label) mod q.
 */
export function ballotNonce(
  ctx: CheckContext,
  primaryNonce: Uint8Array,
  contestSequenceOrder: number,
  label: Uint8Array,
): bigint {
  return hashQ(
    hashH(ctx.extendedBaseHash, tag(0x20), primaryNonce, u32(contestSequenceOrder), label),
  );
}

/**
 * Encrypts one ballot (spec 2.0 §3.3): each selection as (g^ξ, K^{σ+ξ}) with a 0/1 range
 * proof, each contest's total with a 0..L proof, contest data (write-ins and overvotes)
 * with hashed ElGamal, contest hashes χ_l and the confirmation code H(B) over the
 * device's chaining value `codeBaux`. Overvoted contests are recorded as all-zero, with
 * the overvote kept in the contest data, as the specification requires.
 */
export function encryptBallot(
  ctx: CheckContext,
  manifest: ManifestRecord,
  ballot: PlaintextBallot,
  device: EncryptionDevice,
  codeBaux: Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
  options: EncryptOptions = {},
): EncryptedBallotRecord {
  const contests = contestsForStyle(manifest, ballot.ballotStyleId);
  if (contests === undefined)
    throw new RangeError(`ballot ${ballot.ballotId}: unknown ballot style ${ballot.ballotStyleId}`);
  const primaryNonce = options.primaryNonce ?? randomBytes(PRIMARY_NONCE_BYTES);
  if (primaryNonce.length !== PRIMARY_NONCE_BYTES)
    throw new RangeError(
      `a primary nonce is ${PRIMARY_NONCE_BYTES} bytes, not ${primaryNonce.length}`,
    );
  const encrypted: EncryptedContest[] = contests.map((contest) => {
    const marked = new Set(ballot.votes[contest.contestId] ?? []);
    for (const id of marked) {
      if (!contest.selections.some((s) => s.selectionId === id)) {
        throw new RangeError(
          `ballot ${ballot.ballotId}: ${id} is not a selection of contest ${contest.contestId}`,
        );
      }
    }
    const overvote = marked.size > contest.votesAllowed;
    const nonceFor = (label: Uint8Array): bigint =>
      ballotNonce(ctx, primaryNonce, contest.sequenceOrder, label);
    let totalNonce = 0n;
    let totalValue = 0;
    const selections = contest.selections.map((s) => {
      const value = !overvote && marked.has(s.selectionId) ? 1 : 0;
      const nonce = nonceFor(u32(s.sequenceOrder));
      const ciphertext = {
        pad: powG(nonce),
        data: powKey(ctx.jointKey, modQ(BigInt(value) + nonce)),
      };
      totalNonce = modQ(totalNonce + nonce);
      totalValue += value;
      return {
        selectionId: s.selectionId,
        sequenceOrder: s.sequenceOrder,
        ciphertext,
        proof: proveRange(ctx, ciphertext, nonce, value, 1),
      };
    });
    const total = selections.reduce<Ciphertext>(
      (acc, s) => ({
        pad: mulP(acc.pad, s.ciphertext.pad),
        data: mulP(acc.data, s.ciphertext.data),
      }),
      { pad: 1n, data: 1n },
    );
    const data = Buffer.from(
      JSON.stringify({
        over_votes: overvote ? [...marked] : [],
        write_ins: ballot.writeIns?.[contest.contestId] ?? [],
        status: overvote ? 'over_vote' : 'normal',
      }),
    );
    return {
      contestId: contest.contestId,
      sequenceOrder: contest.sequenceOrder,
      votesAllowed: contest.votesAllowed,
      contestHash: contestHash(
        ctx,
        contest.sequenceOrder,
        selections.map((s) => s.ciphertext),
      ),
      selections,
      proof: proveRange(ctx, total, totalNonce, totalValue, contest.votesAllowed),
      contestData: encryptContestData(
        ctx,
        contest.sequenceOrder,
        data,
        nonceFor(Buffer.from('contest data')),
      ),
    };
  });
  const code = confirmationCode(
    ctx,
    encrypted.map((c) => c.contestHash),
    codeBaux,
  );
  return {
    file: '',
    ballotId: ballot.ballotId,
    ballotStyleId: ballot.ballotStyleId,
    device: device.deviceId,
    timestamp,
    codeBaux,
    confirmationCode: code,
    electionId: ctx.extendedBaseHash,
    state: 'UNKNOWN',
    contests: encrypted,
  };
}

/**
 * Confirmation codes chained per device (egk's form of spec 2.0 §3.4.3): the first
 * ballot's B_aux is H(H_E; 0x24, B_aux,0), each next one is the previous code ∥ B_aux,0,
 * and closing the device publishes H(H_E; 0x24, last code, B_aux,0, "CLOSE").
 */
export class DeviceChain {
  readonly device: EncryptionDevice;
  private readonly ctx: CheckContext;
  readonly ballotIds: string[];
  private lastCode: Uint8Array | undefined;

  constructor(
    ctx: CheckContext,
    device: EncryptionDevice,
    resume?: { ballotIds: readonly string[]; lastCode: Uint8Array },
  ) {
    this.ctx = ctx;
    this.device = device;
    this.ballotIds = [...(resume?.ballotIds ?? [])];
    this.lastCode = resume?.lastCode;
  }

  get firstBaux(): Buffer {
    return hashH(this.ctx.extendedBaseHash, tag(0x24), this.device.baux0);
  }

  nextBaux(): Uint8Array {
    return this.lastCode === undefined
      ? this.firstBaux
      : Buffer.concat([this.lastCode, this.device.baux0]);
  }

  /** Encrypts the next ballot of this device, chained to the previous one. */
  encrypt(
    manifest: ManifestRecord,
    ballot: PlaintextBallot,
    state: 'CAST' | 'SPOILED' | 'UNKNOWN',
    options: EncryptOptions & { readonly timestamp?: number } = {},
  ): EncryptedBallotRecord {
    const encrypted = {
      ...encryptBallot(
        this.ctx,
        manifest,
        ballot,
        this.device,
        this.nextBaux(),
        options.timestamp,
        options,
      ),
      state,
    };
    this.lastCode = encrypted.confirmationCode;
    this.ballotIds.push(encrypted.ballotId);
    return encrypted;
  }

  close(): { lastConfirmationCode: Uint8Array; closingHash: Buffer } {
    const last = this.lastCode ?? this.firstBaux;
    return {
      lastConfirmationCode: last,
      closingHash: hashH(
        this.ctx.extendedBaseHash,
        tag(0x24),
        last,
        this.device.baux0,
        Buffer.from('CLOSE'),
      ),
    };
  }
}
