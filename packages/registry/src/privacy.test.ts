import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex, unwrap } from '@vigil/core';
import { decodeEntry, eventById } from '@vigil/ledger';
import { openStore } from '@vigil/store';
import { checkIn, overrideCheckIn } from './checkin.ts';
import {
  impression,
  memoryDirectory,
  stationAt,
  supervisor,
  syntheticFinger,
  testDeps,
  testVoter,
} from './checkin-testing.ts';
import {
  createCredentialKeys,
  finishCredential,
  openCredentialSigner,
  requestCredential,
  spendCredential,
  spentTokenHash,
} from './credentials.ts';

/**
 * Issue 8's privacy test: after a full flow (two check-ins, each with a blind-signed
 * credential, both spent), nothing in any table or in the ledger joins a voter to a
 * credential. The registry side holds no token, token hash, blinded message, blind
 * signature or signature; the ballot side holds no voter, station, check-in or time.
 */
describe('privacy of ballot credentials', () => {
  it('leaves nothing in the database or the ledger that joins a voter to a credential', async () => {
    const store = await openStore({ url: ':memory:' });
    const masterKey = new Uint8Array(randomBytes(32));
    const fingers = new Map([['v-1', [syntheticFinger(41)]]]);
    const deps = testDeps(store, memoryDirectory([testVoter('v-1'), testVoter('v-2')], fingers));
    await createCredentialKeys(store, {
      electionId: deps.election.id,
      ballotStyleIds: ['bs-1'],
      keyring: masterKey,
      clock: deps.clock,
      modulusBits: 2048,
    });
    const signer = unwrap(await openCredentialSigner(store, deps.election.id, masterKey));
    const withSigner = { ...deps, signer };
    const key = signer.publicKeys.get('bs-1')!;

    const secrets: Uint8Array[] = [];
    const credentials = [];
    for (const voterId of ['v-1', 'v-2']) {
      const { pending, blindedMessage } = await requestCredential(key);
      const r =
        voterId === 'v-1'
          ? unwrap(
              await checkIn(withSigner, stationAt('station-1'), {
                voterId,
                fingerprint: impression(fingers.get('v-1')![0]!, 1),
                blindedMessage,
              }),
            )
          : unwrap(
              await overrideCheckIn(withSigner, stationAt('station-1'), {
                voterId,
                supervisor,
                reason: 'not enrolled',
                idDocumentChecked: true,
                blindedMessage,
              }),
            );
      const credential = unwrap(await finishCredential(pending, r.blindSignature!));
      const token = credential.preparedMessage.subarray(credential.preparedMessage.length - 32);
      secrets.push(
        blindedMessage,
        r.blindSignature!,
        credential.signature,
        credential.preparedMessage,
        token,
      );
      secrets.push(new TextEncoder().encode(spentTokenHash(token)));
      credentials.push({ credential, tokenHash: spentTokenHash(token) });
      deps.clock.advance(90_000);
    }
    for (const { credential } of credentials) {
      unwrap(
        await spendCredential(store, {
          credential,
          ballotStyleId: 'bs-1',
          electionId: deps.election.id,
          publicKeys: [key],
          ballotBoxId: 'ballot-box-1',
          clock: deps.clock,
        }),
      );
    }

    // Every secret in every form it could be stored in: raw bytes, hex, base64, base64url.
    const forms = secrets.flatMap((s) => {
      const b = Buffer.from(s);
      return [
        b,
        Buffer.from(toHex(s)),
        Buffer.from(b.toString('base64')),
        Buffer.from(b.toString('base64url')),
      ];
    });
    const containsSecret = (value: unknown): boolean => {
      if (value === null || value === undefined) return false;
      const bytes =
        value instanceof Uint8Array
          ? Buffer.from(value)
          : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
      return forms.some((f) => f.length >= 16 && bytes.includes(f));
    };

    const tables = (await store.db.introspection.getTables())
      .map((t) => t.name)
      .filter((n) => !n.startsWith('kysely_'));
    expect(tables).toContain('spent_credentials');
    expect(tables).toContain('voter_participation');
    const spent = await store.db.selectFrom('spent_credentials').selectAll().execute();
    expect(spent.map((r) => r.token_hash).sort()).toEqual(
      credentials.map((c) => c.tokenHash).sort(),
    );
    // The scan below would see a token hash if one were stored on the registry side.
    expect(containsSecret(spent[0]?.token_hash)).toBe(true);
    for (const table of tables) {
      const rows = (await store.db
        .selectFrom(table as 'elections')
        .selectAll()
        .execute()) as unknown as Record<string, unknown>[];
      if (table === 'spent_credentials') {
        // Ballot side: the token hash and the ballot style only; no voter, station,
        // check-in or time column, and no value that names one.
        for (const row of rows) {
          expect(Object.keys(row).sort()).toEqual(['ballot_style_id', 'election_id', 'token_hash']);
          expect(JSON.stringify(row)).not.toMatch(/v-1|v-2|station-1|T\d\d:\d\d/);
        }
        continue;
      }
      // Registry side (and everything else): no token, hash, blinded message or signature.
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          expect(containsSecret(value), `${table}.${column}`).toBe(false);
        }
      }
    }

    // The ledger: no secret; spends carry the day only and no token hash.
    const entries = (await store.ledgerEntries(0, await store.ledgerSize())).map((e) => ({
      bytes: e.bytes,
      entry: unwrap(decodeEntry(e.bytes)),
    }));
    for (const { bytes, entry } of entries) {
      expect(containsSecret(bytes), eventById(entry.eventId)?.type).toBe(false);
      if (eventById(entry.eventId)?.type === 'credential.spent') {
        expect(entry.time).toMatch(/T00:00:00Z$/);
        expect(entry.stationId).toBe('ballot-box-1');
        expect(entry.subjects.join(' ')).not.toMatch(/voter:|checkin:|station:/);
      }
    }
    expect(entries.map((e) => eventById(e.entry.eventId)?.type)).toContain('credential.issued');
    await store.close();
  });
});
