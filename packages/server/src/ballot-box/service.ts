import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeviceChain,
  P_BYTES,
  Q_BYTES,
  bigToHex,
  checkCoefficientProof,
  decryptChallengedBallot,
  decryptTally,
  electionBaseHash,
  elP,
  encryptedBallotJson,
  evaluatePolynomial,
  extendedBaseHash,
  loadElectionRecord,
  manifestFromElection,
  manifestHash,
  modQ,
  mulP,
  parameterBaseHash,
  proveCoefficient,
  randomNonZeroQ,
  shareMatchesCommitments,
  verifyRecord,
  writeChallengedBallot,
  writePublicElectionInitialized,
  writeTally,
  type CheckContext,
  type GuardianSecret,
  type ManifestRecord,
  type SchnorrProof,
} from '@vigil/ballots';
import {
  IntegrityError,
  InvalidInputError,
  VigilError,
  err,
  ok,
  sha256Hex,
  type Result,
} from '@vigil/core';
import { eventIdOf, type EventType, type LedgerEntry } from '@vigil/ledger';
import { spendCredential, type BallotCredential, type RegistryRuntime } from '@vigil/registry';
import type {
  BallotBoxElection,
  BallotBoxGuardian,
  BallotBoxPhase,
  BoothSession,
  StoreTransaction,
  StoredBallot,
} from '@vigil/store';
import { openWithNonce } from './challenge.ts';
import {
  boothContests,
  checkSelections,
  marksFromVotes,
  summarize,
  type BoothContest,
  type ChosenSummary,
  type Marks,
} from './contests.ts';
import { ballotRecordOf, recordFolderName, writeBallotsAndTally, zipRecord } from './record.ts';
import {
  computeResults,
  verificationView,
  type ResultsView,
  type VerificationView,
} from './results.ts';
import { DEFAULT_PUBLICATION_BATCH, publishWaitingBallots } from './publication.ts';
import { openJson, sealJson } from './seal.ts';

/**
 * The ballot box of the served election: the ElectionGuard 2.0 key ceremony with each
 * guardian acting for themself, the polls, voting-booth sessions that spend a blind
 * credential, encryption with confirmation codes chained per booth, cast or challenge,
 * the homomorphic tally, decryption by a quorum of guardians, and the published,
 * verified record. Thin over @vigil/ballots (the cryptography) and the store (each step
 * a conditional write with its ledger entry in one transaction); the HTTP routes are
 * thinner still.
 *
 * Secrets: a guardian's polynomial, then its key share z_ℓ, and a pending ballot's
 * primary nonce and marks are sealed under the registry master key (seal.ts) and opened
 * only in this process, for the step that needs them; none is ever returned, logged,
 * written to the record folder or put in the ledger. The shares are opened only once a
 * quorum of guardians has released them, and only theirs.
 */

/** The phase as the API names it (no row yet: the ceremony has not started). */
export type BallotBoxPhaseView = 'key-ceremony-not-started' | BallotBoxPhase;

/** An expected refusal, with the HTTP status and the reason a client acts on. */
export class BallotBoxError extends VigilError {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string, options?: { hint?: string }) {
    super(reason, message, options);
    this.name = 'BallotBoxError';
    this.status = status;
    this.reason = reason;
  }
}

export interface GuardianView {
  readonly guardianId: string;
  readonly displayName: string;
  readonly xCoordinate: number;
  readonly keysPublished: boolean;
  readonly shareReleased: boolean;
}

export interface BallotBoxStatus {
  readonly electionId: string;
  readonly title: string;
  readonly phase: BallotBoxPhaseView;
  readonly numberOfGuardians: number;
  readonly quorum: number;
  readonly guardians: readonly GuardianView[];
  readonly jointKey?: string;
  readonly extendedBaseHash?: string;
  /** Cast and challenged ballots published in the ledger (they move a batch at a time). */
  readonly castCount: number;
  readonly challengedCount: number;
  readonly pollsOpenedAt?: string;
  readonly pollsClosedAt?: string;
}

export interface CeremonyView {
  readonly phase: BallotBoxPhaseView;
  readonly guardians: readonly {
    readonly guardianId: string;
    readonly xCoordinate: number;
    readonly commitments: readonly string[];
    readonly proofsValid: boolean;
  }[];
  readonly jointKey?: string;
  readonly extendedBaseHash?: string;
}

export interface PublishedKeys {
  readonly guardianId: string;
  readonly xCoordinate: number;
  readonly commitments: readonly string[];
}

export interface BoothSessionOpened {
  readonly boothSessionId: string;
  readonly ballotStyleId: string;
  readonly expiresAt: string;
  readonly contests: readonly BoothContest[];
}

export interface EncryptedBallotView {
  readonly confirmationCode: string;
  readonly ballotId: string;
  readonly summary: readonly ChosenSummary[];
}

export interface CastView {
  readonly confirmationCode: string;
  readonly status: 'cast';
  /**
   * Whether the ballot's ledger entry is already public: true only when this cast
   * completed a batch (the entries are published in shuffled batches, see publication.ts).
   */
  readonly published: boolean;
  /** Its ledger index, when published. */
  readonly ledgerIndex?: number;
  /** Ballot entries per batch: an unpublished ballot appears with the next batch of this many, or when the polls close. */
  readonly publicationBatch: number;
}

export interface ChallengeView {
  readonly confirmationCode: string;
  readonly status: 'challenged';
  readonly selections: readonly ChosenSummary[];
  readonly nonceCheck: 'matches' | 'mismatch';
  /** The primary nonce ξ_B (hex), revealed so that any device can repeat the check. */
  readonly primaryNonce: string;
}

export interface ShareReleased {
  readonly guardianId: string;
  readonly sharesReleased: number;
  readonly quorum: number;
  readonly phase: BallotBoxPhaseView;
}

export interface BallotBoxOptions {
  readonly runtime: RegistryRuntime;
  /** `<dataDir>/records`: each election's record folder goes inside. */
  readonly recordsDir: string;
  /** How long a booth session lasts (default 30 minutes). */
  readonly boothSessionMs?: number;
  /** Worker threads for the verifier (default: its own, the cores up to 8). */
  readonly verifyWorkers?: number;
  /**
   * How many cast or challenged ballots wait before their ledger entries are published
   * together in a shuffled order (default 10; publication.ts). Larger hides each ballot
   * among more; the polls' close publishes whatever waits.
   */
  readonly publicationBatch?: number;
}

