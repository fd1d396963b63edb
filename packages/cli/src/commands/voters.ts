import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { captureFace, extractTemplate, type FaceTemplate } from '@vigil/biometrics';
import { systemClock } from '@vigil/core';
import {
  captureFinger,
  checkIn,
  decideReview,
  enrolVoter,
  FINGER_NAMES,
  importRoll,
  isFingerPosition,
  listPendingReviews,
  openRegistry,
  readCsvRoll,
  readVriRoll,
  searchRoll,
  type FingerCapture,
  type FingerPosition,
  type RegistryRuntime,
  type Voter,
} from '@vigil/registry';
import type { Store } from '@vigil/store';
import { describeFileError, reportFailure } from '../output.ts';
import { withStore, withStoreOptions, type StoreOptions } from '../store-options.ts';

/**
 * `vigil voters …`, `vigil checkin` and `vigil registry reviews`: the registry from the
 * command line, over the same store and master key as the server (`--data-dir` holds
 * `master.key` unless VIGIL_MASTER_KEY is set). Whoever can run these against the data
 * is trusted with it, so they take no sign-in; each change is a ledger entry by actor
 * `cli` (or the official named with `--official`).
 */
export function registerVoterCommands(program: Command): void {
  registerVoters(program);
  registerCheckIn(program);
  registerReviews(program);
}

const CLI_STATION = 'vigil-cli';

async function readInput(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    process.exitCode = 1;
    process.stderr.write(`${file}: ${describeFileError(e)}\n`);
    return undefined;
  }
}

