import { seededRandom } from '@vigil/core';
import { mixSeed } from '@vigil/biometrics';
import {
  finishCredential,
  requestCredential,
  type BallotCredential,
  type CredentialPublicKey,
  type FingerPosition,
} from '@vigil/registry';
import { problemOf, type Caller, type DemoApi } from './api.ts';
import type { PollingPlace } from './office.ts';
import {
  base64,
  DEMO_FINGERS,
  fingerRecord,
  type DemoPopulation,
  type DemoRecord,
} from './people.ts';
import type { ProgressBar } from './progress.ts';

/**
 * Election day at the polling stations, through the check-in API: who comes, who stays
 * home, who tries to vote as someone else, and what the station does in each case. A
 * voter who checks in takes away a blind-signed ballot credential (RFC 9474: the station
 * blinds a fresh token, the registry signs it blind, the station unblinds it), which the
 * booth half of the day (`vote`) spends.
 */

/** One person coming to a station. */
export interface Arrival {
  readonly kind: 'voter' | 'impostor' | 'twin';
  /** The record whose id is given at the desk. */
  readonly record: DemoRecord;
  /** The person whose fingers touch the scanner. */
  readonly person: number;
}

export interface DayPlan {
  readonly arrivals: readonly Arrival[];
  readonly noShows: number;
}

/**
 * Who comes: about 85% of the voters (in a seeded random order); a few impostors, each
 * giving another voter's id with their own finger, ahead of that voter; and every
 * person registered twice trying the second record as well.
 */
export function planDay(population: DemoPopulation, seed: number): DayPlan {
  const random = seededRandom(mixSeed(seed, 0x646179));
  const voters = population.voters;
  const coming = voters.filter(() => random() < 0.85);
  for (let i = coming.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [coming[i], coming[j]] = [coming[j]!, coming[i]!];
  }
  const arrivals: Arrival[] = coming.map((record) => ({
    kind: 'voter',
    record,
    person: record.person,
  }));
  const impostors = Math.max(1, Math.round(voters.length * 0.01));
  const victims = new Set<string>();
  for (let k = 0; k < impostors && arrivals.length > 1; k++) {
    // The victim is someone who comes later in the day; the impostor, another voter,
    // comes earlier with the victim's name and their own finger.
    const at = Math.floor(arrivals.length / 2 + random() * (arrivals.length / 2));
    const victim = arrivals[at]!.record;
    if (victims.has(victim.voterId)) continue;
    victims.add(victim.voterId);
    let person = Math.floor(random() * voters.length);
    if (person === victim.person) person = (person + 1) % voters.length;
    arrivals.splice(Math.floor(random() * at), 0, { kind: 'impostor', record: victim, person });
  }
  for (const twin of population.duplicates) {
    arrivals.splice(Math.floor(random() * (arrivals.length + 1)), 0, {
      kind: 'twin',
      record: twin,
      person: twin.person,
    });
  }
  return { arrivals, noShows: voters.length - coming.length };
}

export interface CheckInFigures {
  readonly arrivals: number;
  readonly noShows: number;
  /** Checked in by a fingerprint match on the first attempt. */
  readonly matchedFirstTry: number;
  /** Checked in by a match after one or two failed attempts. */
  readonly matchedAfterRetry: number;
  /** Failed 1:1 attempts, all arrivals together. */
  readonly failedAttempts: number;
  /** Checked in by the supervised override after the attempts were used up. */
  readonly overridden: number;
  /** Impostors turned away (every attempt refused, no ID to show for an override). */
  readonly impostorsRefused: number;
  /** Impostors a false match let in (counted honestly; each would be caught later). */
  readonly impostorsAccepted: number;
  /** Refused because the voter had already checked in (the once-only lock). */
  readonly alreadyVoted: number;
  /** Second records of a person, refused as blocked duplicates. */
  readonly blockedDuplicates: number;
  /** Other refusals, by reason. */
  readonly otherRefusals: Readonly<Record<string, number>>;
  /** Blind signatures received and unblinded into valid credentials. */
  readonly credentials: number;
}

