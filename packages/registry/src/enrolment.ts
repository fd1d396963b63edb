import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  err,
  ok,
  sha256Hex,
  type Result,
} from '@vigil/core';
import {
  extractTemplate,
  readIsoTemplate,
  writeIsoTemplate,
  type FaceTemplate,
  type FingerprintTemplate,
} from '@vigil/biometrics';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type {
  EncryptedTemplateRecord,
  Store,
  StoreOperations,
  StoredDuplicateReview,
} from '@vigil/store';
import {
  DEDUP_MAX_FUSED_FMR,
  type DuplicateCandidate,
  type DuplicateSearch,
  type EnrolledFinger,
} from './dedup.ts';
import { openTemplate, sealTemplate, type TemplateContext } from './envelope.ts';
import type { Keyring } from './keys.ts';
import { FINGER_NAMES, isFingerPosition, type FingerPosition } from './types.ts';

/**
 * Biometric enrolment: two or more fingers (and optionally a face embedding), each
 * checked against the quality bar, searched 1:N against every voter already enrolled,
 * encrypted (envelope.ts) and stored with the ledger entries; suspected duplicates go to
 * the review queue (reviews.ts). Images never reach this module's storage: a capture is
 * reduced to its template at once (`captureFinger`), and only templates are encrypted.
 */

/**
 * The quality bar of an enrolment capture (the extractor's 0..100 quality, biometrics
 * README "Extraction" step 10: 100 x (minutiae / 40) x (coherence / 0.7)). 30 is the
 * evidence of 12 clear minutiae, the classic minimum for an identification, and it is
 * where the README's quality check points: the lowest-quality tenth of each FVC2002 set,
 * which holds a third or more of the genuine pairs that fail to match, lies at or below
 * it on DB3 (20..29) while every DB1 impression passes (33 and up). An enrolment template
 * is used for years of check-ins and for every later de-duplication, so a poor one is
 * refused and retaken rather than stored.
 */
export const ENROLMENT_MIN_QUALITY = 30;
export const MIN_ENROLLED_FINGERS = 2;

export interface FingerCapture {
  readonly position: FingerPosition;
  readonly template: FingerprintTemplate;
}

function retake(position: FingerPosition, why: string): InvalidInputError {
  return new InvalidInputError(`The ${FINGER_NAMES[position]} capture ${why}`, {
    path: `fingers.${position}`,
    hint: `Retake the ${FINGER_NAMES[position]}: clean the sensor and the finger, press flat with the centre of the finger on the glass, and hold still.`,
  });
}

/** Checks a capture against the quality bar; err with a prompt to retake that finger. */
export function checkCaptureQuality(
  capture: FingerCapture,
  minQuality: number = ENROLMENT_MIN_QUALITY,
): Result<FingerCapture, InvalidInputError> {
  if (capture.template.quality < minQuality) {
    return err(
      retake(
        capture.position,
        `is of quality ${capture.template.quality}, below the enrolment bar of ${minQuality}.`,
      ),
    );
  }
  return ok(capture);
}

/**
 * An image (TIFF, PNG or BMP bytes from the scanner) to a checked capture. The image is
 * decoded, reduced to its template and dropped: only the template leaves this function.
 */
export function captureFinger(
  position: FingerPosition,
  image: Uint8Array,
  options: { readonly dpi?: number; readonly minQuality?: number } = {},
): Result<FingerCapture, InvalidInputError> {
  const template = extractTemplate(image, options.dpi === undefined ? {} : { dpi: options.dpi });
  if (!template.ok) return err(retake(position, `could not be used: ${template.error.message}`));
  return checkCaptureQuality({ position, template: template.value }, options.minQuality);
}

export interface EnrolmentDeps {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly search: DuplicateSearch;
  readonly minQuality?: number;
  /** Candidates with a fused FMR at most this go to review (default DEDUP_MAX_FUSED_FMR). */
  readonly maxFusedFmr?: number;
}

export interface EnrolmentInput {
  readonly voterId: string;
  readonly fingers: readonly FingerCapture[];
  /** A face embedding (@vigil/biometrics captureFace): stored encrypted, not searched. */
  readonly face?: FaceTemplate;
  /** The official enrolling, and the station (ledger actor and station ids). */
  readonly officialId: string;
  readonly stationId: string;
  readonly time?: Date;
}

export interface EnrolmentOutcome {
  readonly voterId: string;
  readonly positions: readonly FingerPosition[];
  readonly face: boolean;
  /** The suspected duplicates queued for review (empty when none). */
  readonly reviews: readonly StoredDuplicateReview[];
  /** Every candidate the search returned, flagged or not, best first. */
  readonly candidates: readonly DuplicateCandidate[];
}

function faceBytes(face: FaceTemplate): Uint8Array {
  const out = new Uint8Array(face.dlib.length * 4);
  const view = new DataView(out.buffer);
  face.dlib.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return out;
}

