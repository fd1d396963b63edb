import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { InvalidInputError, NotFoundError, err, ok, type Result } from '@vigil/core';
import {
  captureFinger,
  enrolVoter,
  importRoll,
  readCsvRoll,
  type FingerCapture,
  type RegistryRuntime,
} from '@vigil/registry';
import { DemoFingerprintRenderer } from './fingerprints.ts';
import {
  DEMO_ENROLLED_FINGERS,
  DEMO_ENROLMENT_IMPRESSIONS,
  DEMO_FIRST_SCAN_IMPRESSION,
  DEMO_VOTER_SEED,
  demoFingerNumber,
  demoIdCardBarcode,
  demoRoll,
  demoRollCsv,
  demoVoterNumber,
  type DemoVoter,
} from './roll.ts';

/**
 * The demo voters of a fresh `npm start`: about 200 synthetic people put on the roll
 * through the registry's own CSV import, then enrolled with two synthetic fingers each
 * through the registry's enrolment (quality bar, 1:N de-duplication, encryption, ledger),
 * in the background after the server listens, since growing 400 master prints takes
 * minutes of CPU. A marker file in the data folder says that this folder runs the demo,
 * so a restart resumes an enrolment that was cut short and keeps the demo scanner.
 */

/** The marker file, in the data folder: the demo roll's seed and size. */
export const DEMO_VOTERS_FILE = 'demo-voters.json';
export const DEFAULT_DEMO_VOTERS = 200;
const MAX_DEMO_VOTERS = 100_000;
/** Actor and station of the demo's ledger entries, as for the demo officials. */
const DEMO_ACTOR = 'system';
const DEMO_STATION = 'vigil-server';

/**
 * How many demo voters to seed: the option, else `VIGIL_DEMO_VOTERS`, else 200. Throws
 * (the server does not start) on a value that is not a whole number from 0 to 100,000.
 */
export function demoVoterCount(
  option: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env.VIGIL_DEMO_VOTERS;
  const count =
    option ?? (text === undefined || text.trim() === '' ? DEFAULT_DEMO_VOTERS : Number(text));
  if (!Number.isInteger(count) || count < 0 || count > MAX_DEMO_VOTERS) {
    throw new InvalidInputError(
      `The number of demo voters must be a whole number from 0 to ${MAX_DEMO_VOTERS}; it was ${option ?? JSON.stringify(text)}.`,
      {
        hint: 'Set VIGIL_DEMO_VOTERS to a whole number (0 seeds none), or leave it unset for 200.',
      },
    );
  }
  return count;
}

/** A demo voter as the demo scanner panel lists it. */
export interface DemoVoterView {
  voterId: string;
  name: string;
  precinctId: string;
  precinctName: string;
  /** Enrolled so far (enrolment runs in the background after start). */
  enrolled: boolean;
  /** Finger positions (ISO/IEC 19794-2: 2 right index, 7 left index) enrolled. */
  fingers: number[];
  /** The text of the voter's synthetic ID card barcode (AAMVA), for the barcode search. */
  idCardBarcode: string;
}

/** `GET /api/demo/voters` */
export interface DemoVoterListResponse {
  seed: number;
  total: number;
  enrolled: number;
  /** True while the background enrolment is still running. */
  enrolling: boolean;
  /** The first impression number the demo scanner renders (earlier ones were enrolled). */
  firstScanImpression: number;
  voters: DemoVoterView[];
}

interface Marker {
  readonly seed: number;
  readonly count: number;
}

export interface DemoVotersOptions {
  /** The data folder, where the marker file lives. */
  readonly dataDir: string;
  readonly count: number;
  readonly seed?: number;
  /** Rendering threads (default: the cores less one, at least 1, at most 4). */
  readonly threads?: number;
}

export class DemoVoters {
  private readonly renderer: DemoFingerprintRenderer;
  private readonly threads: number;
  private readonly markerFile: string;
  private registry: RegistryRuntime | undefined;
  private marker: Marker | undefined;
  private voters: DemoVoter[] = [];
  private readonly enrolled = new Set<string>();
  private enrolling: Promise<void> | undefined;
  private running = false;
  private closing = false;

  constructor(private readonly options: DemoVotersOptions) {
    this.markerFile = join(options.dataDir, DEMO_VOTERS_FILE);
    // One core stays with the server's own thread (requests, matching, the store).
    this.threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.renderer = new DemoFingerprintRenderer(this.threads);
  }

  /** Whether this server runs the demo (its data folder was seeded with demo voters). */
  get active(): boolean {
    return this.registry !== undefined && this.marker !== undefined;
  }

