// `npm run bench`: every benchmark of the project, printing its figures (and the ratio to
// the target where an issue names one). Speed is measured here, never in timed tests.
// `npm run bench -- ledger tally` runs only the named groups.
import { benchElectionGuard } from '../packages/ballots/bench/eg.bench.ts';
import { benchFaces } from '../packages/biometrics/bench/face.bench.ts';
import { benchFingerprints } from '../packages/biometrics/bench/fingerprint.bench.ts';
import { dedupBench, identifyBench } from '../packages/biometrics/src/identify/bench.ts';
import { benchIntel } from '../packages/intel/bench/intel.bench.ts';
import { benchProofs } from '../packages/ledger/bench/proofs.bench.ts';
import { benchLedgerStore } from '../packages/store/bench/ledger.bench.ts';
import { benchTally } from '../packages/tally/bench/tally.bench.ts';
import { benchCheckIn } from '../packages/registry/bench/checkin.bench.ts';
import { benchEnrolment } from '../packages/registry/bench/enrolment.bench.ts';

const line = (text: string) => process.stdout.write(`${text}\n`);

const groups: Record<string, () => Promise<unknown>> = {
  ledger: async () => {
    line('== @vigil/ledger: in-memory Merkle tree ==');
    await benchProofs({ log: line });
    line('');
    line('== @vigil/store: ledger storage ==');
    await benchLedgerStore({
      postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
      log: line,
    });
  },
  fingerprints: async () => {
    line('== @vigil/biometrics: fingerprints ==');
    await benchFingerprints(line);
  },
  identify: async () => {
    line('== @vigil/biometrics: 1:N identification on synthetic templates ==');
    // Small sizes, so `npm run bench` stays short; persons of four fingers (the default; the
    // one-finger index is `fingers: 1`). The sizes are CLI runs:
    // vigil fingerprint identify-bench --enrolled 1000000 --probes 100
    line(JSON.stringify(await identifyBench({ enrolled: 20_000, probes: 100, log: line })));
    line(JSON.stringify(await dedupBench({ voters: 5_000, duplicates: 50, log: line })));
  },
  faces: async () => {
    line('== @vigil/biometrics: faces and fusion ==');
    await benchFaces(line);
  },
  ballots: async () => {
    line('== @vigil/ballots: ElectionGuard 2.0 ==');
    await benchElectionGuard(line);
  },
  tally: async () => {
    line('== @vigil/tally: tabulation and audit sampling ==');
    await benchTally(line);
  },
  registry: async () => {
    line('== @vigil/registry: check-in and enrolment ==');
    await benchCheckIn(line, {
      postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
    });
    await benchEnrolment(line);
  },
  intel: async () => {
    line('== @vigil/intel: STIX ingest and TAXII pages ==');
    await benchIntel(line, {
      postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
    });
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in groups));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark group(s): ${unknown.join(', ')}; choose from ${Object.keys(groups).join(', ')}\n`,
  );
  process.exit(1);
}
for (const [name, run] of Object.entries(groups)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
  line('');
}
