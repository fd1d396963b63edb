import { describe, expect, it } from 'vitest';
import { constantTimeEqual, fromHex, sha256Hex, toHex } from './hash.ts';

describe('hash helpers', () => {
  it('computes SHA-256 as in FIPS 180-4 examples', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('round-trips hex and rejects malformed hex with a reason', () => {
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(() => fromHex('abc')).toThrow(/odd number/);
    expect(() => fromHex('zz')).toThrow(/other than 0-9/);
  });

  it('compares secrets without short-circuiting on length mismatch', () => {
    expect(constantTimeEqual(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(constantTimeEqual(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(constantTimeEqual(fromHex('0102'), fromHex('01'))).toBe(false);
  });
});
