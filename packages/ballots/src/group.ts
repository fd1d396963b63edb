import { createDiffieHellman, randomBytes, type DiffieHellman } from 'node:crypto';

/**
 * The standard ElectionGuard 2.0 group (spec 2.0 §3.1.1, "production group, 4096 bits"):
 * p is a 4096-bit safe-ish prime, q = 2^256 - 189 divides p - 1, p = q·r + 1, and g
 * generates the order-q subgroup Z_p^r in which every ElectionGuard element lives.
 */
export const P_HEX =
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFB17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2BE7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B8253E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C607F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B39617460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B98261AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F236E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
export const Q_HEX = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF43';

export const P = BigInt(`0x${P_HEX}`);
export const Q = BigInt(`0x${Q_HEX}`);
export const R = (P - 1n) / Q;
/** g = 2^r mod p (spec 2.0 §3.1.1); computed once so the constant can't be mistyped. */
export const G = modPowBig(2n, R, P);

/** Bytes of an element of Z_p (spec 2.0 §5.1.2: fixed 512-byte big-endian). */
export const P_BYTES = 512;
/** Bytes of an element of Z_q and of a hash value. */
export const Q_BYTES = 32;

/** Plain BigInt square-and-multiply: the reference that the fast paths are tested against. */
export function modPowBig(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod === 1n) return 0n;
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    e >>= 1n;
    if (e > 0n) b = (b * b) % mod;
  }
  return result;
}

/** Big-endian bytes of a non-negative integer, left-padded to `length`. */
export function bigToBytes(x: bigint, length: number): Buffer {
  const hex = x.toString(16);
  if (hex.length > length * 2) throw new RangeError(`integer does not fit in ${length} bytes`);
  return Buffer.from(hex.padStart(length * 2, '0'), 'hex');
}

export function bytesToBig(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(
    `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`,
  );
}

/** Upper-case hex of x padded to `length` bytes, the egk JSON form. */
export function bigToHex(x: bigint, length: number): string {
  return x
    .toString(16)
    .toUpperCase()
    .padStart(length * 2, '0');
}

const P_BUFFER = bigToBytes(P, P_BYTES);

/**
 * Which exponentiation this thread uses: 'fast' (OpenSSL and fixed-base tables) or
 * 'bigint' (plain square-and-multiply everywhere), for the benchmark's reference figures.
 */
let arithmetic: 'fast' | 'bigint' = 'fast';
export function setArithmetic(mode: 'fast' | 'bigint'): void {
  arithmetic = mode;
}
let dhInstance: DiffieHellman | undefined;

/**
 * OpenSSL's BN_mod_exp through Diffie-Hellman: with prime p, private key e and peer key b,
 * computeSecret returns b^e mod p. node:crypto exposes no modPow, and this is about ten
 * times faster than BigInt square-and-multiply for 4096-bit numbers. One instance per
 * thread, created lazily (construction checks the prime once).
 */
function dh(): DiffieHellman {
  dhInstance ??= createDiffieHellman(P_BUFFER, Buffer.from([2]));
  return dhInstance;
}

/**
 * base^exp mod p for 0 ≤ base < p and exp ≥ 0. OpenSSL refuses peer keys 0, 1 and p-1
 * (they are weak DH keys) and a zero private key, so those cases are answered here.
 */
export function powP(base: bigint, exp: bigint): bigint {
  if (arithmetic === 'bigint') return modPowBig(base, exp < 0n ? modQ(exp) : exp, P);
  if (exp === 0n) return 1n;
  if (base <= 1n) return base;
  if (base === P - 1n) return exp & 1n ? base : 1n;
  if (base >= P) return powP(base % P, exp);
  if (exp < 0n) return powP(base, modQ(exp));
  const d = dh();
  d.setPrivateKey(bigToBytes(exp, byteLength(exp)));
  try {
    return bytesToBig(d.computeSecret(bigToBytes(base, P_BYTES)));
  } catch {
    // OpenSSL also refuses a shared secret of 1 (a degenerate DH result); that and any
    // other refusal fall back to the reference implementation.
    return modPowBig(base, exp, P);
  }
}

