import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { fixedClock, unwrap } from '@vigil/core';
import { decodeEntry } from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import {
  createCredentialKeys,
  credentialPublicKeys,
  finishCredential,
  openCredentialSigner,
  requestCredential,
  spendCredential,
  spentTokenHash,
  type BallotCredential,
  type CredentialPublicKey,
  type CredentialSigner,
} from './credentials.ts';
import { keyringFromKey } from './keys.ts';

const clock = fixedClock(new Date('2026-11-03T09:30:12.345Z'));
const masterKey = new Uint8Array(randomBytes(32));
const RSA_ENCRYPTION_OID = Buffer.from('06092a864886f70d010101', 'hex');

let store: Store;
let keys: readonly CredentialPublicKey[];
let signer: CredentialSigner;

beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  keys = await createCredentialKeys(store, {
    electionId: 'e-1',
    ballotStyleIds: ['bs-1', 'bs-2'],
    keyring: masterKey,
    clock,
    modulusBits: 2048,
  });
  signer = unwrap(await openCredentialSigner(store, 'e-1', masterKey));
});

afterEach(() => {
  clock.advance(1000);
});

const keyOf = (ballotStyleId: string) => keys.find((k) => k.ballotStyleId === ballotStyleId)!;

async function credentialFor(ballotStyleId: string, via = signer): Promise<BallotCredential> {
  const { pending, blindedMessage } = await requestCredential(via.publicKeys.get(ballotStyleId)!);
  return unwrap(
    await finishCredential(pending, unwrap(via.blindSign(ballotStyleId, blindedMessage))),
  );
}

const spend = (credential: BallotCredential, ballotStyleId: string, electionId = 'e-1') =>
  spendCredential(store, {
    credential,
    ballotStyleId,
    electionId,
    publicKeys: keys,
    ballotBoxId: 'ballot-box-1',
    clock,
  });

describe('credential keys', () => {
  it('makes one RSA-PSS key per ballot style, and keeps the ones it made', async () => {
    expect(keys.map((k) => k.ballotStyleId)).toEqual(['bs-1', 'bs-2']);
    expect(keyOf('bs-1').keyId).not.toBe(keyOf('bs-2').keyId);
    const again = await createCredentialKeys(store, {
      electionId: 'e-1',
      ballotStyleIds: ['bs-1', 'bs-2'],
      keyring: masterKey,
      clock,
      modulusBits: 2048,
    });
    expect(again).toEqual(keys);
    expect(await credentialPublicKeys(store, 'e-1')).toEqual(keys);
  });

  it('never stores a private key in the clear', async () => {
    const rows = await store.db.selectFrom('credential_keys').selectAll().execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // The rsaEncryption OID opens every SPKI and PKCS #8 key; the sealed bytes are noise.
      expect(Buffer.from(row.public_key).includes(RSA_ENCRYPTION_OID)).toBe(true);
      expect(Buffer.from(row.sealed_private_key).includes(RSA_ENCRYPTION_OID)).toBe(false);
    }
  });

  it('opens only under the master key it was sealed with, and only in its own row', async () => {
    const wrong = await openCredentialSigner(store, 'e-1', new Uint8Array(randomBytes(32)));
    expect(!wrong.ok && wrong.error.message).toMatch(/does not open with this master key/);
    // A keyring (keys.ts) over the same key opens them.
    expect((await openCredentialSigner(store, 'e-1', keyringFromKey(masterKey))).ok).toBe(true);

    const scratch = await openStore({ url: ':memory:' });
    const rows = await store.listCredentialKeys('e-1');
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    // bs-1's sealed private key stored under bs-2's name: the associated data differs.
    unwrap(await scratch.saveCredentialKey({ ...b, sealedPrivateKey: a.sealedPrivateKey }));
    const moved = await openCredentialSigner(scratch, 'e-1', masterKey);
    expect(!moved.ok && moved.error.message).toMatch(/ballot style "bs-2" does not open/);

    const other = await openStore({ url: ':memory:' });
    const flipped = new Uint8Array(a.sealedPrivateKey);
    flipped[100] = flipped[100]! ^ 1;
    unwrap(await other.saveCredentialKey({ ...a, sealedPrivateKey: flipped }));
    expect((await openCredentialSigner(other, 'e-1', masterKey)).ok).toBe(false);
    expect((await other.saveCredentialKey(a)).ok).toBe(false); // never replaced
    const none = await openCredentialSigner(scratch, 'e-2', masterKey);
    expect(!none.ok && none.error.message).toMatch(/no credential keys/);
    await expect(openCredentialSigner(store, 'e-1', new Uint8Array(16))).rejects.toThrow(
      /must be 32 bytes/,
    );
    await scratch.close();
    await other.close();
  });
});

