import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleElection, systemClock, unwrap } from '@vigil/core';
import { sharedDataDir } from '@vigil/registry';
import { loadElection, registerStation } from '@vigil/server';
import { openStore } from '@vigil/store';
import { runInProcess } from '../testing.ts';
import { registerVoterCommands } from './voters.ts';

const fingerprintDir = join(sharedDataDir(), 'fingerprints', 'FVC2002_DB1_B');
const haveFingerprints = existsSync(join(fingerprintDir, '101_1.tif'));
if (!haveFingerprints) {
  console.warn(
    `vigil voters enrol/checkin tests skipped: no FVC2002 images under ${fingerprintDir}`,
  );
}
const image = (id: number, impression: number) => join(fingerprintDir, `${id}_${impression}.tif`);

let dataDir: string;
const vigil = (...args: string[]) =>
  runInProcess(registerVoterCommands, [...args, '--data-dir', dataDir]);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-voters-cli-'));
  const store = await openStore({ dataDir });
  unwrap(await loadElection(store, loadSampleElection(), systemClock));
  const actor = { actorId: 'test', stationId: 'test', now: new Date() };
  unwrap(await registerStation(store, { stationId: 'st-101', pollingPlace: 'p-101' }, actor));
  await store.close();
  await writeFile(
    join(dataDir, 'roll.csv'),
    [
      'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
      'FR-1,José,Núñez,1980-04-02,1 Elm St,Millbrook,OH,43001,p-101',
      'FR-2,Ada,Byron,1975-12-10,2 Elm St,Millbrook,OH,43001,p-101',
      'FR-3,Alan,Turing,1985-06-23,4 Oak St,Millbrook,OH,43002,p-102',
    ].join('\n'),
  );
  await writeFile(join(dataDir, 'bad.csv'), 'voter_id,given_name\nFR-9,Nobody\n');
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('vigil voters, checkin and registry reviews', () => {
  it('imports a CSV roll, and refuses a file with missing columns, storing nothing', async () => {
    const bad = await vigil('voters', 'import', join(dataDir, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/family_name/);
    const good = await vigil('voters', 'import', join(dataDir, 'roll.csv'));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/3 registered/);
  });

  it('searches by name with a typo and without accents, and by date of birth', async () => {
    const byName = await vigil('voters', 'search', 'Jose Nunes');
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout.split('\n')[0]).toMatch(/^FR-1\tJosé Núñez/);
    const byDate = await vigil('voters', 'search', '1985-06-23');
    expect(byDate.stdout).toMatch(/^FR-3\t/);
  });

  it.skipIf(!haveFingerprints)(
    'enrols, queues a duplicate enrolment for review, and checks in',
    async () => {
      const first = await vigil(
        'voters',
        'enroll',
        'FR-1',
        '--finger',
        image(101, 1),
        image(102, 1),
      );
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/enrolled FR-1: right index finger, left index finger/);

      // The same person again under another voter id: other impressions of the same fingers.
      const second = await vigil(
        'voters',
        'enroll',
        'FR-2',
        '--finger',
        image(101, 2),
        image(102, 2),
      );
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/suspected duplicate of FR-1/);
      const reviews = await vigil('registry', 'reviews', '--json');
      const pending = (
        JSON.parse(reviews.stdout) as { reviews: { reviewId: string; voterId: string }[] }
      ).reviews;
      expect(pending.map((r) => r.voterId)).toEqual(['FR-2']);
      const decided = await vigil(
        'registry',
        'decide',
        pending[0]!.reviewId,
        'same-person',
        '--reason',
        'same photograph on both ID documents',
      );
      expect(decided.code, decided.stderr).toBe(0);

      const blocked = await vigil(
        'checkin',
        'FR-2',
        '--finger',
        image(101, 3),
        '--station',
        'st-101',
      );
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/same person as record "FR-1"/);

      const checked = await vigil(
        'checkin',
        'FR-1',
        '--finger',
        image(101, 3),
        '--station',
        'st-101',
      );
      expect(checked.code, checked.stderr).toBe(0);
      expect(checked.stdout).toMatch(/checked in FR-1 at st-101: ballot style .*, biometric/);
      const twice = await vigil(
        'checkin',
        'FR-1',
        '--finger',
        image(101, 4),
        '--station',
        'st-101',
      );
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/already/i);

      const elsewhere = await vigil(
        'checkin',
        'FR-3',
        '--finger',
        image(103, 1),
        '--station',
        'st-101',
      );
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toMatch(/go to: .*\(p-102\)/);
    },
  );
});
