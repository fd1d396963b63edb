import { randomUUID } from 'node:crypto';
import {
  thresholdForFmr,
  type FingerprintTemplate,
  type PreparedTemplate,
} from '@vigil/biometrics';
import {
  InvalidInputError,
  NotFoundError,
  VigilError,
  err,
  isSplitPrecinct,
  ok,
  sha256Hex,
  type Clock,
  type Election,
  type Result,
} from '@vigil/core';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type { OfficialRole, Store, StoreTransaction, VoterParticipation } from '@vigil/store';
import type { CredentialSigner } from './credentials.ts';
import { loadVoterTemplates } from './enrolment.ts';
import type { Keyring } from './keys.ts';
import { bestScore, inlineMatcher, type FingerprintMatcher } from './match-pool.ts';
import { journalCheckIn, stampCheckIn, type StationJournal } from './station-journal.ts';
import type { Voter } from './types.ts';

/**
 * Polling-station check-in (issue 8, point 3): find the voter, send a voter at the wrong
 * polling place to the right one, a bounded number of 1:1 fingerprint matches, then a
 * supervised override; the provisional-ballot path for people not on the roll; and the
 * "has voted" lock, taken exactly once across every station by one conditional insert
 * in the same transaction as its ledger entry. With a blinded message from the station,
 * the registry blind-signs the voter's one ballot credential in that transaction too.
 *
 * These functions take the store, a clock, the election definition and the station's
 * context as plain values: the HTTP layer authenticates the station and the officials
 * before calling them, and the roll is reached through the small `VoterDirectory`.
 */

/** What the caller has authenticated: an official and their role. */
export interface AuthenticatedOfficial {
  readonly officialId: string;
  readonly role: OfficialRole;
}

export interface StationContext {
  readonly stationId: string;
  /** The polling place the station serves: a precinct id of the election definition. */
  readonly pollingPlace: string;
  /** The official working the station. */
  readonly official: AuthenticatedOfficial;
}

/** The roll as check-in needs it (the registry's store and keyring behind it). */
export interface VoterDirectory {
  getVoter(voterId: string): Promise<Voter | undefined>;
  /** The voter's enrolled fingerprint templates, decrypted; empty when not enrolled. */
  loadTemplates(voterId: string): Promise<readonly FingerprintTemplate[]>;
}

/**
 * The directory over the registry's own store: the roll's `getVoter` and the enrolled
 * templates decrypted with the keyring. A template that does not decrypt (wrong master
 * key, altered record) is a broken installation, not a voter's problem: it throws.
 */
export function registryDirectory(store: Store, keyring: Keyring): VoterDirectory {
  return {
    getVoter: (voterId) => store.getVoter(voterId),
    async loadTemplates(voterId) {
      const templates = await loadVoterTemplates(store, keyring, voterId);
      if (templates.ok) return templates.value;
      if (templates.error instanceof NotFoundError) return [];
      throw templates.error;
    },
  };
}

export interface CheckInPolicy {
  /** Failed 1:1 matches allowed per voter, across stations, before an override. */
  readonly maxAttempts: number;
  /**
   * The false match rate wanted for one attempt (the probe against all of the voter's
   * enrolled fingers together). See `matchThreshold`.
   */
  readonly targetFmr: number;
  /** How long after the check-in the registry still signs its credential. */
  readonly credentialWindowMs: number;
}

export const DEFAULT_CHECKIN_POLICY: CheckInPolicy = {
  maxAttempts: 3,
  targetFmr: 1e-3,
  credentialWindowMs: 15 * 60_000,
};

export interface CheckInDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly election: Election;
  readonly voters: VoterDirectory;
  /** Needed to issue credentials; without it check-in only locks. */
  readonly signer?: CredentialSigner;
  readonly policy?: Partial<CheckInPolicy>;
  /** Set when `store` is a station's own database (offline operation). */
  readonly journal?: StationJournal;
  /**
   * Where the 1:1 matches run; default: in this thread. A server serving many stations
   * passes a `MatchPool`, so that matching runs on the other cores (match-pool.ts).
   */
  readonly matcher?: FingerprintMatcher;
}

/** Why a check-in did not go through. */
export type CheckInRefusalReason =
  | 'not-on-roll'
  | 'removed'
  | 'inactive'
  | 'blocked-duplicate'
  | 'wrong-polling-place'
  | 'roll-mismatch'
  | 'already-voted'
  | 'no-match'
  | 'attempts-exhausted'
  | 'not-enrolled'
  | 'override-refused'
  | 'override-not-needed'
  | 'on-the-roll'
  | 'credential-refused';