export interface CheckedIn {
  readonly record: DemoRecord;
  readonly credential: BallotCredential;
  readonly place: PollingPlace;
}

interface StationView {
  readonly places: ReadonlyMap<string, PollingPlace>;
  readonly keys: ReadonlyMap<string, CredentialPublicKey>;
  readonly seed: number;
}

/** The ballot-style keys the registry publishes (GET /api/registry). */
export async function credentialKeys(api: DemoApi): Promise<Map<string, CredentialPublicKey>> {
  const published = await api.get<{
    electionId: string;
    credentialKeys: { ballotStyleId: string; keyId: string; spki: string }[];
  }>('/api/registry');
  return new Map(
    published.credentialKeys.map((k) => [
      k.ballotStyleId,
      {
        electionId: published.electionId,
        ballotStyleId: k.ballotStyleId,
        keyId: k.keyId,
        spki: new Uint8Array(Buffer.from(k.spki, 'base64')),
      },
    ]),
  );
}

type Tally = { -readonly [K in keyof CheckInFigures]: CheckInFigures[K] } & {
  otherRefusals: Record<string, number>;
};

/** Probe k of an arrival: impressions 1, 2, 3 alternating between the two enrolled fingers. */
function probe(
  seed: number,
  person: number,
  attempt: number,
): { position: FingerPosition; bytes: Uint8Array } {
  const position = DEMO_FINGERS[attempt % DEMO_FINGERS.length]!;
  return { position, bytes: fingerRecord(seed, person, position, attempt + 1) };
}

interface CheckInAnswer {
  checkInId: string;
  ballotStyleId: string;
  method: 'biometric' | 'override';
  blindSignature?: string;
}

/**
 * One arrival at the desk: the search, up to three fingerprint attempts, and for a real
 * voter whose attempts are used up, the supervised override with an ID check. Returns
 * the voter's credential when they were checked in.
 */
async function serve(
  api: DemoApi,
  view: StationView,
  arrival: Arrival,
  tally: Tally,
): Promise<CheckedIn | undefined> {
  const { record } = arrival;
  const place = view.places.get(record.precinctId);
  if (place === undefined) throw new Error(`no polling place for precinct ${record.precinctId}`);
  const desk: Caller = place.desk;
  const found = await api.get<{ voters: { voterId: string; ballotStyleId: string }[] }>(
    `/api/voters?voterId=${encodeURIComponent(record.voterId)}`,
    desk,
  );
  const ballotStyleId = found.voters[0]?.ballotStyleId;
  const key = ballotStyleId === undefined ? undefined : view.keys.get(ballotStyleId);
  if (key === undefined) {
    tally.otherRefusals['not-found'] = (tally.otherRefusals['not-found'] ?? 0) + 1;
    return undefined;
  }
  const finish = async (
    answer: CheckInAnswer,
    pending: Awaited<ReturnType<typeof requestCredential>>['pending'],
  ) => {
    if (answer.blindSignature === undefined) return undefined;
    const credential = await finishCredential(
      pending,
      new Uint8Array(Buffer.from(answer.blindSignature, 'base64')),
    );
    if (!credential.ok) throw credential.error;
    tally.credentials++;
    return { record, credential: credential.value, place };
  };
  // One blinded token per visit: the registry signs it only when the voter is checked in,
  // so the retries and the override send the same one.
  const request = await requestCredential(key);
  for (let attempt = 0; ; attempt++) {
    const { bytes } = probe(view.seed, arrival.person, attempt);
    const answer = await api.call<CheckInAnswer>('POST', '/api/checkins', {
      ...desk,
      body: {
        voterId: record.voterId,
        fingerprint: { template: base64(bytes) },
        blindedMessage: base64(request.blindedMessage),
      },
    });
    if (answer.status === 201) {
      if (arrival.kind === 'impostor') tally.impostorsAccepted++;
      else if (attempt === 0) tally.matchedFirstTry++;
      else tally.matchedAfterRetry++;
      return finish(answer.body, request.pending);
    }
    const reason = problemOf(answer.body)?.reason ?? `status ${answer.status}`;
    if (reason === 'no-match') {
      tally.failedAttempts++;
      if ((problemOf(answer.body)?.attemptsLeft ?? 0) > 0) continue;
    } else if (reason === 'already-voted') {
      tally.alreadyVoted++;
      return undefined;
    } else if (reason === 'blocked-duplicate') {
      tally.blockedDuplicates++;
      return undefined;
    } else if (reason !== 'attempts-exhausted') {
      tally.otherRefusals[reason] = (tally.otherRefusals[reason] ?? 0) + 1;
      return undefined;
    }
    // Attempts used up. An impostor cannot show the voter's ID document: turned away.
    if (arrival.kind !== 'voter') {
      tally.impostorsRefused++;
      return undefined;
    }
    // A real voter shows their ID; the supervisor confirms the override with their own
    // id and password (the second official of the override API).
    const override = await api.call<CheckInAnswer>('POST', '/api/checkins/override', {
      ...desk,
      secondOfficial: place.supervisor,
      body: {
        voterId: record.voterId,
        reason: 'Fingerprint not matched after three attempts; ID document checked.',
        idDocumentChecked: true,
        blindedMessage: base64(request.blindedMessage),
      },
    });
    if (override.status !== 201) {
      const why =
        problemOf(override.body)?.reason ??
        problemOf(override.body)?.code ??
        `status ${override.status}`;
      tally.otherRefusals[`override ${why}`] = (tally.otherRefusals[`override ${why}`] ?? 0) + 1;
      return undefined;
    }
    tally.overridden++;
    return finish(override.body, request.pending);
  }
}

