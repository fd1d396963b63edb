import { describe, expect, it } from 'vitest';
import {
  MerkleTree,
  encodeEntry,
  eventIdOf,
  formatCheckpoint,
  formatVerifierKey,
  generateSignerKey,
  noteVerifierKey,
  signNote,
  type LedgerEntry,
} from '@vigil/ledger';
import {
  entryBytes,
  leafHash,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  rootFromInclusionProof,
  toHex,
  verifyNoteSignature,
} from './proof.ts';

/**
 * The browser's proof checker against @vigil/ledger, the server's own implementation:
 * the same leaf bytes, every inclusion proof of trees of many shapes, and the log's
 * signature on its checkpoint (WebCrypto's Ed25519, which Node has too).
 */

function entry(i: number): LedgerEntry {
  return {
    eventId: eventIdOf('audit.started'),
    actorId: 'booth-1',
    stationId: 'demo-booth-1',
    time: `2026-11-03T07:00:${String(i % 60).padStart(2, '0')}.000Z`,
    disposition: 'success',
    subjects: [`ballot:${i}`, 'sha256:ab'],
    ...(i % 2 === 0 ? { detail: `entry ${i} with "quotes" and ünïcode` } : {}),
  };
}

describe('checking a ballot is in the ledger, in the browser', () => {
  it('encodes an entry to the same leaf bytes as the ledger', () => {
    for (let i = 0; i < 5; i++) {
      expect(toHex(entryBytes({ ...entry(i) }))).toBe(toHex(encodeEntry(entry(i))));
    }
  });

  it('recomputes the root from every inclusion proof of trees of sizes 1 to 33', async () => {
    const tree = new MerkleTree();
    for (let size = 1; size <= 33; size++) {
      tree.append(encodeEntry(entry(size - 1)));
      for (let index = 0; index < size; index++) {
        const leaf = await leafHash(entryBytes({ ...entry(index) }));
        expect(toHex(leaf)).toBe(toHex(tree.leafHash(index)));
        const outcome = await rootFromInclusionProof(
          leaf,
          index,
          size,
          tree.inclusionProof(index, size),
        );
        expect(outcome.ok && outcome.root).toBe(toHex(tree.root(size)));
      }
    }
  });

  it('refuses a proof that is too short, too long, or for another index', async () => {
    const tree = new MerkleTree();
    for (let i = 0; i < 10; i++) tree.append(encodeEntry(entry(i)));
    const leaf = tree.leafHash(3);
    const proof = tree.inclusionProof(3, 10);
    expect((await rootFromInclusionProof(leaf, 3, 10, proof.slice(1))).ok).toBe(false);
    expect((await rootFromInclusionProof(leaf, 3, 10, [...proof, proof[0]!])).ok).toBe(false);
    const other = await rootFromInclusionProof(leaf, 4, 10, proof);
    expect(other.ok && other.root === toHex(tree.root(10))).toBe(false);
    expect((await rootFromInclusionProof(leaf, 10, 10, proof)).ok).toBe(false);
  });

  it("parses the log's checkpoint and checks its Ed25519 signature with the log's key", async () => {
    const tree = new MerkleTree();
    for (let i = 0; i < 6; i++) tree.append(encodeEntry(entry(i)));
    const { key: signer, vkey } = generateSignerKey('vigil.example/ledger');
    const text = formatCheckpoint({
      origin: 'vigil.example/ledger',
      size: tree.size,
      rootHash: tree.root(),
      extensions: [],
    });
    const note = parseSignedNote(signNote(text, signer));
    expect(note).toBeDefined();
    const body = parseCheckpointBody(note!.text);
    expect(body?.size).toBe(6);
    expect(toHex(body!.root)).toBe(toHex(tree.root()));
    const key = parseVerifierKey(vkey);
    expect(formatVerifierKey(noteVerifierKey(signer))).toBe(vkey);
    expect(key).toBeDefined();
    expect(await verifyNoteSignature(note!.text, key!, note!.signatures[0]!)).toBe(true);
    const forged = note!.text.replace('\n6\n', '\n7\n');
    expect(await verifyNoteSignature(forged, key!, note!.signatures[0]!)).toBe(false);
  });
});