/** Where a voter at the wrong polling place must go. */
export interface PollingPlaceDirection {
  readonly precinctId: string;
  readonly precinctName: string;
  readonly splitId?: string;
  readonly splitName?: string;
}

export class CheckInRefusedError extends VigilError {
  readonly reason: CheckInRefusalReason;
  readonly goTo: PollingPlaceDirection | undefined;
  readonly attemptsLeft: number | undefined;
  constructor(
    reason: CheckInRefusalReason,
    message: string,
    options: {
      hint?: string;
      goTo?: PollingPlaceDirection;
      attemptsLeft?: number;
    } = {},
  ) {
    super(`checkin-${reason}`, message, options.hint === undefined ? {} : { hint: options.hint });
    this.name = 'CheckInRefusedError';
    this.reason = reason;
    this.goTo = options.goTo;
    this.attemptsLeft = options.attemptsLeft;
  }
}

export interface CheckInSuccess {
  readonly checkInId: string;
  readonly ballotStyleId: string;
  readonly method: 'biometric' | 'override';
  /** The match score of the accepted attempt (biometric check-in only). */
  readonly score?: number;
  /** RFC 9474 blind signature, when the station sent a blinded message. */
  readonly blindSignature?: Uint8Array;
  /**
   * Why no blind signature came back although a blinded message was sent; the check-in
   * stands, and the station may ask again with `issueCredential`.
   */
  readonly credentialRefused?: CheckInRefusedError;
}

function policyOf(deps: CheckInDeps): CheckInPolicy {
  const p = { ...DEFAULT_CHECKIN_POLICY, ...deps.policy };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) {
    throw new InvalidInputError(
      `maxAttempts must be a whole number of at least 1, not ${p.maxAttempts}.`,
    );
  }
  if (!(p.targetFmr > 0 && p.targetFmr < 1)) {
    throw new InvalidInputError(`targetFmr must be between 0 and 1, not ${p.targetFmr}.`);
  }
  return p;
}

/**
 * The score a probe must reach against the best of `enrolled` fingers. The probe is
 * compared with each enrolled finger and the best score taken, so an impostor has
 * `enrolled` chances: each comparison is held to targetFmr / enrolled (a union bound),
 * and the attempt as a whole to targetFmr.
 *
 * Why 1e-3 per attempt by default: @vigil/biometrics' README calibrates FMR 0.1% at score
 * 30.8 and finds it holds within a factor of two on the other FVC2002 sets, while its
 * 0.01% point (score 40) is an extrapolation DB1 does not support; with two enrolled
 * fingers the threshold is about 33.6 (FMR 5e-4 per comparison). An impostor also needs
 * the voter's id and a voter who has not yet voted, gets at most `maxAttempts` tries
 * (3: at most about 0.3%), and is found when the real voter comes (already voted, then
 * an incident); a genuine voter who fails (the README's FNMR at FMR 0.1% is 4 to 21%
 * per comparison) gets the supervised override with an ID check.
 */
export function matchThreshold(targetFmr: number, enrolled: number): number {
  return thresholdForFmr(targetFmr / Math.max(1, enrolled));
}

const PRINTABLE_ID = /^[\x21-\x7e]{1,200}$/;

/** How the ledger names a voter: the roll's id, or its hash when not a plain token. */
export function voterSubject(voterId: string): string {
  return PRINTABLE_ID.test(voterId) ? `voter:${voterId}` : `voter:sha256:${sha256Hex(voterId)}`;
}

function entry(
  deps: CheckInDeps,
  station: StationContext,
  type: Parameters<typeof eventIdOf>[0],
  disposition: 'success' | 'failure',
  subjects: readonly string[],
  detail?: string,
): LedgerEntry {
  return {
    eventId: eventIdOf(type),
    actorId: station.official.officialId,
    stationId: station.stationId,
    time: deps.clock.now().toISOString(),
    disposition,
    subjects: [`election:${deps.election.id}`, ...subjects],
    ...(detail === undefined ? {} : { detail }),
  };
}

/** Appends the entry, records the refusal, and returns it as an err. */
async function refuse(
  deps: CheckInDeps,
  ledgerEntry: LedgerEntry,
  error: CheckInRefusedError,
): Promise<Result<never, CheckInRefusedError>> {
  await deps.store.appendLedgerEntries([ledgerEntry]);
  return err(error);
}

