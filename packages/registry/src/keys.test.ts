import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyring, parseMasterKey, MASTER_KEY_FILE_NAME } from './keys.ts';
import { openTemplate, sealTemplate } from './envelope.ts';

describe('master key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads VIGIL_MASTER_KEY as base64 or hex, the same key either way', () => {
    const key = randomBytes(32);
    const b64 = openKeyring({ env: { VIGIL_MASTER_KEY: key.toString('base64') }, dataDir: dir });
    const hex = openKeyring({ env: { VIGIL_MASTER_KEY: key.toString('hex') }, dataDir: dir });
    expect(b64.ok && hex.ok && b64.value.keyId === hex.value.keyId).toBe(true);
    expect(b64.ok && b64.value.source).toBe('environment');
    const bad = openKeyring({ env: { VIGIL_MASTER_KEY: 'c2hvcnQ=' }, dataDir: dir });
    expect(!bad.ok && bad.error.message).toContain('VIGIL_MASTER_KEY is not usable');
    expect(parseMasterKey('zz'.repeat(32)).ok).toBe(false);
  });

  it('creates master.key with mode 0600 once, then reads the same key', () => {
    expect(openKeyring({ env: {}, dataDir: dir, create: false }).ok).toBe(false);
    const first = openKeyring({ env: {}, dataDir: dir });
    const file = join(dir, MASTER_KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = openKeyring({ env: {}, dataDir: dir, create: false });
    expect(first.ok && again.ok && first.value.keyId === again.value.keyId).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(44);
  });

  it('refuses a key file others can read, and a damaged one', () => {
    const file = join(dir, MASTER_KEY_FILE_NAME);
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    const open = openKeyring({ env: {}, dataDir: dir });
    expect(!open.ok && open.error.message).toContain('can be read by other users');
    chmodSync(file, 0o600);
    expect(openKeyring({ env: {}, dataDir: dir }).ok).toBe(true);
    writeFileSync(file, 'not a key\n');
    expect(openKeyring({ env: {}, dataDir: dir }).ok).toBe(false);
  });

  it('seals with a fresh data key per record', () => {
    const keyring = openKeyring({ env: { VIGIL_MASTER_KEY: randomBytes(32).toString('hex') } });
    if (!keyring.ok) throw keyring.error;
    const context = { voterId: 'V-1', modality: 'finger', position: 2 } as const;
    const a = sealTemplate(keyring.value, new Uint8Array(100), context);
    const b = sealTemplate(keyring.value, new Uint8Array(100), context);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
    expect(Buffer.from(a.wrappedKey).equals(Buffer.from(b.wrappedKey))).toBe(false);
    const opened = openTemplate(keyring.value, a, context);
    expect(opened.ok && opened.value).toEqual(new Uint8Array(100));
    // A wrapped key moved onto another record does not open it.
    expect(openTemplate(keyring.value, { ...b, wrappedKey: a.wrappedKey }, context).ok).toBe(false);
  });
});
