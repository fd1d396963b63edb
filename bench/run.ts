// `npm run bench`: every benchmark of the project, printing its figures (and the ratio to
// the target where an issue names one). Speed is measured here, never in timed tests.
import { benchProofs } from '../packages/ledger/bench/proofs.bench.ts';
import { benchLedgerStore } from '../packages/store/bench/ledger.bench.ts';

const line = (text: string) => process.stdout.write(`${text}\n`);

line('== @vigil/ledger: in-memory Merkle tree ==');
await benchProofs({ log: line });
line('');
line('== @vigil/store: ledger storage ==');
await benchLedgerStore({
  postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
  log: line,
});