function precinctDirection(
  election: Election,
  precinctId: string,
  splitId?: string,
): PollingPlaceDirection {
  const precinct = election.precincts.find((p) => p.id === precinctId);
  if (precinct === undefined) return { precinctId, precinctName: precinctId };
  const split =
    splitId !== undefined && isSplitPrecinct(precinct)
      ? precinct.splits.find((s) => s.id === splitId)
      : undefined;
  return {
    precinctId,
    precinctName: precinct.name,
    ...(split === undefined ? {} : { splitId: split.id, splitName: split.name }),
  };
}

function checkStation(election: Election, station: StationContext): void {
  if (!election.precincts.some((p) => p.id === station.pollingPlace)) {
    throw new InvalidInputError(
      `Station ${station.stationId} is set up for polling place "${station.pollingPlace}", which is not a precinct of election "${election.id}".`,
      {
        path: 'station.pollingPlace',
        hint: 'Register the station for a precinct of the loaded election.',
      },
    );
  }
}

/**
 * Who may check in here, before any biometric: on the roll, active, not blocked as a
 * duplicate, at their own polling place, with a ballot style the definition gives their
 * precinct (or split). Every refusal is a `checkin.refused` ledger entry.
 */
async function eligibleVoter(
  deps: CheckInDeps,
  station: StationContext,
  voterId: string,
): Promise<Result<Voter, CheckInRefusedError>> {
  const { election } = deps;
  checkStation(election, station);
  const voter = await deps.voters.getVoter(voterId);
  const refused = (reason: CheckInRefusalReason, error: CheckInRefusedError) =>
    refuse(
      deps,
      entry(deps, station, 'checkin.refused', 'failure', [voterSubject(voterId)], reason),
      error,
    );
  if (voter === undefined) {
    return refused(
      'not-on-roll',
      new CheckInRefusedError('not-on-roll', `No voter with id "${voterId}" is on the roll.`, {
        hint: 'Search the roll by name and date of birth; if the person is not on it, issue a provisional ballot.',
      }),
    );
  }
  if (voter.status === 'removed' || voter.status === 'inactive') {
    return refused(
      voter.status,
      new CheckInRefusedError(
        voter.status,
        `Voter "${voterId}" is ${voter.status} on the roll and cannot check in.`,
        {
          hint: 'Offer a provisional ballot; the registrar reviews it after polls close.',
        },
      ),
    );
  }
  if (voter.blockedAsDuplicateOf !== undefined) {
    return refused(
      'blocked-duplicate',
      new CheckInRefusedError(
        'blocked-duplicate',
        `Voter record "${voterId}" is blocked: an official found it to be the same person as record "${voter.blockedAsDuplicateOf}".`,
        {
          hint: `Check the person in under record "${voter.blockedAsDuplicateOf}", or call the registrar.`,
        },
      ),
    );
  }
  if (voter.precinctId !== station.pollingPlace) {
    const goTo = precinctDirection(election, voter.precinctId, voter.splitId);
    const where =
      goTo.splitName === undefined ? goTo.precinctName : `${goTo.precinctName} (${goTo.splitName})`;
    return refused(
      'wrong-polling-place',
      new CheckInRefusedError(
        'wrong-polling-place',
        `Voter "${voterId}" votes in precinct ${where}, not at this polling place: send them to the polling place of precinct ${goTo.precinctId}.`,
        { goTo, hint: 'A voter who cannot get there in time may vote a provisional ballot here.' },
      ),
    );
  }
  const style = election.ballotStyles.find((s) => s.id === voter.ballotStyleId);
  const fits = style?.precincts.some(
    (p) =>
      p.precinctId === voter.precinctId &&
      (p.splitId ?? undefined) === (voter.splitId ?? undefined),
  );
  if (fits !== true) {
    return refused(
      'roll-mismatch',
      new CheckInRefusedError(
        'roll-mismatch',
        `Voter "${voterId}" is assigned ballot style "${voter.ballotStyleId}", which the election definition does not give precinct ${voter.precinctId}${voter.splitId === undefined ? '' : ` split ${voter.splitId}`}.`,
        { hint: 'Call the registrar to correct the record; meanwhile offer a provisional ballot.' },
      ),
    );
  }
  return ok(voter);
}