export const DEFAULT_BOOTH_SESSION_MS = 30 * 60_000;

/** Who acts, for ledger entries. */
export interface Actor {
  readonly actorId: string;
  readonly stationId: string;
}

/** A one-process queue per key: steps that must not interleave take turns. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const next = before.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

const hexP = (x: bigint): string => bigToHex(x, P_BYTES).toLowerCase();
const hexQ = (x: bigint): string => bigToHex(x, Q_BYTES).toLowerCase();
const fromHex = (h: string): bigint => BigInt(`0x${h}`);

function proofsOf(g: BallotBoxGuardian): SchnorrProof[] {
  return (g.commitments ?? []).map((c) => ({
    publicKey: fromHex(c.publicKey),
    challenge: fromHex(c.challenge),
    response: fromHex(c.response),
  }));
}

/** The UTC day of an instant: what the ballot side records instead of a time (privacy). */
const dayOf = (d: Date): string => `${d.toISOString().slice(0, 10)}T00:00:00Z`;

export class BallotBox {
  readonly runtime: RegistryRuntime;
  readonly electionId: string;
  readonly recordDir: string;
  private readonly manifestBytes: Uint8Array;
  private readonly manifest: ManifestRecord;
  private readonly baux0: Uint8Array;
  private readonly boothSessionMs: number;
  private readonly verifyWorkers: number | undefined;
  /** Ballot entries per shuffled batch (publication.ts). */
  readonly publicationBatch: number;
  private readonly queue = new KeyedQueue();
  private zip: { at: number; bytes: Uint8Array } | undefined;
  /** Proof checks of published commitments, by guardian and commitments (they never change). */
  private readonly proofChecks = new Map<string, boolean>();

  constructor(options: BallotBoxOptions) {
    this.runtime = options.runtime;
    this.electionId = options.runtime.election.id;
    this.recordDir = join(options.recordsDir, recordFolderName(this.electionId));
    const m = manifestFromElection(options.runtime.election);
    this.manifestBytes = m.bytes;
    this.manifest = m.manifest;
    // B_aux,0 (spec 2.0 §3.4.3): the device information bound into every first code.
    this.baux0 = new TextEncoder().encode(`vigil ballot box; election ${this.electionId}`);
    this.boothSessionMs = options.boothSessionMs ?? DEFAULT_BOOTH_SESSION_MS;
    this.verifyWorkers = options.verifyWorkers;
    const batch = options.publicationBatch ?? DEFAULT_PUBLICATION_BATCH;
    if (!Number.isSafeInteger(batch) || batch < 1) {
      throw new InvalidInputError(
        `The publication batch must be a whole number of ballots, at least 1; got ${batch}.`,
        { path: 'publicationBatch' },
      );
    }
    this.publicationBatch = batch;
  }

  private get store() {
    return this.runtime.store;
  }

  private now(): Date {
    return this.runtime.clock.now();
  }

  private entry(
    type: EventType,
    actor: Actor,
    subjects: readonly string[],
    options: { time?: string; disposition?: 'success' | 'failure'; detail?: string } = {},
  ): LedgerEntry {
    return {
      eventId: eventIdOf(type),
      actorId: actor.actorId,
      stationId: actor.stationId,
      time: options.time ?? this.now().toISOString(),
      disposition: options.disposition ?? 'success',
      subjects: [`election:${this.electionId}`, ...subjects],
      ...(options.detail === undefined ? {} : { detail: options.detail }),
    };
  }

  private async box(): Promise<BallotBoxElection | undefined> {
    return this.store.getBallotBox(this.electionId);
  }

  private context(box: BallotBoxElection): CheckContext {
    if (box.jointKey === undefined || box.extendedBaseHash === undefined) {
      throw new IntegrityError(
        `The ballot box of ${this.electionId} has no joint key in phase ${box.phase}.`,
      );
    }
    return {
      jointKey: fromHex(box.jointKey),
      extendedBaseHash: Buffer.from(box.extendedBaseHash, 'hex'),
    };
  }

  private phaseError(
    phase: BallotBoxPhaseView,
    wanted: BallotBoxPhase,
    doing: string,
  ): BallotBoxError {
    const reason =
      wanted === 'polls-open'
        ? 'polls-not-open'
        : wanted === 'polls-closed' && phase === 'polls-open'
          ? 'polls-still-open'
          : `not-${wanted}`;
    return new BallotBoxError(
      409,
      reason,
      `Cannot ${doing}: the ballot box is in phase "${phase}", and this needs "${wanted}".`,
      {
        hint: 'GET /api/ballot-box/status shows the phase; the steps go key ceremony, ready, polls open, polls closed, tallied, decrypted.',
      },
    );
  }

  private async requirePhase(
    wanted: BallotBoxPhase,
    doing: string,
  ): Promise<Result<BallotBoxElection, BallotBoxError>> {
    const box = await this.box();
    const phase = box?.phase ?? 'key-ceremony-not-started';
    if (box?.phase !== wanted) return err(this.phaseError(phase, wanted, doing));
    return ok(box);
  }

  /**
   * Runs a step whose transaction refuses by throwing a BallotBoxError (which rolls it
   * back): the refusal comes back as an err, anything else is thrown on.
   */
  private async refusable<T>(step: () => Promise<T>): Promise<Result<T, BallotBoxError>> {
    try {
      return ok(await step());
    } catch (e) {
      if (e instanceof BallotBoxError) return err(e);
      throw e;
    }
  }

  /** Inside a transaction: true when the polls are open, holding the row until commit. */
  private async lockPollsOpen(tx: StoreTransaction): Promise<void> {
    // A no-op update on the election's row: it succeeds only in phase polls-open and
    // takes the row's lock, so closing the polls waits for this transaction (and a
    // ballot cannot slip in after the close on PostgreSQL; SQLite serialises anyway).
    if (!(await tx.setBallotBoxPhase(this.electionId, 'polls-open', 'polls-open'))) {
      throw this.phaseError('polls-closed', 'polls-open', 'take a ballot');
    }
  }