  /**
   * For a fresh store: puts the demo voters on the roll (the registry's CSV import, one
   * transaction, `roll.imported` in the ledger) and writes the marker. Quick (no
   * biometrics); enrolment comes with `start`. Nothing happens when the count is 0.
   */
  async seed(registry: RegistryRuntime, log: FastifyBaseLogger): Promise<void> {
    const count = this.options.count;
    if (count === 0) return;
    const seed = this.options.seed ?? DEMO_VOTER_SEED;
    const csv = new TextEncoder().encode(demoRollCsv(demoRoll(registry.election, count, seed)));
    const rows = readCsvRoll(csv);
    if (!rows.ok) throw rows.error;
    const imported = await importRoll(registry.store, {
      rows: rows.value,
      format: 'csv',
      fileBytes: csv,
      election: registry.election,
      actorId: DEMO_ACTOR,
      stationId: DEMO_STATION,
      time: registry.clock.now(),
    });
    if (!imported.ok) throw imported.error;
    const marker: Marker = { seed, count };
    await writeFile(this.markerFile, `${JSON.stringify(marker)}\n`);
    log.info(
      { event: 'demo-voters-registered', voters: imported.value.registered, seed },
      `${imported.value.registered} synthetic demo voters put on the roll; their fingerprints are enrolled in the background`,
    );
  }

  /**
   * When the data folder holds the demo (its marker), turns the demo scanner on and
   * enrols, in the background, every demo voter not yet enrolled, logging progress.
   * Returns at once; `idle()` settles when the enrolment is done.
   */
  start(registry: RegistryRuntime | undefined, log: FastifyBaseLogger): void {
    if (registry === undefined || !existsSync(this.markerFile)) return;
    let marker: Marker;
    try {
      marker = JSON.parse(readFileSync(this.markerFile, 'utf8')) as Marker;
      demoVoterCount(marker.count, {});
      if (!Number.isInteger(marker.seed)) throw new Error(`seed ${String(marker.seed)}`);
    } catch (error) {
      // A damaged marker must not stop the server: the demo is simply off.
      log.warn(
        { event: 'demo-voters-marker-unreadable', file: this.markerFile, err: error },
        `the demo voters' marker ${this.markerFile} is unreadable; the demo scanner is off (delete the file to silence this)`,
      );
      return;
    }
    this.registry = registry;
    this.marker = marker;
    this.voters = demoRoll(registry.election, marker.count, marker.seed);
    this.running = true;
    this.enrolling = this.enrolAll(registry, marker, log).finally(() => {
      this.running = false;
    });
  }

  /** Settles when the background enrolment has finished (or stopped). */
  async idle(): Promise<void> {
    await this.enrolling;
  }

  /** Stops the enrolment (the voter being enrolled is finished) and the render threads. */
  async close(): Promise<void> {
    this.closing = true;
    await this.renderer.close();
    await this.enrolling;
  }

  /** The demo voters, for the demo scanner panel. */
  list(): DemoVoterListResponse {
    const precincts = new Map<string, string>(
      this.registry?.election.precincts.map((p) => [p.id, p.name]),
    );
    return {
      seed: this.marker?.seed ?? 0,
      total: this.voters.length,
      enrolled: this.enrolled.size,
      enrolling: this.running,
      firstScanImpression: DEMO_FIRST_SCAN_IMPRESSION,
      voters: this.voters.map((v) => ({
        voterId: v.voterId,
        name: `${v.givenName} ${v.familyName}`,
        precinctId: v.precinctId,
        precinctName: precincts.get(v.precinctId) ?? v.precinctId,
        enrolled: this.enrolled.has(v.voterId),
        fingers: [...DEMO_ENROLLED_FINGERS],
        idCardBarcode: demoIdCardBarcode(v),
      })),
    };
  }