/** Refuses, with a `checkin.duplicate.refused` entry, a voter who has already voted. */
async function alreadyVoted(
  deps: CheckInDeps,
  station: StationContext,
  existing: VoterParticipation,
): Promise<Result<never, CheckInRefusedError>> {
  return refuse(
    deps,
    entry(deps, station, 'checkin.duplicate.refused', 'failure', [
      voterSubject(existing.voterId),
      `checkin:${existing.checkInId}`,
    ]),
    new CheckInRefusedError(
      'already-voted',
      `Voter "${existing.voterId}" already checked in, at station ${existing.stationId} at ${existing.checkedInAt.toISOString()}.`,
      { hint: 'Do not issue a ballot. If the person disputes it, call the supervisor.' },
    ),
  );
}

/**
 * Takes the "has voted" lock and, with a blinded message, signs the credential: in the
 * caller's transaction, with the check-in's ledger entries. Err with the participation
 * that holds the lock when another check-in has it (the caller reports already-voted).
 *
 * The signature is made before the lock, and the lock is inserted with the credential
 * already marked issued: one conditional insert takes the lock and flips the flag, in
 * the transaction that appends their ledger entries, so the flag still flips once and
 * only for the check-in that holds the lock. A signature made for a lock that is lost
 * is dropped here and never leaves the registry.
 */
async function lockAndIssue(
  deps: CheckInDeps,
  tx: StoreTransaction,
  station: StationContext,
  participation: VoterParticipation,
  entries: readonly LedgerEntry[],
  blindedMessage: Uint8Array | undefined,
): Promise<Result<CredentialOutcome, VoterParticipation>> {
  const hlc = deps.journal === undefined ? undefined : stampCheckIn(deps.journal);
  const signed =
    blindedMessage === undefined
      ? undefined
      : signCredential(deps, participation.ballotStyleId, blindedMessage);
  const stamped: VoterParticipation = {
    ...participation,
    ...(hlc === undefined ? {} : { hlc }),
    credentialIssued: signed?.ok === true,
  };
  const lock = await tx.lockVoterParticipation(stamped);
  if (!lock.locked) return err(lock.existing);
  if (deps.journal !== undefined && hlc !== undefined) {
    await journalCheckIn(tx, deps.journal, { ...stamped, hlc });
  }
  const recorded: LedgerEntry[] = [
    ...entries,
    entry(deps, station, 'checkin.completed', 'success', [
      voterSubject(participation.voterId),
      `checkin:${participation.checkInId}`,
      `ballot-style:${participation.ballotStyleId}`,
      ...(hlc === undefined ? [] : [`hlc:${hlc}`]),
    ]),
  ];
  if (signed !== undefined) {
    recorded.push(credentialEntry(deps, station, participation.ballotStyleId, signed.ok));
  }
  // One append, last: on PostgreSQL it locks the ledger until the commit, so every other
  // write of the check-in is done before it.
  await tx.appendLedgerEntries(recorded);
  if (signed === undefined) return ok({});
  // A bad blinded message must not undo the check-in: the voter did check in, and the
  // station asks for the credential again with `issueCredential`.
  return ok(signed.ok ? { blindSignature: signed.value } : { credentialRefused: signed.error });
}

/** What became of the credential asked for with a check-in. */
interface CredentialOutcome {
  readonly blindSignature?: Uint8Array;
  readonly credentialRefused?: CheckInRefusedError;
}

function credentialFields(o: CredentialOutcome): CredentialOutcome {
  return {
    ...(o.blindSignature === undefined ? {} : { blindSignature: o.blindSignature }),
    ...(o.credentialRefused === undefined ? {} : { credentialRefused: o.credentialRefused }),
  };
}

/** The ledger entry of a credential issued (with the key's id) or refused. */
function credentialEntry(
  deps: CheckInDeps,
  station: StationContext,
  ballotStyleId: string,
  issued: boolean,
): LedgerEntry {
  const subjects = [`ballot-style:${ballotStyleId}`];
  if (!issued) return entry(deps, station, 'credential.issued', 'failure', subjects, 'refused');
  const key = deps.signer?.publicKeys.get(ballotStyleId);
  return entry(deps, station, 'credential.issued', 'success', [
    ...subjects,
    ...(key === undefined ? [] : [`key:sha256:${key.keyId}`]),
  ]);
}