  // --- Status -----------------------------------------------------------------------

  async status(): Promise<BallotBoxStatus> {
    const box = await this.box();
    const base = { electionId: this.electionId, title: this.runtime.election.title };
    if (box === undefined) {
      return {
        ...base,
        phase: 'key-ceremony-not-started',
        numberOfGuardians: 0,
        quorum: 0,
        guardians: [],
        castCount: 0,
        challengedCount: 0,
      };
    }
    const names = await Promise.all(box.guardians.map((g) => this.store.getOfficial(g.guardianId)));
    // Published ballots only: a public count that moved at each cast or challenge would
    // say when one happened (and a challenge is decrypted in public), undoing the batches.
    const counts = await this.store.countBallots(this.electionId, { publishedOnly: true });
    return {
      ...base,
      phase: box.phase,
      numberOfGuardians: box.numberOfGuardians,
      quorum: box.quorum,
      guardians: box.guardians.map((g, i) => ({
        guardianId: g.guardianId,
        displayName: names[i]?.displayName ?? g.guardianId,
        xCoordinate: g.xCoordinate,
        keysPublished: g.keysPublishedAt !== undefined,
        shareReleased: g.shareReleasedAt !== undefined,
      })),
      ...(box.jointKey === undefined ? {} : { jointKey: box.jointKey }),
      ...(box.extendedBaseHash === undefined ? {} : { extendedBaseHash: box.extendedBaseHash }),
      castCount: counts.cast,
      challengedCount: counts.challenged,
      ...(box.pollsOpenedAt === undefined
        ? {}
        : { pollsOpenedAt: box.pollsOpenedAt.toISOString() }),
      ...(box.pollsClosedAt === undefined
        ? {}
        : { pollsClosedAt: box.pollsClosedAt.toISOString() }),
    };
  }

  // --- Key ceremony (spec 2.0 §3.2) ---------------------------------------------------

  async startCeremony(input: {
    readonly guardianIds: readonly string[];
    readonly quorum: number;
  }): Promise<Result<BallotBoxStatus, VigilError>> {
    const ids = input.guardianIds;
    if (new Set(ids).size !== ids.length) {
      return err(
        new InvalidInputError('A guardian is named twice; name each guardian once.', {
          path: 'guardianIds',
        }),
      );
    }
    if (input.quorum > ids.length) {
      return err(
        new InvalidInputError(
          `The quorum (${input.quorum}) is larger than the number of guardians (${ids.length}); choose a quorum of at most ${ids.length}.`,
          { path: 'quorum' },
        ),
      );
    }
    for (const id of ids) {
      const official = await this.store.getOfficial(id);
      if (official?.status !== 'active' || official.role !== 'guardian') {
        return err(
          new InvalidInputError(
            official === undefined
              ? `There is no official "${id}"; create the guardian first (POST /api/officials with role guardian).`
              : official.role !== 'guardian'
                ? `Official "${id}" has the role ${official.role}, not guardian; name only guardians.`
                : `Guardian "${id}" is disabled; name active guardians only.`,
            { path: 'guardianIds' },
          ),
        );
      }
    }
    const created = await this.store.createBallotBox({
      electionId: this.electionId,
      quorum: input.quorum,
      guardianIds: ids,
      startedAt: this.now(),
    });
    if (!created) {
      return err(
        new BallotBoxError(
          409,
          'ceremony-already-started',
          `The key ceremony of ${this.electionId} has already started; it runs once per election.`,
        ),
      );
    }
    return ok(await this.status());
  }

  async ceremony(): Promise<CeremonyView> {
    const box = await this.box();
    if (box === undefined) return { phase: 'key-ceremony-not-started', guardians: [] };
    const hp = parameterBaseHash();
    return {
      phase: box.phase,
      guardians: box.guardians.map((g) => {
        const proofs = proofsOf(g);
        return {
          guardianId: g.guardianId,
          xCoordinate: g.xCoordinate,
          commitments: proofs.map((p) => hexP(p.publicKey)),
          proofsValid: this.proofsValid(hp, g, box.quorum),
        };
      }),
      ...(box.jointKey === undefined ? {} : { jointKey: box.jointKey }),
      ...(box.extendedBaseHash === undefined ? {} : { extendedBaseHash: box.extendedBaseHash }),
    };
  }

  private proofsValid(hp: Uint8Array, g: BallotBoxGuardian, quorum: number): boolean {
    const key = `${g.guardianId}\0${JSON.stringify(g.commitments ?? [])}`;
    let valid = this.proofChecks.get(key);
    if (valid === undefined) {
      const proofs = proofsOf(g);
      valid =
        proofs.length === quorum &&
        proofs.every((p, j) => checkCoefficientProof(hp, g.xCoordinate, j, p));
      if (g.commitments !== undefined) this.proofChecks.set(key, valid);
    }
    return valid;
  }

  /**
   * The signed-in guardian's part of the ceremony: a random polynomial of degree k−1,
   * its commitments K_ij = g^{a_ij} with Schnorr proofs (published), the coefficients
   * sealed. When the last guardian has published, the ceremony completes.
   */
  async publishKeys(guardian: Actor): Promise<Result<PublishedKeys, VigilError>> {
    const box = await this.requirePhase('key-ceremony', 'publish guardian keys');
    if (!box.ok) return box;
    const mine = box.value.guardians.find((g) => g.guardianId === guardian.actorId);
    if (mine === undefined) {
      return err(
        new BallotBoxError(
          403,
          'not-a-guardian-here',
          `${guardian.actorId} is not one of the guardians of this key ceremony.`,
        ),
      );
    }
    if (mine.keysPublishedAt !== undefined) {
      // All published but not completed means a completion failed half-way (it changes
      // nothing until its transaction commits): a guardian's retry runs it again.
      if (box.value.guardians.every((g) => g.keysPublishedAt !== undefined)) {
        await this.completeCeremony(guardian);
      }
      return err(this.alreadyPublished(guardian.actorId));
    }
    const hp = parameterBaseHash();
    const coefficients = Array.from({ length: box.value.quorum }, () => randomNonZeroQ());
    const proofs = coefficients.map((a, j) => proveCoefficient(hp, mine.xCoordinate, j, a));
    const published = await this.store.publishGuardianKeys({
      electionId: this.electionId,
      guardianId: mine.guardianId,
      commitments: proofs.map((p) => ({
        publicKey: hexP(p.publicKey),
        challenge: hexQ(p.challenge),
        response: hexQ(p.response),
      })),
      sealedCoefficients: sealJson(
        this.runtime.keyring,
        coefficients.map(hexQ),
        this.secretContext('coefficients', mine.guardianId),
      ),
      at: this.now(),
    });
    if (!published) return err(this.alreadyPublished(guardian.actorId));
    const after = await this.box();
    if (after?.guardians.every((g) => g.keysPublishedAt !== undefined) === true) {
      await this.completeCeremony(guardian);
    }
    return ok({
      guardianId: mine.guardianId,
      xCoordinate: mine.xCoordinate,
      commitments: proofs.map((p) => hexP(p.publicKey)),
    });
  }