function byteLength(x: bigint): number {
  return Math.max(1, Math.ceil(x.toString(16).length / 2));
}

export function mulP(a: bigint, b: bigint): bigint {
  return (a * b) % P;
}

/** Modular inverse in Z_p by the extended Euclidean algorithm. */
export function invP(a: bigint): bigint {
  return invMod(a, P);
}

export function invMod(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

export function modQ(x: bigint): bigint {
  const r = x % Q;
  return r < 0n ? r + Q : r;
}

/** True when x is in Z_p^r, the order-q subgroup (spec 2.0 §3.1.1): 0 < x < p and x^q = 1. */
export function isValidResidue(x: bigint): boolean {
  // x^q = 1 is tested as x^(q-1)·x = 1 because OpenSSL's DH refuses a result of 1.
  if (x <= 1n || x >= P) return x === 1n;
  return (powP(x, Q - 1n) * x) % P === 1n;
}

/** A uniformly random element of Z_q (rejection sampling over 256 bits). */
export function randomQ(): bigint {
  for (;;) {
    const x = bytesToBig(randomBytes(Q_BYTES));
    if (x < Q) return x;
  }
}

/** A random element of Z_q that is not zero (for secret nonces and coefficients). */
export function randomNonZeroQ(): bigint {
  for (;;) {
    const x = randomQ();
    if (x !== 0n) return x;
  }
}

/**
 * Fixed-base exponentiation with a precomputed window table: base^(d·2^(w·i)) for every
 * window i and digit d, so an exponent below 2^256 costs 256/w multiplications and no
 * squarings (egk's PowRadix does the same). Built once per base per thread.
 */
export class FixedBase {
  readonly base: bigint;
  private readonly windowBits: number;
  private readonly table: bigint[][];

  constructor(base: bigint, windowBits = 8, exponentBits = 256) {
    this.base = base;
    this.windowBits = windowBits;
    const windows = Math.ceil(exponentBits / windowBits);
    const digits = 1 << windowBits;
    this.table = [];
    let windowBase = base;
    for (let i = 0; i < windows; i++) {
      const row: bigint[] = [1n];
      let acc = 1n;
      for (let d = 1; d < digits; d++) {
        acc = (acc * windowBase) % P;
        row.push(acc);
      }
      this.table.push(row);
      windowBase = (acc * windowBase) % P;
    }
  }

  /** base^exp mod p; exponents beyond the table's size are first reduced mod q. */
  pow(exp: bigint): bigint {
    let e = exp;
    if (e < 0n || e >= 1n << BigInt(this.windowBits * this.table.length)) e = modQ(e);
    const mask = BigInt((1 << this.windowBits) - 1);
    const shift = BigInt(this.windowBits);
    let result = 1n;
    for (let i = 0; e > 0n; i++) {
      const digit = Number(e & mask);
      if (digit !== 0) {
        const row = this.table[i];
        const v = row?.[digit];
        if (v === undefined) throw new RangeError('exponent too large for table');
        result = result === 1n ? v : (result * v) % P;
      }
      e >>= shift;
    }
    return result;
  }
}

let gTable: FixedBase | undefined;

/** g^exp mod p through this thread's fixed-base table for g. */
export function powG(exp: bigint): bigint {
  if (arithmetic === 'bigint') return modPowBig(G, modQ(exp), P);
  gTable ??= new FixedBase(G);
  return gTable.pow(exp);
}

const keyTables = new Map<bigint, FixedBase>();

/** K^exp mod p through a per-thread fixed-base table for the joint key K (kept for a few keys). */
export function powKey(key: bigint, exp: bigint): bigint {
  if (arithmetic === 'bigint') return modPowBig(key, modQ(exp), P);
  let table = keyTables.get(key);
  if (table === undefined) {
    if (keyTables.size >= 4) keyTables.clear();
    table = new FixedBase(key);
    keyTables.set(key, table);
  }
  return table.pow(exp);
}