/** The blind signature on `blindedMessage` under the ballot style's key (no state change). */
function signCredential(
  deps: CheckInDeps,
  ballotStyleId: string,
  blindedMessage: Uint8Array,
): Result<Uint8Array, CheckInRefusedError> {
  const { signer } = deps;
  if (signer?.electionId !== deps.election.id) {
    return err(
      new CheckInRefusedError(
        'credential-refused',
        'This registry has no credential keys open for the election, so it cannot issue a ballot credential.',
        { hint: 'Start the registry with the master key and the election credential keys.' },
      ),
    );
  }
  const signature = signer.blindSign(ballotStyleId, blindedMessage);
  return signature.ok
    ? signature
    : err(new CheckInRefusedError('credential-refused', signature.error.message));
}

/**
 * One blind signature for an existing check-in: the conditional flip of
 * credential_issued. Its ledger entry goes to `recorded`, for the caller to append.
 */
async function signInTransaction(
  deps: CheckInDeps,
  tx: StoreTransaction,
  station: StationContext,
  participation: VoterParticipation,
  blindedMessage: Uint8Array,
  recorded: LedgerEntry[],
): Promise<Result<Uint8Array, CheckInRefusedError>> {
  // Sign first (it can fail on bad input), then flip the flag: both in this transaction.
  const signed = signCredential(deps, participation.ballotStyleId, blindedMessage);
  const issued =
    signed.ok && (await tx.markCredentialIssued(participation.electionId, participation.checkInId));
  recorded.push(credentialEntry(deps, station, participation.ballotStyleId, issued));
  if (!signed.ok) return signed;
  if (!issued) {
    return err(
      new CheckInRefusedError(
        'credential-refused',
        `A ballot credential was already issued for check-in ${participation.checkInId}; only one is issued per check-in.`,
      ),
    );
  }
  return signed;
}

/**
 * Checks a voter in with a 1:1 fingerprint match. `fingerprint` is the probe captured
 * at the station; the voter's enrolled templates come from `deps.voters`. Each attempt is
 * numbered per voter across stations and recorded with its ledger entry; a voter who
 * has used `maxAttempts` failed attempts needs `overrideCheckIn`. On a match the voter
 * is locked as having voted (exactly once across stations) and, when `blindedMessage` is
 * given, the registry returns its blind signature on it (one per check-in).
 *
 * @example
 *   const r = await checkIn(deps, station, { voterId: 'OH-1001', fingerprint });
 *   if (!r.ok && r.error.reason === 'wrong-polling-place') show(r.error.goTo);
 */