  private alreadyPublished(guardianId: string): BallotBoxError {
    return new BallotBoxError(
      409,
      'keys-already-published',
      `Guardian ${guardianId} has already published their keys; each guardian does so once.`,
    );
  }

  private secretContext(kind: string, id: string): string {
    return `${kind}\0${this.electionId}\0${id}`;
  }

  /**
   * Every guardian's shares P_i(ℓ) checked against the sender's commitments,
   * g^{P_i(ℓ)} = Π_j K_ij^{ℓ^j} (spec 2.0 eq. 21), each guardian's key share
   * z_ℓ = Σ_i P_i(ℓ) (eq. 22) sealed for it, the joint key K = Π_i K_i0, H_B and H_E; the
   * polynomials are dropped. Then the public record is initialized.
   */
  private async completeCeremony(actor: Actor): Promise<void> {
    await this.queue.run('ceremony', async () => {
      const box = await this.box();
      if (box?.phase !== 'key-ceremony') return;
      const hp = parameterBaseHash();
      const senders = box.guardians.map((g) => {
        if (g.sealedCoefficients === undefined)
          throw new IntegrityError(`guardian ${g.guardianId} has no sealed polynomial`);
        const coefficients = (
          openJson(
            this.runtime.keyring,
            g.sealedCoefficients,
            this.secretContext('coefficients', g.guardianId),
          ) as string[]
        ).map(fromHex);
        const proofs = proofsOf(g);
        if (!proofs.every((p, j) => checkCoefficientProof(hp, g.xCoordinate, j, p))) {
          throw new IntegrityError(
            `the commitments of guardian ${g.guardianId} do not carry valid proofs`,
          );
        }
        return { guardian: g, coefficients, proofs };
      });
      const shares = box.guardians.map((receiver) => {
        let share = 0n;
        for (const sender of senders) {
          const value = evaluatePolynomial(sender.coefficients, receiver.xCoordinate);
          if (!shareMatchesCommitments(sender.proofs, receiver.xCoordinate, value)) {
            throw new IntegrityError(
              `the share from guardian ${sender.guardian.guardianId} to ${receiver.guardianId} does not match its commitments (EG 2.0 eq. 21)`,
            );
          }
          share = modQ(share + value);
        }
        return {
          guardianId: receiver.guardianId,
          sealedShare: sealJson(
            this.runtime.keyring,
            hexQ(share),
            this.secretContext('share', receiver.guardianId),
          ),
        };
      });
      let jointKey = 1n;
      for (const s of senders) jointKey = mulP(jointKey, s.proofs[0]?.publicKey ?? 1n);
      const hm = manifestHash(hp, this.manifestBytes);
      const hb = electionBaseHash(hp, hm, box.numberOfGuardians, box.quorum);
      const he = extendedBaseHash(hb, jointKey);
      const completed = await this.store.transaction(async (tx) => {
        const moved = await tx.setBallotBoxPhase(this.electionId, 'key-ceremony', 'ready', {
          jointKey: hexP(jointKey),
          extendedBaseHash: he.toString('hex'),
        });
        if (!moved) return false;
        await tx.saveGuardianShares(this.electionId, shares);
        await tx.appendLedgerEntries([
          this.entry(
            'keyceremony.completed',
            actor,
            [
              `joint-key:sha256:${sha256Hex(elP(jointKey))}`,
              `extended-base-hash:${he.toString('hex')}`,
              ...box.guardians.map((g) => `guardian:${g.guardianId}`),
            ],
            { detail: `${box.quorum} of ${box.numberOfGuardians}` },
          ),
        ]);
        return true;
      });
      if (!completed) return;
      await mkdir(this.recordDir, { recursive: true });
      await writePublicElectionInitialized(
        this.recordDir,
        this.manifestBytes,
        {
          numberOfGuardians: box.numberOfGuardians,
          quorum: box.quorum,
          guardians: senders.map((s) => ({
            guardianId: s.guardian.guardianId,
            xCoordinate: s.guardian.xCoordinate,
            proofs: s.proofs,
          })),
          jointKey,
          parameterBaseHash: hp,
          manifestHash: hm,
          electionBaseHash: hb,
          extendedBaseHash: he,
        },
        this.baux0,
      );
    });
  }

  // --- Polls ------------------------------------------------------------------------

  async openPolls(actor: Actor): Promise<Result<BallotBoxStatus, VigilError>> {
    const box = await this.requirePhase('ready', 'open the polls');
    if (!box.ok) return box;
    const at = this.now();
    const opened = await this.store.transaction(async (tx) => {
      if (
        !(await tx.setBallotBoxPhase(this.electionId, 'ready', 'polls-open', { pollsOpenedAt: at }))
      )
        return false;
      await tx.appendLedgerEntries([this.entry('polls.opened', actor, [])]);
      return true;
    });
    if (!opened)
      return err(this.phaseError((await this.box())?.phase ?? 'ready', 'ready', 'open the polls'));
    return ok(await this.status());
  }