  /**
   * A new impression (PNG) of finger `position` of demo voter `voterId`, as the demo
   * scanner hands it to the station. Impressions before DEMO_FIRST_SCAN_IMPRESSION are
   * refused: they are the enrolment's own images.
   */
  async scan(
    voterId: string,
    position: number,
    impression: number,
  ): Promise<Result<Uint8Array, InvalidInputError | NotFoundError>> {
    const marker = this.marker;
    const number = demoVoterNumber(voterId);
    if (marker === undefined || number === undefined || number < 1 || number > marker.count) {
      return err(
        new NotFoundError(`"${voterId}" is not a demo voter of this server.`, {
          hint: 'Pick a voter from the demo scanner list (GET /api/demo/voters).',
        }),
      );
    }
    if (!Number.isInteger(position) || position < 1 || position > 10) {
      return err(
        new InvalidInputError(
          `Finger ${position} is not a finger position: use 1 (right thumb) to 10 (left little finger).`,
          { path: 'finger' },
        ),
      );
    }
    if (
      !Number.isInteger(impression) ||
      impression < DEMO_FIRST_SCAN_IMPRESSION ||
      impression > 1_000_000
    ) {
      return err(
        new InvalidInputError(
          `Impression ${impression} cannot be scanned: impressions ${DEMO_ENROLMENT_IMPRESSIONS.join(' and ')} were used at enrolment; ask for ${DEMO_FIRST_SCAN_IMPRESSION} or later.`,
          { path: 'impression' },
        ),
      );
    }
    const [image] = await this.renderer.render(
      { seed: marker.seed, finger: demoFingerNumber(number, position), impressions: [impression] },
      true,
    );
    return ok(image!);
  }

  private async enrolAll(registry: RegistryRuntime, marker: Marker, log: FastifyBaseLogger) {
    const started = Date.now();
    const lanes = this.threads;
    let next = 0;
    let done = 0;
    let failed = 0;
    let reported = 0;
    // Progress every tenth of the roll, or every 10 voters (about a minute) if sooner.
    const step = Math.max(1, Math.min(10, Math.ceil(this.voters.length / 10)));
    log.info(
      { event: 'demo-voters-enrolment-started', total: this.voters.length, threads: lanes },
      `enrolling the fingerprints of ${this.voters.length} demo voters in the background (${lanes} thread${lanes === 1 ? '' : 's'}; each voter takes a few seconds)`,
    );
    const lane = async () => {
      while (!this.closing && next < this.voters.length) {
        const voter = this.voters[next++]!;
        if ((await registry.store.getEnrolment(voter.voterId)).length > 0) {
          this.enrolled.add(voter.voterId);
        } else {
          const outcome = await this.enrolOne(registry, marker, voter);
          if (outcome === 'closed') return;
          if (outcome === 'enrolled') this.enrolled.add(voter.voterId);
          else {
            failed++;
            log.warn(
              { event: 'demo-voter-not-enrolled', voterId: voter.voterId, reason: outcome.message },
              `demo voter ${voter.voterId} was not enrolled: ${outcome.message}`,
            );
          }
        }
        done++;
        if (done - reported >= step || done === this.voters.length) {
          reported = done;
          log.info(
            {
              event: 'demo-voters-enrolling',
              enrolled: this.enrolled.size,
              done,
              total: this.voters.length,
            },
            `demo enrolment: ${done} of ${this.voters.length} voters (${this.enrolled.size} enrolled)`,
          );
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } catch (error) {
      if (!this.closing) {
        log.error(
          { event: 'demo-voters-failed', err: error },
          'demo enrolment stopped on an error',
        );
      }
      return;
    }
    if (this.closing) return;
    log.info(
      {
        event: 'demo-voters-enrolled',
        enrolled: this.enrolled.size,
        failed,
        seconds: Math.round((Date.now() - started) / 1000),
      },
      `demo voters enrolled: ${this.enrolled.size} of ${this.voters.length}, in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }

  /**
   * Enrols one voter: both fingers rendered (impression 1, and 2 as the retake when 1 is
   * under the quality bar), reduced to templates and enrolled, with de-duplication.
   */
  private async enrolOne(
    registry: RegistryRuntime,
    marker: Marker,
    voter: DemoVoter,
  ): Promise<'enrolled' | 'closed' | Error> {
    let images: Uint8Array[][];
    try {
      images = await Promise.all(
        DEMO_ENROLLED_FINGERS.map((position) =>
          this.renderer.render({
            seed: marker.seed,
            finger: demoFingerNumber(voter.number, position),
            impressions: DEMO_ENROLMENT_IMPRESSIONS,
          }),
        ),
      );
    } catch (error) {
      if (this.closing) return 'closed';
      throw error;
    }
    const fingers: FingerCapture[] = [];
    for (const [i, position] of DEMO_ENROLLED_FINGERS.entries()) {
      let capture = captureFinger(position, images[i]![0]!);
      if (!capture.ok) capture = captureFinger(position, images[i]![1]!);
      if (!capture.ok) return capture.error;
      fingers.push(capture.value);
    }
    const enrolled = await enrolVoter(
      { store: registry.store, keyring: registry.keyring, search: registry.search },
      {
        voterId: voter.voterId,
        fingers,
        officialId: DEMO_ACTOR,
        stationId: DEMO_STATION,
        time: registry.clock.now(),
      },
    );
    return enrolled.ok ? 'enrolled' : enrolled.error;
  }
}