export async function checkIn(
  deps: CheckInDeps,
  station: StationContext,
  request: {
    readonly voterId: string;
    readonly fingerprint: FingerprintTemplate | PreparedTemplate;
    readonly blindedMessage?: Uint8Array;
  },
): Promise<Result<CheckInSuccess, CheckInRefusedError>> {
  const policy = policyOf(deps);
  const electionId = deps.election.id;
  const voter = await eligibleVoter(deps, station, request.voterId);
  if (!voter.ok) return voter;
  const { voterId, ballotStyleId } = voter.value;
  // Whether the voter has voted is read in the transaction below, before any attempt is
  // claimed; reading it here as well would cost every check-in a query (a round trip on
  // PostgreSQL) to spare a match for the rare voter who comes back.
  const templates = await deps.voters.loadTemplates(voterId);
  if (templates.length === 0) {
    const before = await deps.store.getVoterParticipation(electionId, voterId);
    if (before !== undefined) return alreadyVoted(deps, station, before);
    return refuse(
      deps,
      entry(deps, station, 'checkin.refused', 'failure', [voterSubject(voterId)], 'not-enrolled'),
      new CheckInRefusedError(
        'not-enrolled',
        `Voter "${voterId}" has no enrolled fingerprints to match.`,
        {
          hint: 'Check their ID document and check them in with a supervisor (override).',
        },
      ),
    );
  }
  // The threshold counts every enrolled finger (see matchThreshold), so stopping at the
  // first finger that reaches it changes no decision, only the time taken. A probe the
  // caller already prepared is matched here: its edge tables are not worth shipping.
  const threshold = matchThreshold(policy.targetFmr, templates.length);
  const { fingerprint } = request;
  const score =
    'edgeFrom' in fingerprint
      ? bestScore(fingerprint, templates, threshold)
      : await (deps.matcher ?? inlineMatcher).bestScore(fingerprint, templates, threshold);
  const matched = score >= threshold;
  const checkInId = randomUUID();
  const now = deps.clock.now();

  type Outcome =
    | { kind: 'exhausted'; failed: number }
    | { kind: 'taken' }
    | { kind: 'no-match'; attemptNo: number; failed: number }
    | { kind: 'voted'; existing: VoterParticipation }
    | ({ kind: 'done' } & CredentialOutcome);

  // Attempt numbers are claimed by conditional insert: when two stations claim the same
  // number at once, one retries with the next, so the bound holds across stations.
  for (let retry = 0; retry < 32; retry++) {
    const outcome = await deps.store.transaction(async (tx): Promise<Outcome> => {
      // A station that lost the race for an attempt number retries here: if the winner
      // checked the voter in meanwhile, this one stops at once.
      const { participation: voted, attempts: counts } = await tx.getCheckInStatus(
        electionId,
        voterId,
      );
      if (voted !== undefined) return { kind: 'voted', existing: voted };
      if (counts.failed >= policy.maxAttempts) return { kind: 'exhausted', failed: counts.failed };
      const attemptNo = counts.total + 1;
      const claimed = await tx.recordCheckInAttempt({
        electionId,
        voterId,
        attemptNo,
        stationId: station.stationId,
        officialId: station.official.officialId,
        outcome: matched ? 'match' : 'no-match',
        score,
        attemptedAt: now,
      });
      if (!claimed) return { kind: 'taken' };
      const attempted = entry(
        deps,
        station,
        'checkin.match.attempted',
        matched ? 'success' : 'failure',
        [voterSubject(voterId), `attempt:${attemptNo}`],
      );
      if (!matched) {
        await tx.appendLedgerEntries([attempted]);
        return { kind: 'no-match', attemptNo, failed: counts.failed + 1 };
      }
      const locked = await lockAndIssue(
        deps,
        tx,
        station,
        {
          electionId,
          voterId,
          checkInId,
          stationId: station.stationId,
          officialId: station.official.officialId,
          method: 'biometric',
          ballotStyleId,
          checkedInAt: now,
          credentialIssued: false,
        },
        [attempted],
        request.blindedMessage,
      );
      if (!locked.ok) {
        await tx.appendLedgerEntries([attempted]);
        return { kind: 'voted', existing: locked.error };
      }
      return { kind: 'done', ...locked.value };
    });
    switch (outcome.kind) {
      case 'taken':
        continue;
      case 'exhausted':
        return refuse(
          deps,
          entry(
            deps,
            station,
            'checkin.refused',
            'failure',
            [voterSubject(voterId)],
            'attempts-exhausted',
          ),
          new CheckInRefusedError(
            'attempts-exhausted',
            `Voter "${voterId}" has used all ${policy.maxAttempts} fingerprint attempts.`,
            {
              hint: 'A supervisor can check them in after checking an ID document (override).',
              attemptsLeft: 0,
            },
          ),
        );
      case 'no-match': {
        const attemptsLeft = Math.max(0, policy.maxAttempts - outcome.failed);
        return err(
          new CheckInRefusedError(
            'no-match',
            `The fingerprint did not match voter "${voterId}" (attempt ${outcome.attemptNo}; ${attemptsLeft} left).`,
            {
              hint:
                attemptsLeft > 0
                  ? 'Clean the sensor and the finger, place it flat, and try again.'
                  : 'A supervisor can check them in after checking an ID document (override).',
              attemptsLeft,
            },
          ),
        );
      }
      case 'voted':
        return alreadyVoted(deps, station, outcome.existing);
      case 'done':
        return ok({
          checkInId,
          ballotStyleId,
          method: 'biometric',
          score,
          ...credentialFields(outcome),
        });
    }
  }
  throw new Error(`could not claim an attempt number for voter ${voterId} after 32 tries`);
}

/**
 * The supervised override, after the fingerprint attempts are used up (or for a voter
 * with no enrolled fingerprints): a second official, with the supervisor role, already
 * authenticated by the caller and not the poll worker, a reason, and the note that an ID
 * document was checked. Refused (with a failed `checkin.override` entry) otherwise.
 */
