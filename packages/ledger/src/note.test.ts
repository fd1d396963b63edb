import { describe, expect, it } from 'vitest';
import { unwrap } from '@vigil/core';
import {
  SIGNATURE_TYPE,
  asCosignatureKey,
  cosignText,
  cosignatureTimestamp,
  formatNote,
  formatSignatureLine,
  formatVerifierKey,
  generateSignerKey,
  noteVerifierKey,
  openNote,
  parseNote,
  parseSignatureLine,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  signNoteText,
  verifySignature,
} from './note.ts';

// Vectors from golang.org/x/mod/sumdb/note (note_test.go), the reference implementation
// of signed notes, reproduced as data.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const peter = unwrap(parseVerifierKey(PETER_VKEY));
const enoch = unwrap(parseVerifierKey(ENOCH_VKEY));

describe('signed-note keys', () => {
  it('reads the Go vkey and skey, and derives the same key ID and vkey', () => {
    expect(peter).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, type: 0x01 });
    const signer = unwrap(parseSignerKey(PETER_SKEY));
    expect(formatVerifierKey(noteVerifierKey(signer))).toBe(PETER_VKEY);
  });

  it('reproduces the Go signature byte for byte (Ed25519 is deterministic)', () => {
    const signer = unwrap(parseSignerKey(PETER_SKEY));
    expect(signNote(TEXT, signer)).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('refuses every substring and every single-character change of a vkey', () => {
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i === 0 && j === PETER_VKEY.length) continue;
        expect(parseVerifierKey(PETER_VKEY.slice(i, j)).ok).toBe(false);
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed =
        PETER_VKEY.slice(0, i) +
        String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) +
        PETER_VKEY.slice(i + 1);
      expect(parseVerifierKey(changed).ok).toBe(false);
    }
    // Wrong key length and unknown algorithm, each with a matching key ID (Go's cases).
    const long = 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==';
    expect(parseVerifierKey(long).ok).toBe(false);
    const alg = parseVerifierKey(
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    );
    expect(!alg.ok && alg.error.message).toMatch(/signature type 0x65 is not supported/);
  });

  it('refuses every substring and every single-character change of an skey', () => {
    for (let i = 0; i <= PETER_SKEY.length; i += 3) {
      for (let j = i + 1; j <= PETER_SKEY.length; j += 2) {
        if (i === 0 && j === PETER_SKEY.length) continue;
        expect(parseSignerKey(PETER_SKEY.slice(i, j)).ok).toBe(false);
      }
    }
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const changed =
        PETER_SKEY.slice(0, i) +
        String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) +
        PETER_SKEY.slice(i + 1);
      const r = parseSignerKey(changed);
      expect(r.ok).toBe(false);
      // A secret never appears in an error message.
      expect(!r.ok && r.error.message.includes('AYEKFALV')).toBe(false);
    }
  });

  it('reads vkeys whose base64 contains "+" and cosignature/v1 keys (transparency-dev/formats)', () => {
    const plain = unwrap(
      parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6'),
    );
    expect(plain.type).toBe(SIGNATURE_TYPE.ed25519);
    const cosigner = unwrap(
      parseVerifierKey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2'),
    );
    expect(cosigner).toMatchObject({ type: SIGNATURE_TYPE.cosignatureV1, keyId: 0xda77ade7 });
    expect(asCosignatureKey(plain).keyId).not.toBe(plain.keyId);
  });

  it('generates keys that round-trip through their strings', () => {
    const { key, skey, vkey } = generateSignerKey('vigil.example/log');
    const again = unwrap(parseSignerKey(skey));
    expect(again.publicKey).toEqual(key.publicKey);
    expect(formatVerifierKey(noteVerifierKey(again))).toBe(vkey);
    expect(() => generateSignerKey('bad name')).toThrow(/not a valid key name/);
    expect(() => generateSignerKey('a+b')).toThrow(/not a valid key name/);
  });
});