  /**
   * Closes the polls: open booth sessions end, and a ballot encrypted but neither cast
   * nor challenged is spoiled like a challenged one (ElectionGuard counts a ballot only
   * when cast; spoiling keeps every device's chain complete), decrypted at the tally.
   */
  async closePolls(actor: Actor): Promise<Result<BallotBoxStatus, VigilError>> {
    const box = await this.requirePhase('polls-open', 'close the polls');
    if (!box.ok) return box;
    const at = this.now();
    const closed = await this.store.transaction(async (tx) => {
      if (
        !(await tx.setBallotBoxPhase(this.electionId, 'polls-open', 'polls-closed', {
          pollsClosedAt: at,
        }))
      )
        return false;
      await tx.closeBoothSessions(this.electionId);
      for (const pending of await tx.listPendingBallots(this.electionId)) {
        await this.spoilInside(tx, pending, 'abandoned');
      }
      // The last batch, however small: every ballot is in the ledger before the close.
      await publishWaitingBallots(tx, this.electionId, {
        batch: this.publicationBatch,
        force: true,
      });
      await tx.appendLedgerEntries([this.entry('polls.closed', actor, [])]);
      return true;
    });
    if (!closed)
      return err(
        this.phaseError(
          (await this.box())?.phase ?? 'polls-closed',
          'polls-open',
          'close the polls',
        ),
      );
    return ok(await this.status());
  }

  /**
   * A pending ballot becomes challenged (spoiled), its ledger entry queued for the next
   * shuffled batch; inside `tx`.
   */
  private async spoilInside(
    tx: StoreTransaction,
    ballot: StoredBallot,
    detail: string,
  ): Promise<void> {
    const resolved = await tx.resolveBallot({
      electionId: this.electionId,
      confirmationCode: ballot.confirmationCode,
      state: 'challenged',
      encrypted: ballot.encrypted,
      ledgerEntry: JSON.stringify(
        this.entry(
          'ballot.challenged',
          { actorId: 'system', stationId: ballot.deviceId },
          [`confirmation-code:${ballot.confirmationCode}`],
          { time: dayOf(this.now()), detail },
        ),
      ),
    });
    if (!resolved) {
      throw this.alreadyResolved(
        (await tx.getBallot(this.electionId, ballot.confirmationCode)) ?? ballot,
      );
    }
  }

  /** Inside a transaction holding the polls' lock: publishes a batch if one is due. */
  private async publishDue(tx: StoreTransaction): Promise<ReadonlyMap<string, number>> {
    return publishWaitingBallots(tx, this.electionId, {
      batch: this.publicationBatch,
      force: false,
    });
  }

  // --- The booth ----------------------------------------------------------------------

  /** Spends the voter's credential and opens a booth session at this station. */
  async openBoothSession(
    stationId: string,
    credential: BallotCredential,
  ): Promise<Result<BoothSessionOpened, VigilError>> {
    const box = await this.requirePhase('polls-open', 'start a ballot');
    if (!box.ok) return box;
    // What this writes, and why it cannot meet the ballot: the store keeps the token's
    // hash to refuse a second spend, and the ledger gets a `credential.spent` entry with
    // the day, this booth, the ballot style and the key id, but neither token nor hash.
    // The token itself is unlinkable to the check-in that obtained it: the registry
    // signed it blinded and never saw it (RFC 9474 §4: "the server learns nothing of msg
    // or input_msg"; the Randomized variant of §5 keeps that so even under a signer's
    // malicious key, §7.3). The entry's place in the ledger does follow the check-in,
    // but it names no ballot: the ballot's own entry waits for a shuffled batch
    // (publication.ts), and the session below is dropped from the ballot once it is
    // cast or challenged.
    const spent = await spendCredential(this.store, {
      credential,
      ballotStyleId: credential.ballotStyleId,
      electionId: this.electionId,
      publicKeys: this.runtime.publicKeys,
      ballotBoxId: stationId,
      clock: this.runtime.clock,
    });
    if (!spent.ok) {
      return err(
        new BallotBoxError(
          spent.error.reason === 'already-spent' ? 409 : 403,
          spent.error.reason,
          spent.error.message,
          {
            ...(spent.error.reason === 'already-spent'
              ? { hint: 'Each credential opens one ballot; a poll worker can help.' }
              : {}),
          },
        ),
      );
    }
    const session: BoothSession = {
      sessionId: randomUUID(),
      electionId: this.electionId,
      stationId,
      ballotStyleId: spent.value.ballotStyleId,
      status: 'open',
      expiresAt: new Date(this.now().getTime() + this.boothSessionMs),
    };
    const stored = await this.refusable(() =>
      this.store.transaction(async (tx) => {
        await this.lockPollsOpen(tx);
        await tx.openBoothSession(session);
      }),
    );
    if (!stored.ok) return stored;
    return ok({
      boothSessionId: session.sessionId,
      ballotStyleId: session.ballotStyleId,
      expiresAt: session.expiresAt.toISOString(),
      contests: boothContests(this.runtime.election, session.ballotStyleId),
    });
  }

  /** The session, if it is this station's, open and not expired. */
  private async liveSession(
    stationId: string,
    sessionId: string,
  ): Promise<Result<BoothSession, BallotBoxError>> {
    const session = await this.store.getBoothSession(sessionId);
    if (session?.electionId !== this.electionId) {
      return err(
        new BallotBoxError(
          404,
          'booth-session-not-found',
          "There is no such booth session; scan the voter's credential to start one.",
        ),
      );
    }
    if (session.stationId !== stationId) {
      return err(
        new BallotBoxError(
          403,
          'booth-session-other-station',
          'This booth session was opened at another station; a ballot is finished where it was started.',
        ),
      );
    }
    if (session.status !== 'open') {
      return err(
        new BallotBoxError(
          409,
          'booth-session-ended',
          `This booth session has ended (${session.status === 'cast' ? 'its ballot was cast' : 'the polls closed'}).`,
        ),
      );
    }
    if (session.expiresAt.getTime() <= this.now().getTime()) {
      return err(
        new BallotBoxError(
          410,
          'booth-session-expired',
          'This booth session has expired; a ballot left unfinished this long is not taken.',
          {
            hint: "Ask a poll worker: the voter's credential is spent, so a provisional ballot is the way on.",
          },
        ),
      );
    }
    return ok(session);
  }