export async function overrideCheckIn(
  deps: CheckInDeps,
  station: StationContext,
  request: {
    readonly voterId: string;
    readonly supervisor?: AuthenticatedOfficial;
    readonly reason: string;
    readonly idDocumentChecked: boolean;
    readonly blindedMessage?: Uint8Array;
  },
): Promise<Result<CheckInSuccess, CheckInRefusedError>> {
  const policy = policyOf(deps);
  const electionId = deps.election.id;
  const { supervisor } = request;
  const reason = request.reason.trim();
  const overrideRefused = (why: string, message: string) =>
    refuse(
      deps,
      entry(deps, station, 'checkin.override', 'failure', [voterSubject(request.voterId)], why),
      new CheckInRefusedError('override-refused', message),
    );
  if (supervisor === undefined) {
    return overrideRefused(
      'no-second-official',
      'An override needs a second official: a supervisor must sign in to approve it.',
    );
  }
  if (supervisor.officialId === station.official.officialId) {
    return overrideRefused(
      'same-official',
      'The official approving an override must be a different person from the poll worker.',
    );
  }
  if (supervisor.role !== 'supervisor') {
    return overrideRefused(
      'not-a-supervisor',
      `Official ${supervisor.officialId} has the role ${supervisor.role}; only a supervisor may approve an override.`,
    );
  }
  if (reason.length === 0) {
    return overrideRefused(
      'no-reason',
      'An override needs a reason (for example: worn fingerprints).',
    );
  }
  if (!request.idDocumentChecked) {
    return overrideRefused(
      'no-id-check',
      "An override needs the voter's ID document checked first; confirm that it was.",
    );
  }
  const voter = await eligibleVoter(deps, station, request.voterId);
  if (!voter.ok) return voter;
  const { voterId, ballotStyleId } = voter.value;
  const before = await deps.store.getVoterParticipation(electionId, voterId);
  if (before !== undefined) return alreadyVoted(deps, station, before);
  const counts = await deps.store.countCheckInAttempts(electionId, voterId);
  if (counts.failed < policy.maxAttempts) {
    const enrolled = await deps.voters.loadTemplates(voterId);
    if (enrolled.length > 0) {
      const left = policy.maxAttempts - counts.failed;
      return refuse(
        deps,
        entry(
          deps,
          station,
          'checkin.override',
          'failure',
          [voterSubject(voterId)],
          'attempts-left',
        ),
        new CheckInRefusedError(
          'override-not-needed',
          `Voter "${voterId}" still has ${left} fingerprint attempt${left === 1 ? '' : 's'}; the override comes after them.`,
          { attemptsLeft: left },
        ),
      );
    }
  }
  const checkInId = randomUUID();
  const outcome = await deps.store.transaction((tx) =>
    lockAndIssue(
      deps,
      tx,
      station,
      {
        electionId,
        voterId,
        checkInId,
        stationId: station.stationId,
        officialId: station.official.officialId,
        method: 'override',
        supervisorId: supervisor.officialId,
        overrideReason: reason,
        ballotStyleId,
        checkedInAt: deps.clock.now(),
        credentialIssued: false,
      },
      [
        entry(
          deps,
          station,
          'checkin.override',
          'success',
          [
            voterSubject(voterId),
            `checkin:${checkInId}`,
            `supervisor:${supervisor.officialId}`,
            // The reason is free text and may name the person: the ledger gets its hash.
            `reason:sha256:${sha256Hex(reason)}`,
          ],
          'id document checked',
        ),
      ],
      request.blindedMessage,
    ),
  );
  if (!outcome.ok) return alreadyVoted(deps, station, outcome.error);
  return ok({ checkInId, ballotStyleId, method: 'override', ...credentialFields(outcome.value) });
}

/**
 * Signs the credential of a check-in made without a blinded message (or whose signing
 * failed): only for the station that made the check-in, within the policy's window, and
 * only once per check-in (a conditional update). Err `credential-refused` otherwise.
 */
