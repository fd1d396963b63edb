import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The sample election: a fictional county general election that exercises every part of
 * the format (split precinct, vote-for-2, write-ins, ranked choice, measures). Used by
 * tests, the demo server and the docs. Its absolute path, for tools that take a file.
 */
export const sampleElectionPath: string = fileURLToPath(
  new URL('./sample-election.json', import.meta.url),
);

/**
 * The raw bytes of the sample election, exactly as on disk, so that its hash is the hash
 * of the file. The one file read in `core`: fixtures are data, not I/O of the domain.
 */
export function loadSampleElection(): Uint8Array {
  return new Uint8Array(readFileSync(sampleElectionPath));
}