  /**
   * Encrypts the voter's selections on this station's chain (spec 2.0 §3.3, §3.4): the
   * confirmation code is the ballot's code H(B). The primary nonce and the marks are kept
   * sealed until the voter casts or challenges. A ballot of the same session still
   * pending (the voter went back and changed it) is spoiled first.
   */
  async encrypt(
    stationId: string,
    sessionId: string,
    selections: Marks,
  ): Promise<Result<EncryptedBallotView, VigilError>> {
    const session = await this.liveSession(stationId, sessionId);
    if (!session.ok) return session;
    const box = await this.requirePhase('polls-open', 'encrypt a ballot');
    if (!box.ok) return box;
    const checked = checkSelections(this.runtime.election, session.value.ballotStyleId, selections);
    if (!checked.ok) return checked;
    const ctx = this.context(box.value);
    const { votes, marks } = checked.value;
    const deviceId = stationId;
    const stored = await this.refusable(() =>
      this.queue.run(`device:${deviceId}`, async () => {
        const device = await this.store.getBallotDevice(this.electionId, deviceId);
        const chain = new DeviceChain(
          ctx,
          { deviceId, baux0: this.baux0 },
          device === undefined
            ? undefined
            : { ballotIds: [], lastCode: Buffer.from(device.lastCode, 'hex') },
        );
        const primaryNonce = randomBytes(32);
        const ballotId = `b-${randomBytes(12).toString('hex')}`;
        const now = this.now();
        const encrypted = chain.encrypt(
          this.manifest,
          { ballotId, ballotStyleId: session.value.ballotStyleId, votes },
          'UNKNOWN',
          {
            primaryNonce,
            // The day, not the second: a ballot's time could be matched to a check-in's.
            timestamp: Math.floor(Date.parse(dayOf(now)) / 1000),
          },
        );
        const code = Buffer.from(encrypted.confirmationCode).toString('hex');
        const ballot: StoredBallot = {
          electionId: this.electionId,
          confirmationCode: code,
          ballotId,
          sessionId,
          deviceId,
          chainPosition: (device?.ballotCount ?? 0) + 1,
          ballotStyleId: session.value.ballotStyleId,
          state: 'pending',
          encrypted: JSON.stringify(encryptedBallotJson(encrypted)),
          sealedSecret: sealJson(
            this.runtime.keyring,
            { nonce: primaryNonce.toString('hex'), marks },
            this.secretContext('ballot', code),
          ),
        };
        primaryNonce.fill(0);
        await this.store.transaction(async (tx) => {
          await this.lockPollsOpen(tx);
          const advanced = await tx.advanceBallotDevice({
            electionId: this.electionId,
            deviceId,
            expectedCount: device?.ballotCount ?? 0,
            lastCode: code,
          });
          if (!advanced) {
            throw new BallotBoxError(
              409,
              'booth-busy',
              'Another ballot was encrypted at this booth at the same moment; encrypt again.',
            );
          }
          for (const earlier of await tx.listPendingBallots(this.electionId, sessionId)) {
            await this.spoilInside(tx, earlier, 'replaced by a new ballot');
          }
          await this.publishDue(tx);
          await tx.saveBallot(ballot);
        });
        return ballot;
      }),
    );
    if (!stored.ok) return stored;
    return ok({
      confirmationCode: stored.value.confirmationCode,
      ballotId: stored.value.ballotId,
      summary: summarize(this.runtime.election, stored.value.ballotStyleId, marks),
    });
  }

  /** The pending ballot of this code, in a live session of this station. */
  private async pendingBallot(
    stationId: string,
    code: string,
  ): Promise<
    Result<
      {
        ballot: StoredBallot;
        session: BoothSession;
        secret: { nonce: string; marks: Record<string, string[]> };
      },
      VigilError
    >
  > {
    const ballot = await this.store.getBallot(this.electionId, code.toLowerCase());
    if (ballot === undefined) {
      return err(
        new BallotBoxError(
          404,
          'ballot-not-found',
          `No ballot has the confirmation code ${code}; check the code on the screen.`,
        ),
      );
    }
    // A cast or challenged ballot keeps no booth session (see resolveBallot).
    if (ballot.state !== 'pending' || ballot.sessionId === undefined)
      return err(this.alreadyResolved(ballot));
    const session = await this.liveSession(stationId, ballot.sessionId);
    if (!session.ok) return session;
    if (ballot.sealedSecret === undefined) return err(this.alreadyResolved(ballot));
    const secret = openJson(
      this.runtime.keyring,
      ballot.sealedSecret,
      this.secretContext('ballot', ballot.confirmationCode),
    ) as { nonce: string; marks: Record<string, string[]> };
    return ok({ ballot, session: session.value, secret });
  }

  private alreadyResolved(ballot: StoredBallot): BallotBoxError {
    return new BallotBoxError(
      409,
      ballot.state === 'cast' ? 'ballot-already-cast' : 'ballot-already-challenged',
      `The ballot with confirmation code ${ballot.confirmationCode} has already been ${ballot.state === 'cast' ? 'cast' : 'challenged'}.`,
    );
  }

  /**
   * Casts the ballot: its state becomes CAST, the session ends (and is dropped from the
   * ballot), the nonce and marks are dropped, and the marks go to the paper ballot
   * records under a random id with no time and no link to the code (the VVPAT slip of a
   * ballot-polling audit). Its `ballot.cast` entry waits for the next shuffled batch
   * (publication.ts); this cast publishes the batch when it completes one.
   */
  async cast(stationId: string, code: string): Promise<Result<CastView, VigilError>> {
    const pending = await this.pendingBallot(stationId, code);
    if (!pending.ok) return pending;
    const { ballot, session, secret } = pending.value;
    const json = { ...(JSON.parse(ballot.encrypted) as Record<string, unknown>), state: 'CAST' };
    const ledgerIndex = await this.refusable(() =>
      this.store.transaction(async (tx) => {
        await this.lockPollsOpen(tx);
        const resolved = await tx.resolveBallot({
          electionId: this.electionId,
          confirmationCode: ballot.confirmationCode,
          state: 'cast',
          encrypted: JSON.stringify(json),
          ledgerEntry: JSON.stringify(
            this.entry(
              'ballot.cast',
              { actorId: 'voter', stationId },
              [`confirmation-code:${ballot.confirmationCode}`],
              { time: dayOf(this.now()) },
            ),
          ),
        });
        if (!resolved) {
          throw this.alreadyResolved(
            (await tx.getBallot(this.electionId, ballot.confirmationCode)) ?? ballot,
          );
        }
        await tx.endBoothSession(session.sessionId, 'cast');
        await tx.savePaperBallot({
          electionId: this.electionId,
          paperId: `paper-${randomBytes(12).toString('hex')}`,
          ballotStyleId: ballot.ballotStyleId,
          marks: secret.marks,
        });
        return (await this.publishDue(tx)).get(ballot.confirmationCode);
      }),
    );
    if (!ledgerIndex.ok) return ledgerIndex;
    // No record file is written now: its modification time would be the cast time. The
    // tally writes every ballot's file at once.
    return ok({
      confirmationCode: ballot.confirmationCode,
      status: 'cast',
      published: ledgerIndex.value !== undefined,
      ...(ledgerIndex.value === undefined ? {} : { ledgerIndex: ledgerIndex.value }),
      publicationBatch: this.publicationBatch,
    });
  }