describe('signed notes (golang.org/x/mod/sumdb/note Open cases)', () => {
  it('verifies the trusted signature and sets the unknown one aside', () => {
    const n = unwrap(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]));
    expect(n.text).toBe(TEXT);
    expect(n.verified.map((v) => v.key.name)).toEqual(['PeterNeumann']);
    expect(n.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
    const both = unwrap(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]));
    expect(both.verified).toHaveLength(2);
    expect(both.unverified).toHaveLength(0);
  });

  it('refuses a note with no trusted signature, or with a trusted one that fails', () => {
    const none = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
    expect(!none.ok && none.error.reason).toBe('unverified-note');
    const tampered = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    const bad = openNote(tampered, [peter]);
    expect(!bad.ok && bad.error.reason).toBe('invalid-signature');
    expect(!bad.ok && bad.error.message).toMatch(/PeterNeumann\+c74f20a3 does not verify/);
    // An altered text fails under the trusted key.
    const altered = openNote(`${TEXT.replace('answer', 'ANSWER')}\n${PETER_SIG}`, [peter]);
    expect(!altered.ok && altered.error.reason).toBe('invalid-signature');
  });

  it('refuses two different trusted keys with one name and key ID', () => {
    const clash = { ...enoch, publicKey: peter.publicKey };
    const r = openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, clash]);
    expect(!r.ok && r.error.reason).toBe('ambiguous-key');
    expect(openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, enoch]).ok).toBe(true);
  });

  it('refuses malformed notes', () => {
    const bad: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      new Uint8Array([0xff, ...new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`)]),
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
      `${TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQ==\n`,
      `${TEXT}\n— PeterNeumann x08g\n`,
      `${TEXT}\n— PeterNeumann not!base64\n`,
    ];
    for (const note of bad) {
      const r = parseNote(note);
      expect(!r.ok && r.error.reason).toBe('malformed-note');
    }
    expect(parseNote(`${TEXT}\n${PETER_SIG.repeat(100)}`).ok).toBe(true);
  });

  it('keeps blank lines inside the text: the last blank line separates the signatures', () => {
    const { key } = generateSignerKey('poet');
    const text = 'stanza one\n\nstanza two\n';
    const note = signNote(text, key);
    expect(unwrap(openNote(note, [noteVerifierKey(key)])).text).toBe(text);
  });

  it('formats what it parses', () => {
    const n = unwrap(parseNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`));
    expect(formatNote(n)).toBe(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
    expect(() => formatNote({ text: 'no newline', signatures: n.signatures })).toThrow(/newline/);
    expect(() => formatNote({ text: TEXT, signatures: [] })).toThrow(/at least one/);
    expect(() => signNoteText('a\u0007\n', unwrap(parseSignerKey(PETER_SKEY)))).toThrow(/control/);
  });
});

describe('cosignature/v1 (c2sp.org/tlog-cosignature)', () => {
  it('reads the key ID and timestamp of published cosignatures', () => {
    // The witness line of the tlog-cosignature example: its time is the one the spec's
    // signed-message example shows.
    const spec = unwrap(
      parseSignatureLine(
        '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
      ),
    );
    expect(spec.keyId).toBe(0x8d66cf3f);
    expect(cosignatureTimestamp(spec)).toBe(1679315147);
    // transparency-dev/formats note_cosigv1_test.go TestCoSigV1Timestamp.
    const formats = unwrap(
      parseSignatureLine(
        '— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
      ),
    );
    expect(cosignatureTimestamp(formats)).toBe(1727964367);
    const plain = unwrap(
      parseSignatureLine(
        '— w eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=',
      ),
    );
    expect(cosignatureTimestamp(plain)).toBeUndefined();
  });

  it('signs cosignature/v1\\ntime <t>\\n + the note text, and verifies only that', () => {
    const { key } = generateSignerKey('witness.example/w1');
    const vkey = asCosignatureKey(noteVerifierKey(key));
    const text = 'example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const sig = cosignText(text, key, 1679315147);
    expect(sig.keyId).toBe(vkey.keyId);
    expect(sig.signature).toHaveLength(72);
    expect(verifySignature(text, sig, vkey)).toEqual({ valid: true, timestamp: 1679315147 });
    // Another time, another text, a plain key, or a flipped bit: all fail.
    const later = sig.signature.slice();
    later[7]! ^= 1;
    expect(verifySignature(text, { ...sig, signature: later }, vkey).valid).toBe(false);
    expect(verifySignature(text.replace('5', '6'), sig, vkey).valid).toBe(false);
    const plainKey = noteVerifierKey(key);
    expect(verifySignature(text, { ...sig, keyId: plainKey.keyId }, plainKey).valid).toBe(false);
    const line = formatSignatureLine(sig);
    expect(line).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/);
    expect(() => cosignText(text, key, -1)).toThrow(/POSIX seconds/);
  });
});