/** Opens the store and the registry over it, runs `fn`, and closes the store. */
async function withRegistry(
  options: StoreOptions,
  fn: (registry: RegistryRuntime, store: Store) => Promise<void>,
): Promise<void> {
  await withStore(options, async (store) => {
    const opened = await openRegistry({
      store,
      clock: systemClock,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    if (!opened.ok) {
      reportFailure(opened.error);
      return;
    }
    await fn(opened.value, store);
  });
}

function voterLine(v: Voter): string {
  const name = [v.givenName, v.middleName, v.familyName].filter((x) => x !== undefined).join(' ');
  const blocked =
    v.blockedAsDuplicateOf === undefined
      ? ''
      : ` blocked-as-duplicate-of=${v.blockedAsDuplicateOf}`;
  return `${v.voterId}\t${name}\t${v.birthDate}\t${v.precinctId}${v.splitId === undefined ? '' : `/${v.splitId}`}\t${v.ballotStyleId}\t${v.status}${blocked}`;
}

// The order fingers are asked for when no positions are given: the index fingers, then
// the thumbs, then the middle fingers (ISO/IEC 19794-2 positions).
const DEFAULT_POSITIONS: readonly FingerPosition[] = [2, 7, 1, 6, 3, 8, 4, 9, 5, 10];

function parsePositions(text: string | undefined, count: number): FingerPosition[] | undefined {
  if (text === undefined) return DEFAULT_POSITIONS.slice(0, count);
  const positions = text.split(',').map((p) => Number(p.trim()));
  if (positions.length !== count || !positions.every((p) => isFingerPosition(p))) {
    process.exitCode = 1;
    process.stderr.write(
      `--positions must list one finger position (1 right thumb .. 10 left little) per --finger image; got "${text}" for ${count} image(s).\n`,
    );
    return undefined;
  }
  return positions;
}

function parseDpi(text: string | undefined): number | undefined | false {
  if (text === undefined) return undefined;
  const dpi = Number(text);
  if (!Number.isInteger(dpi) || dpi < 250 || dpi > 2000) {
    process.exitCode = 1;
    process.stderr.write(`--dpi must be a whole number from 250 to 2000; it was "${text}".\n`);
    return false;
  }
  return dpi;
}

function registerVoters(program: Command): void {
  const voters = program.command('voters').description('the voter roll: import, search, enrol');

  withStoreOptions(
    voters
      .command('import')
      .description('import voters from CSV or NIST SP 1500-102 (VRI) JSON; all rows or none')
      .argument('<file>', 'the roll file')
      .option('--format <format>', 'csv or vri (default: from the file name)')
      .option('--precinct <id>', 'for VRI registration requests, which carry no precinct'),
  ).action(async (file: string, o: StoreOptions & { format?: string; precinct?: string }) => {
    const format = o.format ?? (file.toLowerCase().endsWith('.json') ? 'vri' : 'csv');
    if (format !== 'csv' && format !== 'vri') {
      process.exitCode = 1;
      process.stderr.write(`--format must be csv or vri; it was "${format}".\n`);
      return;
    }
    const bytes = await readInput(file);
    if (bytes === undefined) return;
    const rows =
      format === 'vri'
        ? readVriRoll(bytes, o.precinct === undefined ? {} : { precinctId: o.precinct })
        : readCsvRoll(bytes);
    if (!rows.ok) {
      reportFailure(rows.error);
      return;
    }
    await withRegistry(o, async (registry, store) => {
      const imported = await importRoll(store, {
        rows: rows.value,
        format,
        fileBytes: bytes,
        election: registry.election,
        actorId: 'cli',
        stationId: CLI_STATION,
      });
      if (!imported.ok) {
        reportFailure(imported.error);
        return;
      }
      const s = imported.value;
      process.stdout.write(
        `imported ${s.rows} rows into election ${registry.election.id}: ${s.registered} registered, ${s.updated} updated, ${s.unchanged} unchanged (file sha256 ${s.fileHash})\n`,
      );
    });
  });

  withStoreOptions(
    voters
      .command('search')
      .description(
        'find voters by name (typos and accents tolerated), voter id, date of birth or ID card barcode',
      )
      .argument('<text>', 'a name, a voter id, a date (YYYY-MM-DD) or a barcode payload')
      .option('--limit <n>', 'at most this many', '20')
      .option('--json', 'print JSON'),
  ).action(async (text: string, o: StoreOptions & { limit: string; json?: boolean }) => {
    const limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      process.exitCode = 1;
      process.stderr.write(`--limit must be a whole number from 1 to 1000; it was "${o.limit}".\n`);
      return;
    }
    await withStore(o, async (store) => {
      const hits = await searchRoll(store, text, { limit });
      if (!hits.ok) {
        reportFailure(hits.error);
        return;
      }
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify({ voters: hits.value }, null, 2)}\n`);
        return;
      }
      if (hits.value.length === 0) process.stdout.write('no voter found\n');
      for (const h of hits.value) {
        process.stdout.write(`${voterLine(h.voter)}\t${h.matchedBy} ${h.similarity.toFixed(2)}\n`);
      }
    });
  });

  withStoreOptions(
    voters
      .command('enroll')
      .description(
        'enrol a voter: two or more fingers (and a face); runs de-duplication against the roll',
      )
      .argument('<voter-id>', 'the voter id on the roll')
      .requiredOption(
        '--finger <image...>',
        'fingerprint images (TIFF, PNG or BMP), one per finger',
      )
      .option(
        '--positions <list>',
        'finger positions of the images, e.g. 2,7 (default: index fingers first)',
      )
      .option('--dpi <n>', 'scanner resolution (default 500)')
      .option('--face <image>', 'a face photograph (stored encrypted; not searched)')
      .option('--official <id>', 'the registrar enrolling (ledger actor)', 'cli'),
  ).action(
    async (
      voterId: string,
      o: StoreOptions & {
        finger: string[];
        positions?: string;
        dpi?: string;
        face?: string;
        official: string;
      },
    ) => {
      const positions = parsePositions(o.positions, o.finger.length);
      const dpi = parseDpi(o.dpi);
      if (positions === undefined || dpi === false) return;
      const fingers: FingerCapture[] = [];
      for (const [i, file] of o.finger.entries()) {
        const bytes = await readInput(file);
        if (bytes === undefined) return;
        const capture = captureFinger(positions[i]!, bytes, dpi === undefined ? {} : { dpi });
        if (!capture.ok) {
          reportFailure(capture.error);
          return;
        }
        fingers.push(capture.value);
      }
      let face: FaceTemplate | undefined;
      if (o.face !== undefined) {
        const bytes = await readInput(o.face);
        if (bytes === undefined) return;
        const captured = await captureFace(bytes);
        if (!captured.ok) {
          reportFailure(captured.error);
          return;
        }
        face = captured.value.template;
      }
      await withRegistry(o, async (registry, store) => {
        const enrolled = await enrolVoter(
          { store, keyring: registry.keyring, search: registry.search },
          {
            voterId,
            fingers,
            ...(face === undefined ? {} : { face }),
            officialId: o.official,
            stationId: CLI_STATION,
          },
        );
        if (!enrolled.ok) {
          reportFailure(enrolled.error);
          return;
        }
        const e = enrolled.value;
        process.stdout.write(
          `enrolled ${e.voterId}: ${e.positions.map((p) => FINGER_NAMES[p]).join(', ')}${e.face ? ', face' : ''}\n`,
        );
        for (const r of e.reviews) {
          process.stdout.write(
            `suspected duplicate of ${r.candidateVoterId}: review ${r.reviewId} queued (vigil registry reviews)\n`,
          );
        }
      });
    },
  );
}

function registerCheckIn(program: Command): void {
  withStoreOptions(
    program
      .command('checkin')
      .description(
        'check a voter in at a station with a 1:1 fingerprint match (locks "has voted" once)',
      )
      .argument('<voter-id>', 'the voter id')
      .requiredOption('--finger <image>', 'the fingerprint captured now')
      .requiredOption('--station <id>', 'the registered station (its polling place decides)')
      .option('--dpi <n>', 'scanner resolution (default 500)')
      .option('--official <id>', 'the poll worker at the station (ledger actor)', 'cli'),
  ).action(
    async (
      voterId: string,
      o: StoreOptions & { finger: string; station: string; dpi?: string; official: string },
    ) => {
      const dpi = parseDpi(o.dpi);
      if (dpi === false) return;
      const bytes = await readInput(o.finger);
      if (bytes === undefined) return;
      const probe = extractTemplate(bytes, dpi === undefined ? {} : { dpi });
      if (!probe.ok) {
        reportFailure(probe.error);
        return;
      }
      await withRegistry(o, async (registry, store) => {
        const station = await store.getStation(o.station);
        if (station?.status !== 'active') {
          process.exitCode = 1;
          process.stderr.write(
            `Station "${o.station}" is not a registered, active station; see vigil stations list.\n`,
          );
          return;
        }
        const result = await checkIn(
          registry.checkIn,
          {
            stationId: station.stationId,
            pollingPlace: station.pollingPlace,
            official: { officialId: o.official, role: 'poll_worker' },
          },
          { voterId, fingerprint: probe.value },
        );
        if (!result.ok) {
          reportFailure(result.error);
          if (result.error.goTo !== undefined) {
            process.stderr.write(
              `  go to: ${result.error.goTo.precinctName} (${result.error.goTo.precinctId})\n`,
            );
          }
          if (result.error.attemptsLeft !== undefined) {
            process.stderr.write(`  attempts left: ${result.error.attemptsLeft}\n`);
          }
          return;
        }
        const r = result.value;
        process.stdout.write(
          `checked in ${voterId} at ${station.stationId}: ballot style ${r.ballotStyleId}, ${r.method}${r.score === undefined ? '' : ` (score ${r.score.toFixed(1)})`}; check-in ${r.checkInId}\n`,
        );
      });
    },
  );
}

function registerReviews(program: Command): void {
  const registry = program.command('registry').description('the registry: de-duplication reviews');

  withStoreOptions(
    registry
      .command('reviews')
      .description('list suspected duplicate enrolments waiting for a decision')
      .option('--json', 'print JSON'),
  ).action(async (o: StoreOptions & { json?: boolean }) => {
    await withStore(o, async (store) => {
      const pending = await listPendingReviews(store);
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify({ reviews: pending }, null, 2)}\n`);
        return;
      }
      if (pending.length === 0) process.stdout.write('no review pending\n');
      for (const r of pending) {
        process.stdout.write(
          `${r.reviewId}\t${r.voterId}\tlooks like\t${r.candidateVoterId}\tfused FMR ${r.fusedFmr.toExponential(1)}\n`,
        );
      }
    });
  });

  withStoreOptions(
    registry
      .command('decide')
      .description(
        'decide a review: same-person blocks the later record; different-people clears it',
      )
      .argument('<review-id>', 'the review id')
      .argument('<decision>', 'same-person or different-people')
      .requiredOption('--reason <text>', 'what was compared and why')
      .option('--official <id>', 'the registrar deciding (ledger actor)', 'cli'),
  ).action(
    async (
      reviewId: string,
      decision: string,
      o: StoreOptions & { reason: string; official: string },
    ) => {
      if (decision !== 'same-person' && decision !== 'different-people') {
        process.exitCode = 1;
        process.stderr.write(
          `The decision must be same-person or different-people; it was "${decision}".\n`,
        );
        return;
      }
      await withStore(o, async (store) => {
        const decided = await decideReview(store, {
          reviewId,
          decision,
          reason: o.reason,
          officialId: o.official,
          stationId: CLI_STATION,
        });
        if (!decided.ok) {
          reportFailure(decided.error);
          return;
        }
        process.stdout.write(`review ${reviewId}: ${decision}\n`);
      });
    },
  );
}