  /**
   * Challenges the ballot (the Benaloh challenge): the primary nonce is revealed, every
   * ciphertext re-encrypted from it and compared (challenge.ts), and the marks shown to
   * the voter; the ballot is spoiled, to be decrypted by the guardians at the tally. The
   * session stays open for a fresh ballot.
   */
  async challenge(stationId: string, code: string): Promise<Result<ChallengeView, VigilError>> {
    const pending = await this.pendingBallot(stationId, code);
    if (!pending.ok) return pending;
    const { ballot, secret } = pending.value;
    const box = await this.box();
    if (box === undefined)
      return err(this.phaseError('key-ceremony-not-started', 'polls-open', 'challenge a ballot'));
    const opened = openWithNonce(
      this.context(box),
      ballotRecordOf(ballot),
      Buffer.from(secret.nonce, 'hex'),
    );
    const spoiled = await this.refusable(() =>
      this.store.transaction(async (tx) => {
        await this.lockPollsOpen(tx);
        await this.spoilInside(
          tx,
          ballot,
          opened.nonceCheck === 'matches'
            ? 'challenged by the voter'
            : 'challenged; nonce check failed',
        );
        await this.publishDue(tx);
      }),
    );
    if (!spoiled.ok) return spoiled;
    const marks = marksFromVotes(this.runtime.election, ballot.ballotStyleId, opened.votes);
    return ok({
      confirmationCode: ballot.confirmationCode,
      status: 'challenged',
      selections: summarize(this.runtime.election, ballot.ballotStyleId, marks),
      nonceCheck: opened.nonceCheck,
      primaryNonce: secret.nonce,
    });
  }

  // --- Tally and decryption (spec 2.0 §3.5, §3.6) -------------------------------------

  /** Writes every ballot and chain to the record and the homomorphic tally of the CAST ones. */
  async tally(actor: Actor): Promise<Result<BallotBoxStatus, VigilError>> {
    return this.queue.run('tally', async () => {
      const box = await this.requirePhase('polls-closed', 'tally');
      if (!box.ok) return box;
      // Closing the polls publishes the last batch, so this refuses only if that failed:
      // a tally must count exactly the ballots the public ledger shows.
      const unpublished = await this.store.countUnpublishedBallots(this.electionId);
      if (unpublished > 0) {
        return err(
          new BallotBoxError(
            409,
            'ballots-unpublished',
            `Cannot tally: ${unpublished} cast or challenged ballots are not yet in the public ledger.`,
            {
              hint: 'Their batch is published when the polls close; close the polls again or check the server log.',
            },
          ),
        );
      }
      const ballots = await this.store.listResolvedBallots(this.electionId);
      const { tally, sha256 } = await writeBallotsAndTally(this.recordDir, {
        ctx: this.context(box.value),
        manifest: this.manifest,
        baux0: this.baux0,
        ballots,
        tallyId: `tally-${this.electionId}`,
      });
      const at = this.now();
      const moved = await this.store.transaction(async (tx) => {
        if (
          !(await tx.setBallotBoxPhase(this.electionId, 'polls-closed', 'tallied', {
            talliedAt: at,
          }))
        )
          return false;
        await tx.appendLedgerEntries([
          this.entry('tally.accumulated', actor, [`sha256:${sha256}`], {
            detail: `${tally.castBallotIds.length} cast ballots`,
          }),
        ]);
        return true;
      });
      if (!moved)
        return err(
          this.phaseError((await this.box())?.phase ?? 'tallied', 'polls-closed', 'tally'),
        );
      return ok(await this.status());
    });
  }

  /**
   * The signed-in guardian releases their key share for the decryption. Once a quorum
   * has, the tally and every challenged ballot are decrypted with proofs by exactly the
   * guardians who released (Lagrange coefficients over them, §3.6.2), the record is
   * written and verified once, and the results are fixed.
   */
  async releaseShare(guardian: Actor): Promise<Result<ShareReleased, VigilError>> {
    const box = await this.requirePhase('tallied', 'release a decryption share');
    if (!box.ok) {
      if (box.error.reason === 'not-tallied' && (await this.box())?.phase === 'decrypted') {
        return err(
          new BallotBoxError(
            409,
            'tally-already-decrypted',
            'The tally has already been decrypted; no more shares are needed.',
          ),
        );
      }
      return box;
    }
    const mine = box.value.guardians.find((g) => g.guardianId === guardian.actorId);
    if (mine === undefined) {
      return err(
        new BallotBoxError(
          403,
          'not-a-guardian-here',
          `${guardian.actorId} is not one of the guardians of this election.`,
        ),
      );
    }
    const alreadyReleased = new BallotBoxError(
      409,
      'share-already-released',
      `Guardian ${guardian.actorId} has already released their share; each guardian does so once.`,
    );
    if (mine.shareReleasedAt !== undefined) {
      // A quorum released but still tallied means a decryption failed half-way (nothing
      // of it is stored before its last transaction): a guardian's retry runs it again.
      const released = box.value.guardians.filter((g) => g.shareReleasedAt !== undefined);
      if (released.length >= box.value.quorum) await this.decryptAndPublish(guardian);
      return err(alreadyReleased);
    }
    const released = await this.store.transaction(async (tx) => {
      if (!(await tx.releaseGuardianShare(this.electionId, mine.guardianId, this.now())))
        return false;
      await tx.appendLedgerEntries([
        this.entry('guardian.share.submitted', guardian, [`guardian:${mine.guardianId}`]),
      ]);
      return true;
    });
    if (!released) return err(alreadyReleased);
    const after = await this.box();
    const count = after?.guardians.filter((g) => g.shareReleasedAt !== undefined).length ?? 0;
    if (count >= box.value.quorum) await this.decryptAndPublish(guardian);
    return ok({
      guardianId: mine.guardianId,
      sharesReleased: count,
      quorum: box.value.quorum,
      phase: (await this.box())?.phase ?? 'tallied',
    });
  }

