// A child process for the crash test: appends state changes with their ledger entries as
// fast as it can, printing the ledger size after each commit, until it is killed.
import { sha256Hex, type ElectionId } from '@vigil/core';
import { eventIdOf } from '@vigil/ledger';
import { openStore } from '@vigil/store';

const url = process.argv[2] ?? '';
const dataDir = process.argv[3] ?? '';
const store = await openStore(url === '' ? { dataDir } : { url });
for (let i = 0; ; i++) {
  const definition = new TextEncoder().encode(JSON.stringify({ id: `e${i}`, n: i }));
  // One state change (an election loaded, with its entry) and a batch of other entries,
  // in one transaction: all of it lands or none of it.
  const size = await store.transaction(async (tx) => {
    const saved = await tx.saveElection({
      electionId: `e${i}` as ElectionId,
      hash: sha256Hex(definition),
      definition,
      title: `Election ${i}`,
      loadedAt: new Date(),
    });
    if (!saved.ok) throw saved.error;
    const appended = await tx.appendLedgerEntries(
      Array.from({ length: 200 }, (_, k) => ({
        eventId: eventIdOf('data.imported'),
        actorId: 'crash-test',
        stationId: 'child',
        time: new Date().toISOString(),
        disposition: 'success' as const,
        subjects: [`batch:${i}`, `item:${k}`],
      })),
    );
    return appended.size;
  });
  process.stdout.write(`${size}\n`);
}
