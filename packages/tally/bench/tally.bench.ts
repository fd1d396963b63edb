// Benchmarks of @vigil/tally (issue 9): tabulating 1,000,000 cast vote records (target
// 5 s) and drawing 10,000 ballots from a manifest of 10,000,000 (target 2 s).
import { loadSampleElection, parseElectionDefinition } from '@vigil/core';
import {
  compileElection,
  consistentSample,
  drawSample,
  makeManifest,
  manifestBallotIds,
  syntheticCvrs,
  tabulate,
} from '../src/index.ts';

export async function benchTally(log: (line: string) => void): Promise<void> {
  await Promise.resolve();
  const parsed = parseElectionDefinition(loadSampleElection());
  if (!parsed.ok) throw new Error('the sample election does not parse');
  const { election } = parsed.value;
  const cvrs = syntheticCvrs(election, 1_000_000, 7);
  let t = performance.now();
  const result = tabulate(compileElection(election), cvrs);
  const tabulateMs = performance.now() - t;
  if (!result.ok) throw result.error;
  log(
    `tabulate 1,000,000 CVRs (sample election, 5-7 contests each): ${(tabulateMs / 1000).toFixed(2)} s (target 5 s, ${(tabulateMs / 5000).toFixed(2)}x of target)`,
  );

  const manifest = makeManifest(
    Array.from({ length: 10_000 }, (_, i) => ({ id: `batch-${String(i + 1)}`, ballots: 1000 })),
  );
  if (!manifest.ok) throw manifest.error;
  t = performance.now();
  const sample = drawSample({
    seed: '83205730138647192057',
    manifest: manifest.value,
    size: 10_000,
  });
  const drawMs = performance.now() - t;
  if (!sample.ok) throw sample.error;
  log(
    `draw 10,000 ballots from a manifest of 10,000,000 (SHA-256 counter mode): ${(drawMs / 1000).toFixed(3)} s (target 2 s, ${(drawMs / 2000).toFixed(3)}x of target)`,
  );

  const small = makeManifest(
    Array.from({ length: 1000 }, (_, i) => ({ id: `batch-${String(i + 1)}`, ballots: 1000 })),
  );
  if (!small.ok) throw small.error;
  t = performance.now();
  consistentSample(manifestBallotIds(small.value), '83205730138647192057', 10_000);
  const consistentMs = performance.now() - t;
  log(
    `consistent sampler, 10,000 from 1,000,000 ballots: ${(consistentMs / 1000).toFixed(2)} s (2 hashes per ballot; about ${((consistentMs * 10) / 1000).toFixed(0)} s for 10,000,000)`,
  );
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  await benchTally((line) => {
    process.stdout.write(`${line}\n`);
  });
}
