import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { sha256Hex } from '@vigil/core';
import type { IntelUser, Store } from '@vigil/store';

/**
 * Who is calling the TAXII API: HTTP Basic (user id and password, RFC 7617) or a bearer
 * token (RFC 6750). Passwords are kept as scrypt hashes (RFC 7914) and compared in
 * constant time; tokens as their SHA-256, so the database never holds a usable secret.
 */

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keylen, options, (e, key) => {
      if (e === null) resolve(key);
      else reject(e);
    });
  });
}

/** `scrypt$N$r$p$salt$hash` with base64url salt and hash. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < 12) {
    throw new Error('A password must be at least 12 characters long.');
  }
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, SCRYPT);
  return `scrypt$${String(SCRYPT.N)}$${String(SCRYPT.r)}$${String(SCRYPT.p)}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches a hash made by `hashPassword`, compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A new bearer token (to show once) and the hash to store. */
export function newBearerToken(): { token: string; tokenHash: string } {
  const token = `vgl_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashBearerToken(token) };
}

export function hashBearerToken(token: string): string {
  return sha256Hex(new TextEncoder().encode(token));
}

// A fixed hash to verify against when the user does not exist, so that an unknown user
// costs as much time as a wrong password and user ids cannot be probed by timing.
let decoy: Promise<string> | undefined;

/** The user an Authorization header proves, or undefined. */
export async function authenticate(
  store: Store,
  header: string | undefined,
): Promise<IntelUser | undefined> {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value !== '') {
    return store.getIntelUserByToken(hashBearerToken(value));
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const userId = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const user = userId === '' ? undefined : await store.getIntelUser(userId);
    decoy ??= hashPassword('decoy-password-never-matches');
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy));
    return ok && user !== undefined ? user : undefined;
  }
  return undefined;
}