  private async decryptAndPublish(actor: Actor): Promise<void> {
    await this.queue.run('decrypt', async () => {
      const box = await this.box();
      if (box?.phase !== 'tallied') return;
      const ctx = this.context(box);
      const present: GuardianSecret[] = box.guardians
        .filter((g) => g.shareReleasedAt !== undefined)
        .map((g) => {
          if (g.sealedShare === undefined)
            throw new IntegrityError(`guardian ${g.guardianId} has no sealed share`);
          return {
            guardianId: g.guardianId,
            xCoordinate: g.xCoordinate,
            coefficients: [],
            proofs: proofsOf(g),
            secretShare: fromHex(
              openJson(
                this.runtime.keyring,
                g.sealedShare,
                this.secretContext('share', g.guardianId),
              ) as string,
            ),
          };
        });
      const record = await loadElectionRecord(this.recordDir);
      if (record.encryptedTally === undefined) {
        throw new IntegrityError(
          `the record of ${this.electionId} has no encrypted tally: ${record.problems.map((p) => p.message).join('; ')}`,
        );
      }
      const tally = decryptTally(ctx, present, record.encryptedTally);
      await writeTally(this.recordDir, tally);
      for (const ballot of record.ballots.filter((b) => b.state === 'SPOILED')) {
        const { decrypted, contestData } = decryptChallengedBallot(ctx, present, ballot);
        await writeChallengedBallot(this.recordDir, decrypted, contestData);
      }
      const report = await verifyRecord(this.recordDir, {
        strictManifestHash: true,
        ...(this.verifyWorkers === undefined ? {} : { workers: this.verifyWorkers }),
      });
      const verification = verificationView(report);
      const results = computeResults({
        election: this.runtime.election,
        tally,
        castCount: record.encryptedTally.castBallotIds.length,
        papers: await this.store.listPaperBallots(this.electionId),
        tieBreakSeed: box.extendedBaseHash ?? '',
      });
      const tallyHash = sha256Hex(await readFile(join(this.recordDir, 'tally.json')));
      const at = this.now();
      await this.store.transaction(async (tx) => {
        if (
          !(await tx.setBallotBoxPhase(this.electionId, 'tallied', 'decrypted', {
            decryptedAt: at,
            results: JSON.stringify(results),
            verification: JSON.stringify(verification),
          }))
        ) {
          return;
        }
        await tx.appendLedgerEntries([
          this.entry(
            'tally.decrypted',
            actor,
            [`sha256:${tallyHash}`, ...present.map((g) => `guardian:${g.guardianId}`)],
            {
              detail: `${present.length} of ${box.numberOfGuardians} guardians`,
            },
          ),
          this.entry('record.published', actor, [`sha256:${tallyHash}`], {
            detail: `${record.ballots.length} ballots, ${record.ballots.filter((b) => b.state === 'SPOILED').length} challenged`,
          }),
          this.entry('record.verified', actor, [`sha256:${tallyHash}`], {
            disposition: report.ok ? 'success' : 'failure',
            detail: `${report.steps.filter((s) => s.status === 'pass').length} of ${report.steps.length} verification steps pass`,
          }),
        ]);
      });
    });
  }

  // --- After decryption -------------------------------------------------------------

  private async decrypted(doing: string): Promise<Result<BallotBoxElection, BallotBoxError>> {
    const box = await this.box();
    if (box?.phase !== 'decrypted') {
      return err(
        new BallotBoxError(
          409,
          'not-decrypted',
          `The ${doing} is published once the guardians have decrypted the tally; the ballot box is in phase "${box?.phase ?? 'key-ceremony-not-started'}".`,
        ),
      );
    }
    return ok(box);
  }

  async results(): Promise<Result<ResultsView, BallotBoxError>> {
    const box = await this.decrypted('result');
    if (!box.ok) return box;
    return ok(JSON.parse(box.value.results ?? '{"contests":[],"castCount":0}') as ResultsView);
  }

  async verification(): Promise<Result<VerificationView, BallotBoxError>> {
    const box = await this.decrypted('verification report');
    if (!box.ok) return box;
    return ok(JSON.parse(box.value.verification ?? '{"ok":false,"steps":[]}') as VerificationView);
  }

  async recordZip(): Promise<Result<{ name: string; bytes: Uint8Array }, BallotBoxError>> {
    const box = await this.decrypted('election record');
    if (!box.ok) return box;
    const name = `election-record-${recordFolderName(this.electionId)}`;
    const at = (box.value.decryptedAt ?? box.value.ceremonyStartedAt).getTime();
    if (this.zip?.at !== at)
      this.zip = { at, bytes: await zipRecord(this.recordDir, name, new Date(at)) };
    return ok({ name, bytes: this.zip.bytes });
  }

  /**
   * A cast or challenged ballot by its code, for the bulletin board: published (with its
   * ledger index) or still waiting for its batch.
   */
  async findBallot(code: string): Promise<StoredBallot | undefined> {
    const ballot = await this.store.getBallot(this.electionId, code.toLowerCase());
    return ballot === undefined || ballot.state === 'pending' ? undefined : ballot;
  }

  async paperBallotIds(): Promise<readonly string[]> {
    return this.store.listPaperBallotIds(this.electionId);
  }

  async paperBallot(paperId: string) {
    return this.store.getPaperBallot(this.electionId, paperId);
  }
}