/**
 * Serves every arrival: each polling place's desk takes its own queue in order (so an
 * impostor who comes first uses up the voter's attempts before the voter arrives), the
 * places work at once, and each voter checked in goes on to `vote` (the booth) while the
 * desk serves the next, with at most `booths` voters in booths at a time.
 */
export async function runPollingDay(
  api: DemoApi,
  view: StationView,
  plan: DayPlan,
  options: { readonly booths: number; readonly vote?: (voter: CheckedIn) => Promise<void> },
  bar: ProgressBar,
): Promise<CheckInFigures> {
  const tally: Tally = {
    arrivals: plan.arrivals.length,
    noShows: plan.noShows,
    matchedFirstTry: 0,
    matchedAfterRetry: 0,
    failedAttempts: 0,
    overridden: 0,
    impostorsRefused: 0,
    impostorsAccepted: 0,
    alreadyVoted: 0,
    blockedDuplicates: 0,
    otherRefusals: {},
    credentials: 0,
  };
  const queues = new Map<string, Arrival[]>();
  for (const a of plan.arrivals) {
    queues.set(a.record.precinctId, [...(queues.get(a.record.precinctId) ?? []), a]);
  }
  const booths = limiter(options.booths);
  const voting: Promise<void>[] = [];
  let served = 0;
  const done = () => {
    served++;
    bar.update(served, `${tally.credentials} credentials`);
  };
  await Promise.all(
    [...queues.values()].map(async (queue) => {
      for (const arrival of queue) {
        const voter = await serve(api, view, arrival, tally);
        const { vote } = options;
        if (voter === undefined || vote === undefined) done();
        else voting.push(booths(() => vote(voter)).then(done));
      }
    }),
  );
  await Promise.all(voting);
  bar.finish(
    `${tally.matchedFirstTry + tally.matchedAfterRetry} matched, ${tally.overridden} overridden, ${tally.impostorsRefused} impostor(s) refused`,
  );
  return tally;
}

/** Runs the tasks given to it at most `n` at a time, in the order given. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