export async function issueCredential(
  deps: CheckInDeps,
  station: StationContext,
  request: {
    readonly voterId: string;
    readonly checkInId: string;
    readonly blindedMessage: Uint8Array;
  },
): Promise<Result<Uint8Array, CheckInRefusedError>> {
  const policy = policyOf(deps);
  const participation = await deps.store.getVoterParticipation(deps.election.id, request.voterId);
  const refused = (message: string) =>
    refuse(
      deps,
      entry(deps, station, 'credential.issued', 'failure', [], 'refused'),
      new CheckInRefusedError('credential-refused', message),
    );
  if (participation?.checkInId !== request.checkInId) {
    return refused(
      `Check-in ${request.checkInId} of voter "${request.voterId}" does not exist; check the voter in first.`,
    );
  }
  if (participation.stationId !== station.stationId) {
    return refused(
      `Check-in ${request.checkInId} was made at another station; only that station may ask for its credential.`,
    );
  }
  if (participation.credentialIssued) {
    return refused(
      `A ballot credential was already issued for check-in ${request.checkInId}; only one is issued per check-in.`,
    );
  }
  const age = deps.clock.now().getTime() - participation.checkedInAt.getTime();
  if (age > policy.credentialWindowMs) {
    return refused(
      `Check-in ${request.checkInId} is ${Math.round(age / 60_000)} minutes old; credentials are issued only within ${Math.round(policy.credentialWindowMs / 60_000)} minutes of check-in.`,
    );
  }
  return deps.store.transaction(async (tx) => {
    const recorded: LedgerEntry[] = [];
    const signed = await signInTransaction(
      deps,
      tx,
      station,
      participation,
      request.blindedMessage,
      recorded,
    );
    await tx.appendLedgerEntries(recorded);
    return signed;
  });
}

export interface ProvisionalBallot {
  readonly envelopeId: string;
  readonly precinctId: string;
  readonly ballotStyleId: string;
}

/**
 * The provisional-ballot path: a person not on the roll (or inactive, or removed) votes
 * a provisional ballot of this polling place, sealed in an envelope the registrar
 * reviews after polls close. No regular credential is issued, so the ballot never enters
 * the regular ballot box. Refused for a voter who can check in normally.
 */
export async function issueProvisionalBallot(
  deps: CheckInDeps,
  station: StationContext,
  request: {
    /** The id the person gave, when they gave one. */
    readonly claimedVoterId?: string;
    readonly reason: string;
    /** Needed when the polling place's precinct has more than one ballot style. */
    readonly ballotStyleId?: string;
  },
): Promise<Result<ProvisionalBallot, CheckInRefusedError | InvalidInputError>> {
  const { election } = deps;
  checkStation(election, station);
  if (request.claimedVoterId !== undefined) {
    const voter = await deps.voters.getVoter(request.claimedVoterId);
    if (voter?.status === 'active' && voter.blockedAsDuplicateOf === undefined) {
      return refuse(
        deps,
        entry(
          deps,
          station,
          'checkin.provisional',
          'failure',
          [voterSubject(voter.voterId)],
          'on-the-roll',
        ),
        new CheckInRefusedError(
          'on-the-roll',
          `Voter "${voter.voterId}" is on the roll and active: check them in rather than issuing a provisional ballot.`,
        ),
      );
    }
  }
  const styles = election.ballotStyles.filter((s) =>
    s.precincts.some((p) => p.precinctId === station.pollingPlace),
  );
  const style =
    request.ballotStyleId === undefined
      ? styles.length === 1
        ? styles[0]
        : undefined
      : styles.find((s) => s.id === request.ballotStyleId);
  if (style === undefined) {
    return err(
      new InvalidInputError(
        request.ballotStyleId === undefined
          ? `Polling place ${station.pollingPlace} has ${styles.length} ballot styles (${styles.map((s) => s.id).join(', ')}); say which one the provisional voter gets.`
          : `Ballot style "${request.ballotStyleId}" is not one of polling place ${station.pollingPlace} (${styles.map((s) => s.id).join(', ')}).`,
        { path: 'ballotStyleId' },
      ),
    );
  }
  if (request.reason.trim().length === 0) {
    return err(
      new InvalidInputError(
        'A provisional ballot needs a reason (for example: not found on the roll).',
        { path: 'reason' },
      ),
    );
  }
  const envelopeId = `pv-${randomUUID()}`;
  await deps.store.transaction(async (tx) => {
    await tx.saveProvisionalBallot({
      envelopeId,
      electionId: election.id,
      stationId: station.stationId,
      officialId: station.official.officialId,
      precinctId: station.pollingPlace,
      ballotStyleId: style.id,
      ...(request.claimedVoterId === undefined ? {} : { claimedVoterId: request.claimedVoterId }),
      reason: request.reason.trim(),
      createdAt: deps.clock.now(),
    });
    await tx.appendLedgerEntries([
      entry(deps, station, 'checkin.provisional', 'success', [
        `envelope:${envelopeId}`,
        `precinct:${station.pollingPlace}`,
        `ballot-style:${style.id}`,
      ]),
    ]);
  });
  return ok({ envelopeId, precinctId: station.pollingPlace, ballotStyleId: style.id });
}
