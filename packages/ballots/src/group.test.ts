import { describe, expect, it } from 'vitest';
import {
  bigToBytes,
  FixedBase,
  G,
  invP,
  isValidResidue,
  modPowBig,
  P,
  powG,
  powKey,
  powP,
  Q,
  R,
  randomQ,
} from './group.ts';
import { electionBaseHash, parameterBaseHash } from './params.ts';

describe('group arithmetic of the standard 2.0 parameters', () => {
  it('has p = q·r + 1 with q = 2^256 - 189 and g of order q', () => {
    expect(Q).toBe(2n ** 256n - 189n);
    expect(P).toBe(Q * R + 1n);
    expect(P.toString(2)).toHaveLength(4096);
    expect(modPowBig(G, Q, P)).toBe(1n);
  });

  it('computes base^exp mod p through OpenSSL exactly as plain BigInt does', () => {
    const base = powG(randomQ());
    for (const exp of [1n, 2n, 255n, 256n, randomQ(), randomQ(), Q - 1n, Q, Q + 5n, P - 1n]) {
      expect(powP(base, exp)).toBe(modPowBig(base, exp, P));
    }
    // A base whose big-endian form has leading zero bytes, and results padded back.
    const small = 3n;
    expect(powP(small, 1000n)).toBe(modPowBig(small, 1000n, P));
  });

  it('answers the cases OpenSSL refuses: exponent 0, bases 0, 1 and p-1, results of 1', () => {
    const x = powG(randomQ());
    expect(powP(x, 0n)).toBe(1n);
    expect(powP(0n, 5n)).toBe(0n);
    expect(powP(1n, randomQ())).toBe(1n);
    expect(powP(P - 1n, 3n)).toBe(P - 1n);
    expect(powP(P - 1n, 4n)).toBe(1n);
    expect(powP(x, Q)).toBe(1n);
    expect(powP(x, -1n)).toBe(modPowBig(x, Q - 1n, P));
  });

  it('fixed-base tables agree with BigInt for g and a key', () => {
    const key = powG(randomQ());
    const table = new FixedBase(key, 6);
    for (const e of [0n, 1n, randomQ(), Q - 1n, 2n ** 255n]) {
      expect(powG(e)).toBe(modPowBig(G, e, P));
      expect(table.pow(e)).toBe(modPowBig(key, e, P));
      expect(powKey(key, e)).toBe(modPowBig(key, e, P));
    }
  });

  it('tells subgroup members from other numbers below p', () => {
    expect(isValidResidue(powG(randomQ()))).toBe(true);
    expect(isValidResidue(2n)).toBe(false);
    expect(isValidResidue(0n)).toBe(false);
    expect(isValidResidue(P)).toBe(false);
    const x = powG(randomQ());
    expect((invP(x) * x) % P).toBe(1n);
    expect(bigToBytes(1n, 512)).toHaveLength(512);
  });
});

describe('the hash H and the base hashes', () => {
  it('reproduces the parameter base hash H_P of the standard group (as egk records carry it)', () => {
    expect(parameterBaseHash().toString('hex').toUpperCase()).toBe(
      '2B3B025E50E09C119CBA7E9448ACD1CABC9447EF39BF06327D81C665CDD86296',
    );
  });

  it('reproduces H_B of egk-chainedJson from its inputs', () => {
    const hp = parameterBaseHash();
    const hm = Buffer.from(
      '16DDFBCA54759FDDFBF392EDE7660CBF94B4330453D18337E7075D61D129716B',
      'hex',
    );
    const hb = electionBaseHash(hp, hm, 3, 3);
    expect(hb.toString('hex').toUpperCase()).toBe(
      'B6E950F3BFD3526BEDB5690A21ECB24422953A9FE51E908D87087DEA33E85204',
    );
  });
});
