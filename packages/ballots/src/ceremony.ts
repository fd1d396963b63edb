import { isValidResidue, modQ, mulP, powG, powP, randomNonZeroQ, randomQ, Q } from './group.ts';
import { elP, hashH, tag, u32 } from './hash.ts';
import { electionBaseHash, extendedBaseHash, manifestHash, parameterBaseHash } from './params.ts';
import type { SchnorrProof } from './record.ts';

/** One guardian's secrets after the key ceremony (never part of the public record). */
export interface GuardianSecret {
  readonly guardianId: string;
  /** The guardian's index ℓ, 1..n: the x-coordinate of its shares. */
  readonly xCoordinate: number;
  /** Polynomial coefficients a_{i,0..k-1}; a_{i,0} is the guardian's own secret key. */
  readonly coefficients: readonly bigint[];
  /** Commitments K_ij = g^{a_ij} with their Schnorr proofs (published). */
  readonly proofs: readonly SchnorrProof[];
  /** z_ℓ = Σ_i P_i(ℓ): this guardian's share of the joint secret key (spec 2.0 eq. 22). */
  readonly secretShare: bigint;
}

export interface KeyCeremonyResult {
  readonly numberOfGuardians: number;
  readonly quorum: number;
  readonly guardians: readonly GuardianSecret[];
  readonly jointKey: bigint;
  readonly parameterBaseHash: Buffer;
  readonly manifestHash: Buffer;
  readonly electionBaseHash: Buffer;
  readonly extendedBaseHash: Buffer;
}

/**
 * Schnorr proof of knowledge of a_ij for K_ij = g^{a_ij} (spec 2.0 §3.2.2, eq. 11):
 * h = g^u, c = H(H_P; 0x10, i, j, K_ij, h), v = u − c·a_ij mod q.
 */
export function proveCoefficient(
  hp: Uint8Array,
  i: number,
  j: number,
  secret: bigint,
): SchnorrProof {
  const publicKey = powG(secret);
  const u = randomQ();
  const h = powG(u);
  const c = modQ(
    BigInt(`0x${hashH(hp, tag(0x10), u32(i), u32(j), elP(publicKey), elP(h)).toString('hex')}`),
  );
  return { publicKey, challenge: c, response: modQ(u - c * secret) };
}

/**
 * The check of a published commitment K_ij (spec 2.0 §3.2.2, verification 2): K_ij in
 * Z_p^r, challenge and response in Z_q, and c = H(H_P; 0x10, i, j, K_ij, g^v·K_ij^c).
 */
export function checkCoefficientProof(
  hp: Uint8Array,
  i: number,
  j: number,
  proof: SchnorrProof,
): boolean {
  if (!isValidResidue(proof.publicKey)) return false;
  if (proof.challenge < 0n || proof.challenge >= Q || proof.response < 0n || proof.response >= Q)
    return false;
  const h = mulP(powG(proof.response), powP(proof.publicKey, proof.challenge));
  const c = hashH(hp, tag(0x10), u32(i), u32(j), elP(proof.publicKey), elP(h));
  return modQ(BigInt(`0x${c.toString('hex')}`)) === proof.challenge;
}

/**
 * The receiving guardian's check of a share P_i(ℓ) against the sender's commitments:
 * g^{P_i(ℓ)} = Π_j K_ij^{ℓ^j} (spec 2.0 eq. 21).
 */
export function shareMatchesCommitments(
  commitments: readonly SchnorrProof[],
  x: number,
  value: bigint,
): boolean {
  let expected = 1n;
  let power = 1n;
  for (const proof of commitments) {
    expected = mulP(expected, powP(proof.publicKey, power));
    power = modQ(power * BigInt(x));
  }
  return powG(value) === expected;
}

/** P_i(x) = Σ_j a_ij·x^j mod q. */
export function evaluatePolynomial(coefficients: readonly bigint[], x: number): bigint {
  let result = 0n;
  let power = 1n;
  for (const a of coefficients) {
    result = modQ(result + a * power);
    power = modQ(power * BigInt(x));
  }
  return result;
}

/**
 * Runs the key ceremony of spec 2.0 §3.2 for n guardians with quorum k in one process
 * (a simulation: each guardian's secrets stay in its own object, and the shares P_i(ℓ)
 * are checked against the commitments, g^{P_i(ℓ)} = Π_j K_ij^{ℓ^j} (eq. 21), as each
 * receiving guardian would; sending them encrypted between machines is not modelled).
 */
export function runKeyCeremony(options: {
  readonly numberOfGuardians: number;
  readonly quorum: number;
  readonly manifestBytes: Uint8Array;
}): KeyCeremonyResult {
  const { numberOfGuardians: n, quorum: k } = options;
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || n < k || n > 1000) {
    throw new RangeError(`need 1 ≤ quorum ≤ guardians ≤ 1000, got ${k} of ${n}`);
  }
  const hp = parameterBaseHash();
  const hm = manifestHash(hp, options.manifestBytes);
  const hb = electionBaseHash(hp, hm, n, k);
  const polynomials = Array.from({ length: n }, (_, index) => {
    const i = index + 1;
    const coefficients = Array.from({ length: k }, () => randomNonZeroQ());
    const proofs = coefficients.map((a, j) => proveCoefficient(hp, i, j, a));
    return { i, coefficients, proofs };
  });
  const guardians: GuardianSecret[] = polynomials.map(({ i, coefficients, proofs }) => {
    let share = 0n;
    for (const sender of polynomials) {
      const value = evaluatePolynomial(sender.coefficients, i);
      if (!shareMatchesCommitments(sender.proofs, i, value))
        throw new Error(`share from guardian ${sender.i} to ${i} does not match its commitments`);
      share = modQ(share + value);
    }
    return { guardianId: `guardian${i}`, xCoordinate: i, coefficients, proofs, secretShare: share };
  });
  let jointKey = 1n;
  for (const g of guardians) jointKey = mulP(jointKey, g.proofs[0]?.publicKey ?? 1n);
  return {
    numberOfGuardians: n,
    quorum: k,
    guardians,
    jointKey,
    parameterBaseHash: hp,
    manifestHash: hm,
    electionBaseHash: hb,
    extendedBaseHash: extendedBaseHash(hb, jointKey),
  };
}

/** Lagrange coefficient w_ℓ = Π_{m≠ℓ} m/(m−ℓ) mod q over the present guardians (spec 2.0 eq. 67). */
export function lagrangeCoefficient(x: number, present: readonly number[]): bigint {
  let numerator = 1n;
  let denominator = 1n;
  for (const m of present) {
    if (m === x) continue;
    numerator = modQ(numerator * BigInt(m));
    denominator = modQ(denominator * BigInt(m - x));
  }
  return modQ(numerator * modInverseQ(denominator));
}

function modInverseQ(a: bigint): bigint {
  // q is prime: a^(q-2) mod q, done with BigInt (q is only 256 bits).
  let result = 1n;
  let base = modQ(a);
  let e = Q - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % Q;
    base = (base * base) % Q;
    e >>= 1n;
  }
  return result;
}
