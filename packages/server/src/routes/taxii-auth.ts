import type { IntelUser, Store } from '@vigil/store';
import {
  decodeBasicCredentials,
  hashBearerToken,
  spendDecoyCheck,
  splitAuthorization,
  verifyPassword,
} from '../auth/secrets.ts';

/**
 * Who is calling the TAXII API: HTTP Basic (user id and password, RFC 7617) or a bearer
 * token (RFC 6750). The primitives (scrypt hashes, hashed tokens, the decoy check) are
 * shared with the officials' sign-in in `../auth/secrets.ts`.
 */

export { hashBearerToken, hashPassword, newBearerToken, verifyPassword } from '../auth/secrets.ts';

/** The user an Authorization header proves, or undefined. */
export async function authenticate(
  store: Store,
  header: string | undefined,
): Promise<IntelUser | undefined> {
  const parts = splitAuthorization(header);
  if (parts === undefined) return undefined;
  if (parts.scheme === 'bearer' && parts.value !== '') {
    return store.getIntelUserByToken(hashBearerToken(parts.value));
  }
  if (parts.scheme === 'basic') {
    const credentials = decodeBasicCredentials(parts.value);
    if (credentials === undefined) return undefined;
    const user = await store.getIntelUser(credentials.id);
    // An unknown user, or one without a password, costs as much as a wrong password.
    if (user?.passwordHash === undefined) {
      await spendDecoyCheck(credentials.password);
      return undefined;
    }
    return (await verifyPassword(credentials.password, user.passwordHash)) ? user : undefined;
  }
  return undefined;
}