describe('blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized)', () => {
  it("gives a blind signature that the library finalises and verifies (RSA signing is deterministic, so it is the library's)", async () => {
    const suite = RSABSSA.SHA384.PSS.Randomized();
    const key = keyOf('bs-1');
    const { pending, blindedMessage } = await requestCredential(key);
    const blindSig = unwrap(signer.blindSign('bs-1', blindedMessage));
    expect(blindSig).toHaveLength(256);
    const credential = unwrap(await finishCredential(pending, blindSig));
    const publicKey = await crypto.subtle.importKey(
      'spki',
      new Uint8Array(key.spki),
      { name: 'RSA-PSS', hash: 'SHA-384' },
      true,
      ['verify'],
    );
    expect(await suite.verify(publicKey, credential.signature, credential.preparedMessage)).toBe(
      true,
    );
    // The signer saw only the blinded message: neither the prepared message nor the
    // final signature appears in it.
    expect(Buffer.from(blindedMessage).equals(Buffer.from(credential.signature))).toBe(false);
    expect(
      Buffer.from(blindedMessage).includes(Buffer.from(credential.preparedMessage.subarray(32))),
    ).toBe(false);
  });

  it('refuses blinded messages of the wrong size or above the modulus, and unknown styles', () => {
    const short = signer.blindSign('bs-1', new Uint8Array(32));
    expect(!short.ok && short.error.message).toMatch(/must be 256 bytes/);
    const big = signer.blindSign('bs-1', new Uint8Array(256).fill(0xff));
    expect(!big.ok && big.error.message).toMatch(/not a number below the key modulus/);
    expect(signer.blindSign('bs-9', new Uint8Array(256)).ok).toBe(false);
  });

  it('a station refuses a blind signature made with another key', async () => {
    const { pending, blindedMessage } = await requestCredential(keyOf('bs-1'));
    // bs-2's key, same length: the unblinded signature does not verify under bs-1.
    const wrong = unwrap(signer.blindSign('bs-2', new Uint8Array(blindedMessage.length).fill(1)));
    const r = await finishCredential(pending, wrong);
    expect(!r.ok && r.error.message).toMatch(/does not verify under ballot style "bs-1"/);
  });
});

describe('spending a credential on the ballot side', () => {
  it('accepts a credential once; a second spend and a later replay are refused', async () => {
    const credential = await credentialFor('bs-1');
    expect(unwrap(await spend(credential, 'bs-1'))).toEqual({ ballotStyleId: 'bs-1' });
    const twice = await spend(credential, 'bs-1');
    expect(!twice.ok && twice.error.reason).toBe('already-spent');
    clock.advance(6 * 3600_000);
    const replay = await spend(
      { ...credential, preparedMessage: new Uint8Array(credential.preparedMessage) },
      'bs-1',
    );
    expect(!replay.ok && replay.error.message).toMatch(/already been used/);
  });

  it('refuses a credential for another ballot style, election or key, or altered', async () => {
    const credential = await credentialFor('bs-1');
    const otherStyle = await spend(credential, 'bs-2');
    expect(!otherStyle.ok && otherStyle.error.reason).toBe('wrong-ballot-style');
    // Relabelled as bs-2, it still carries bs-1's signature.
    const relabelled = { ...credential, ballotStyleId: 'bs-2' };
    expect((await spend(relabelled, 'bs-2')).ok).toBe(false);
    const otherElection = await spend(credential, 'bs-1', 'e-2');
    expect(!otherElection.ok && otherElection.error.reason).toBe('wrong-election');

    const badSig = new Uint8Array(credential.signature);
    badSig[10] = badSig[10]! ^ 1;
    const forged = await spend({ ...credential, signature: badSig }, 'bs-1');
    expect(!forged.ok && forged.error.reason).toBe('bad-signature');
    const badToken = new Uint8Array(credential.preparedMessage);
    badToken[badToken.length - 1] = badToken[badToken.length - 1]! ^ 1;
    expect((await spend({ ...credential, preparedMessage: badToken }, 'bs-1')).ok).toBe(false);
    const junk = await spend({ ...credential, preparedMessage: new Uint8Array(40) }, 'bs-1');
    expect(!junk.ok && junk.error.reason).toBe('malformed');

    // A credential signed by another registry's key for the same names.
    const elsewhere = await openStore({ url: ':memory:' });
    await createCredentialKeys(elsewhere, {
      electionId: 'e-1',
      ballotStyleIds: ['bs-1'],
      keyring: masterKey,
      clock,
      modulusBits: 2048,
    });
    const foreign = await credentialFor(
      'bs-1',
      unwrap(await openCredentialSigner(elsewhere, 'e-1', masterKey)),
    );
    const fromElsewhere = await spend(foreign, 'bs-1');
    expect(!fromElsewhere.ok && fromElsewhere.error.reason).toBe('bad-signature');
    await elsewhere.close();
    // None of these spent the genuine credential.
    expect((await spend(credential, 'bs-1')).ok).toBe(true);
  });

  it('records only the token hash and the ballot style, and ledger entries with the day only', async () => {
    const credential = await credentialFor('bs-2');
    const before = (await store.db.selectFrom('ledger_entries').select('seq').execute()).length;
    unwrap(await spend(credential, 'bs-2'));
    const token = credential.preparedMessage.subarray(credential.preparedMessage.length - 32);
    const row = await store.db
      .selectFrom('spent_credentials')
      .selectAll()
      .where('token_hash', '=', spentTokenHash(token))
      .executeTakeFirstOrThrow();
    expect(Object.keys(row).sort()).toEqual(['ballot_style_id', 'election_id', 'token_hash']);
    const entries = await store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .orderBy('seq')
      .execute();
    const last = unwrap(decodeEntry(entries[entries.length - 1]!.entry));
    expect(entries.length).toBe(before + 1);
    expect(last).toMatchObject({ disposition: 'success', time: '2026-11-03T00:00:00Z' });
    expect(last.subjects.join(' ')).not.toContain(spentTokenHash(token));
  });
});