function faceFromBytes(bytes: Uint8Array): FaceTemplate {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    dlib: Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true)),
  };
}

function checkFingers(
  fingers: readonly FingerCapture[],
  minQuality: number,
): Result<readonly FingerCapture[], InvalidInputError> {
  const positions = new Set<number>();
  for (const f of fingers) {
    if (!isFingerPosition(f.position)) {
      return err(
        new InvalidInputError(
          `Finger position ${String(f.position)} is not one of 1 (right thumb) to 10 (left little finger).`,
          { path: 'fingers' },
        ),
      );
    }
    if (positions.has(f.position)) {
      return err(
        new InvalidInputError(
          `The ${FINGER_NAMES[f.position]} was captured twice; capture ${MIN_ENROLLED_FINGERS} or more different fingers.`,
          { path: 'fingers' },
        ),
      );
    }
    positions.add(f.position);
    const q = checkCaptureQuality(f, minQuality);
    if (!q.ok) return q;
  }
  if (positions.size < MIN_ENROLLED_FINGERS) {
    return err(
      new InvalidInputError(
        `An enrolment needs at least ${MIN_ENROLLED_FINGERS} different fingers; ${positions.size} captured.`,
        {
          path: 'fingers',
          hint: 'Capture the two index fingers (or, failing those, the thumbs).',
        },
      ),
    );
  }
  return ok(fingers);
}

