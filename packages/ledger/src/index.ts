/**
 * @vigil/ledger: the tamper-evident spine. A pure library (no I/O): RFC 9162 Merkle
 * trees and proofs, C2SP signed notes, checkpoints and witness cosignatures, the event
 * catalogue and entry encoding, and the NIST SP 1500-101 export.
 */
export * from './merkle.ts';
export * from './tree.ts';
export * from './note.ts';
export * from './checkpoint.ts';
export * from './witness.ts';
export * from './events.ts';
export * from './entry.ts';
export * from './nist.ts';
