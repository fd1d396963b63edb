import { RSABSSA } from '@cloudflare/blindrsa-ts';
import type { RegistryInfoResponse } from '@vigil/server';
import type { BallotCredentialText } from '../credential-text.ts';

/**
 * The station's half of the one-time ballot credential (RFC 9474,
 * RSABSSA-SHA384-PSS-Randomized), in the browser: a random 32-byte token is prepared
 * (§4.1) and blinded (§4.2) under the public key of the voter's ballot style, only the
 * blinded message goes to the registry, and its blind signature is finalised (§4.4,
 * which also verifies it) here. The registry never sees the token or the final
 * signature, so nothing it records can be joined to the ballot (§6.1).
 *
 * The message layout is the registry's (packages/registry/src/credentials.ts,
 * `credentialMessage`): "vigil-ballot-credential-v1\n<election>\n<ballot style>\n"
 * followed by the token. Web Crypto needs a secure context (HTTPS, or localhost).
 */

const suite = RSABSSA.SHA384.PSS.Randomized();
const MESSAGE_DOMAIN = 'vigil-ballot-credential-v1';
const TOKEN_BYTES = 32;
const RSA_PSS_SHA384 = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

/** What the station keeps between blinding and finalising: secret, and short-lived. */
export interface PendingCredential {
  readonly electionId: string;
  readonly ballotStyleId: string;
  readonly spki: Uint8Array;
  readonly preparedMessage: Uint8Array;
  readonly inverse: Uint8Array;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function importVerifyKey(spki: Uint8Array): Promise<CryptoKey> {
  // Extractable: the library reads the modulus from the key's JWK form.
  return crypto.subtle.importKey('spki', new Uint8Array(spki), RSA_PSS_SHA384, true, ['verify']);
}

/**
 * A fresh token, prepared and blinded under `ballotStyleId`'s key from the registry's
 * key list. Throws when the registry publishes no key for that ballot style.
 */
export async function blindCredential(
  registry: RegistryInfoResponse,
  ballotStyleId: string,
): Promise<{ pending: PendingCredential; blindedMessage: string }> {
  const key = registry.credentialKeys.find((k) => k.ballotStyleId === ballotStyleId);
  if (key === undefined) {
    throw new Error(
      `The registry publishes no credential key for ballot style ${ballotStyleId}; ask an administrator to check the registry.`,
    );
  }
  const spki = fromBase64(key.spki);
  const header = new TextEncoder().encode(
    `${MESSAGE_DOMAIN}\n${registry.electionId}\n${ballotStyleId}\n`,
  );
  const token = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  const message = new Uint8Array(header.length + TOKEN_BYTES);
  message.set(header);
  message.set(token, header.length);
  const preparedMessage = suite.prepare(message);
  token.fill(0);
  const { blindedMsg, inv } = await suite.blind(await importVerifyKey(spki), preparedMessage);
  return {
    pending: {
      electionId: registry.electionId,
      ballotStyleId,
      spki,
      preparedMessage,
      inverse: inv,
    },
    blindedMessage: toBase64(blindedMsg),
  };
}

/**
 * Unblinds the registry's blind signature (RFC 9474 §4.4) into the credential the voter
 * carries. Throws when it does not verify under the ballot style's key.
 */
export async function finishCredential(
  pending: PendingCredential,
  blindSignature: string,
): Promise<BallotCredentialText> {
  const signature = await suite.finalize(
    await importVerifyKey(pending.spki),
    pending.preparedMessage,
    fromBase64(blindSignature),
    pending.inverse,
  );
  return {
    electionId: pending.electionId,
    ballotStyleId: pending.ballotStyleId,
    preparedMessage: toBase64(pending.preparedMessage),
    signature: toBase64(signature),
  };
}