// Enrolments against one search run one at a time: two enrolments of the same person,
// racing, would otherwise each search before the other was added, and neither be flagged.
const queues = new WeakMap<DuplicateSearch, Promise<unknown>>();
function serialised<T>(search: DuplicateSearch, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(search) ?? Promise.resolve();
  const run = before.then(fn, fn);
  queues.set(
    search,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * Enrols a voter. Err InvalidInputError (too few fingers, a capture under the quality
 * bar: the message names the finger to retake), NotFoundError (no such voter),
 * ConflictError (already enrolled, or removed from the roll). Suspected duplicates do not
 * stop the enrolment: they are queued for an official and listed in the outcome.
 */
export async function enrolVoter(
  deps: EnrolmentDeps,
  input: EnrolmentInput,
): Promise<Result<EnrolmentOutcome, InvalidInputError | NotFoundError | ConflictError>> {
  const checked = checkFingers(input.fingers, deps.minQuality ?? ENROLMENT_MIN_QUALITY);
  if (!checked.ok) return checked;
  type Outcome = Result<EnrolmentOutcome, InvalidInputError | NotFoundError | ConflictError>;
  return serialised(deps.search, async (): Promise<Outcome> => {
    const { store, keyring, search } = deps;
    const voter = await store.getVoter(input.voterId);
    if (voter === undefined) {
      return err(
        new NotFoundError(`There is no voter "${input.voterId}" on the roll.`, {
          hint: 'Search the roll for the voter, or import the roll first.',
        }),
      );
    }
    if (voter.status === 'removed') {
      return err(
        new ConflictError(
          `Voter "${input.voterId}" has been removed from the roll and cannot be enrolled.`,
        ),
      );
    }
    if ((await store.getEnrolment(input.voterId)).length > 0) {
      return err(
        new ConflictError(`Voter "${input.voterId}" is already enrolled.`, {
          hint: 'A second enrolment of the same record is refused.',
        }),
      );
    }
    const time = input.time ?? new Date();
    const stamp = time.toISOString();
    const fingers: EnrolledFinger[] = input.fingers.map((f) => ({
      position: f.position,
      template: f.template,
    }));

    const candidates = (await search.search(fingers)).filter((c) => c.voterId !== input.voterId);
    const threshold = deps.maxFusedFmr ?? DEDUP_MAX_FUSED_FMR;
    const flagged = candidates.filter((c) => c.fusedFmr <= threshold);

    const record = (
      context: TemplateContext,
      quality: number,
      plaintext: Uint8Array,
    ): EncryptedTemplateRecord => ({
      voterId: input.voterId,
      modality: context.modality,
      position: context.position,
      quality,
      ...sealTemplate(keyring, plaintext, context),
      enrolledAt: time,
      enrolledBy: input.officialId,
    });
    const records = fingers.map((f) =>
      record(
        { voterId: input.voterId, modality: 'finger', position: f.position },
        Math.round(f.template.quality),
        writeIsoTemplate(f.template, { fingerPosition: f.position }),
      ),
    );
    if (input.face !== undefined) {
      records.push(
        record({ voterId: input.voterId, modality: 'face', position: 0 }, 0, faceBytes(input.face)),
      );
    }
    const reviews: StoredDuplicateReview[] = flagged.map((c) => ({
      reviewId: `dup-${randomUUID()}`,
      voterId: input.voterId,
      candidateVoterId: c.voterId,
      score: c.score,
      fusedFmr: c.fusedFmr,
      fingerScores: c.fingers,
      status: 'pending',
      createdAt: time,
    }));
    const entry = (
      type: Parameters<typeof eventIdOf>[0],
      subjects: string[],
      detail: string,
    ): LedgerEntry => ({
      eventId: eventIdOf(type),
      actorId: input.officialId,
      stationId: input.stationId,
      time: stamp,
      disposition: 'success',
      subjects,
      detail,
    });
    const enrolled = entry(
      'voter.enrolled',
      [`voter:${input.voterId}`, ...records.map((r) => `sha256:${sha256Hex(r.ciphertext)}`)],
      `fingers ${fingers.map((f) => f.position).join(',')}${input.face === undefined ? '' : ' and face'}; ${flagged.length} suspected duplicate(s)`,
    );
    const flags = reviews.map((r) =>
      entry(
        'voter.duplicate.flagged',
        [`review:${r.reviewId}`, `voter:${r.voterId}`, `voter:${r.candidateVoterId}`],
        `fused false match rate ${r.fusedFmr.toExponential(2)} over ${r.fingerScores.length} finger(s)`,
      ),
    );
    const saved = await store.transaction(async (tx) => {
      const s = await tx.saveEnrolment({
        voterId: input.voterId,
        records,
        ledgerEntries: [enrolled],
      });
      if (!s.ok) return s;
      await tx.addDuplicateReviews(reviews, flags);
      return s;
    });
    if (!saved.ok) return saved;
    await search.add(input.voterId, fingers);
    return ok({
      voterId: input.voterId,
      positions: fingers.map((f) => f.position),
      face: input.face !== undefined,
      reviews,
      candidates,
    });
  });
}

export interface VoterEnrolment {
  readonly fingers: readonly EnrolledFinger[];
  readonly face?: FaceTemplate;
}

function openRecords(
  keyring: Keyring,
  voterId: string,
  records: readonly EncryptedTemplateRecord[],
): Result<VoterEnrolment, IntegrityError> {
  const fingers: EnrolledFinger[] = [];
  let face: FaceTemplate | undefined;
  for (const r of records) {
    const plain = openTemplate(keyring, r, { voterId, modality: r.modality, position: r.position });
    if (!plain.ok) return plain;
    if (r.modality === 'face') {
      face = faceFromBytes(plain.value);
      continue;
    }
    const template = readIsoTemplate(plain.value);
    if (!template.ok || !isFingerPosition(r.position)) {
      return err(
        new IntegrityError(
          `The stored finger template ${r.position} of voter "${voterId}" decrypts but is not a valid template.`,
        ),
      );
    }
    fingers.push({ position: r.position, template: template.value });
  }
  return ok(face === undefined ? { fingers } : { fingers, face });
}

/** A voter's decrypted enrolment (fingers by position, and the face if enrolled). */
export async function loadVoterEnrolment(
  store: Pick<StoreOperations, 'getEnrolment'>,
  keyring: Keyring,
  voterId: string,
): Promise<Result<VoterEnrolment, NotFoundError | IntegrityError>> {
  const records = await store.getEnrolment(voterId);
  if (records.length === 0) {
    return err(
      new NotFoundError(`Voter "${voterId}" has no biometric enrolment.`, {
        hint: 'Enrol the voter first, or use the supervised override.',
      }),
    );
  }
  return openRecords(keyring, voterId, records);
}

/**
 * A voter's enrolled finger templates, decrypted, in finger position order (for the 1:1
 * check at check-in). Err NotFoundError when not enrolled, IntegrityError when the master
 * key is not the one they were enrolled under or a record was altered.
 */
export async function loadVoterTemplates(
  store: Pick<StoreOperations, 'getEnrolment'>,
  keyring: Keyring,
  voterId: string,
): Promise<Result<readonly FingerprintTemplate[], NotFoundError | IntegrityError>> {
  const enrolment = await loadVoterEnrolment(store, keyring, voterId);
  if (!enrolment.ok) return enrolment;
  return ok(enrolment.value.fingers.map((f) => f.template));
}

/**
 * Fills a de-duplication search with every enrolled voter, reading the store in pages
 * (at start-up: the in-memory gallery does not outlive the process). Returns the count.
 */
export async function loadDuplicateSearch(
  store: Pick<StoreOperations, 'listEnrolments'>,
  keyring: Keyring,
  search: DuplicateSearch,
  pageSize = 1000,
): Promise<Result<number, IntegrityError>> {
  let after: string | undefined;
  let count = 0;
  for (;;) {
    const page = await store.listEnrolments({
      ...(after === undefined ? {} : { afterVoterId: after }),
      limit: pageSize,
    });
    if (page.length === 0) return ok(count);
    const byVoter = new Map<string, EncryptedTemplateRecord[]>();
    for (const r of page) byVoter.set(r.voterId, [...(byVoter.get(r.voterId) ?? []), r]);
    for (const [voterId, records] of byVoter) {
      const opened = openRecords(keyring, voterId, records);
      if (!opened.ok) return opened;
      await search.add(voterId, opened.value.fingers);
      count++;
      after = voterId;
    }
  }
}
