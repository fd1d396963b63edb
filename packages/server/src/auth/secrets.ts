import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { sha256Hex } from '@vigil/core';

/**
 * The secret primitives every sign-in of Vigil uses (TAXII users, election officials,
 * polling stations). Passwords are kept as scrypt hashes (RFC 7914) and compared in
 * constant time; bearer tokens (RFC 6750) are 32 random bytes kept only as their SHA-256,
 * so the database never holds a usable secret.
 */

/**
 * scrypt's cost: N = 2^14, r = 8, p = 1 (RFC 7914 §2; the parameters OWASP's password
 * storage guidance lists for scrypt), a 32-byte key. Stored with each hash, so raising
 * them later leaves old hashes verifiable.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

/** The shortest password `hashPassword` accepts (NIST SP 800-63B §3.1.1.2 asks for 8 or more). */
export const MIN_PASSWORD_LENGTH = 12;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keylen, options, (e, key) => {
      if (e === null) resolve(key);
      else reject(e);
    });
  });
}

/**
 * `scrypt$N$r$p$salt$hash` with base64url salt and hash.
 *
 * @example
 *   const stored = await hashPassword('correct horse battery');
 *   await verifyPassword('correct horse battery', stored); // true
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`A password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
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

// A hash of a random password made once per process: verifying against it when the
// account does not exist (or may not sign in) costs as much time as a wrong password,
// so account ids cannot be probed by timing. Random, so no password in the repository
// ever matches it.
let decoy: Promise<string> | undefined;

/** Verifies `password` against the decoy hash: the time of a failed check, always false. */
export async function spendDecoyCheck(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(password, await decoy);
  return false;
}

/**
 * A new bearer token (to show once) and the hash to store. The prefix says what the
 * token is for (`vgl_` TAXII, `vgs_` session, `vgt_` station), which helps secret
 * scanners and people tell them apart; the 32 random bytes are the secret.
 */
export function newBearerToken(prefix = 'vgl_'): { token: string; tokenHash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashBearerToken(token) };
}

/** SHA-256 (hex) of a token: what the database keeps and looks tokens up by. */
export function hashBearerToken(token: string): string {
  return sha256Hex(new TextEncoder().encode(token));
}

/**
 * A random password to hand to a person once: 18 random bytes as base64url (24
 * characters, 144 bits), well above the minimum length.
 */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** An `Authorization`-style header split into its scheme (lowercase) and value. */
export function splitAuthorization(
  header: string | undefined,
): { scheme: string; value: string } | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space <= 0) return undefined;
  return { scheme: trimmed.slice(0, space).toLowerCase(), value: trimmed.slice(space + 1).trim() };
}

/** The id and password of HTTP Basic credentials (RFC 7617 §2: base64 of `id:password`). */
export function decodeBasicCredentials(
  value: string,
): { id: string; password: string } | undefined {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
