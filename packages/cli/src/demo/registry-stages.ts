import type { DemoApi, Caller } from './api.ts';
import {
  base64,
  DEMO_FINGERS,
  fingerRecord,
  rollCsv,
  type DemoPopulation,
  type DemoRecord,
} from './people.ts';
import type { ProgressBar } from './progress.ts';

/**
 * Stages 1 and 2 of the demo, through the registry's HTTP API: the roll imported as the
 * registrar would upload it, every record enrolled with two fingers, and the
 * de-duplication review queue worked through by the registrar.
 */

export interface RollFigures {
  readonly records: number;
  /** Voters the registry registered from the file. */
  readonly registered: number;
  /** SHA-256 of the roll file, as in the `roll.imported` ledger entry. */
  readonly fileHash: string;
  readonly precincts: Readonly<Record<string, number>>;
}

export async function importDemoRoll(
  api: DemoApi,
  registrar: Caller,
  population: DemoPopulation,
  state: string,
): Promise<RollFigures> {
  const records = [...population.voters, ...population.duplicates];
  const answer = await api.expect<{ rows: number; registered: number; fileHash: string }>(
    201,
    'POST',
    '/api/roll/imports?format=csv',
    { ...registrar, raw: { bytes: rollCsv(records, state), contentType: 'text/csv' } },
  );
  const precincts: Record<string, number> = {};
  for (const r of records) precincts[r.precinctId] = (precincts[r.precinctId] ?? 0) + 1;
  return {
    records: records.length,
    registered: answer.registered,
    fileHash: answer.fileHash,
    precincts,
  };
}

export interface EnrolmentFigures {
  readonly enrolled: number;
  readonly fingers: number;
  /** Reviews the enrolments raised (suspected duplicates). */
  readonly reviewsRaised: number;
  readonly duplicatesPlanted: number;
  /** Planted duplicates whose review named their twin record. */
  readonly duplicatesCaught: number;
  /** Reviews of two different people (false alarms), decided as such. */
  readonly falseAlarms: number;
  /** Records blocked as duplicates after review. */
  readonly blocked: number;
}

/** Enrols every record (in a seeded shuffled order), `parallel` requests at a time. */
export async function enrolEveryone(
  api: DemoApi,
  registrar: Caller,
  population: DemoPopulation,
  options: {
    readonly seed: number;
    readonly order: readonly DemoRecord[];
    readonly parallel: number;
  },
  bar: ProgressBar,
): Promise<{ enrolled: number; fingers: number; reviewsRaised: number }> {
  let next = 0;
  let enrolled = 0;
  let reviewsRaised = 0;
  const records = options.order;
  const worker = async () => {
    for (;;) {
      const record = records[next++];
      if (record === undefined) return;
      // Impression 0 of each finger (or the first retake that passes the quality bar).
      const fingers = DEMO_FINGERS.map((position) => ({
        position,
        template: base64(fingerRecord(options.seed, record.person, position, 0, true)),
      }));
      const answer = await api.post<{ suspectedDuplicates: number }>(
        `/api/voters/${encodeURIComponent(record.voterId)}/enrolment-templates`,
        { fingers },
        registrar,
      );
      enrolled++;
      reviewsRaised += answer.suspectedDuplicates;
      bar.update(enrolled, `${reviewsRaised} flagged`);
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  bar.finish(`${reviewsRaised} suspected duplicate(s) flagged`);
  return { enrolled, fingers: enrolled * DEMO_FINGERS.length, reviewsRaised };
}

interface PendingReview {
  readonly reviewId: string;
  readonly voterId: string;
  readonly candidateVoterId: string;
}

/**
 * Works through the review queue as the registrar: each flagged pair is compared (here,
 * against the demo's own knowledge of who is who, standing in for the documents and
 * photographs an official compares) and decided through the decision API.
 */
export async function resolveReviews(
  api: DemoApi,
  registrar: Caller,
  population: DemoPopulation,
): Promise<Pick<EnrolmentFigures, 'duplicatesCaught' | 'falseAlarms' | 'blocked'>> {
  const personOf = new Map<string, number>();
  for (const r of [...population.voters, ...population.duplicates])
    personOf.set(r.voterId, r.person);
  const caught = new Set<string>();
  let falseAlarms = 0;
  let blocked = 0;
  for (;;) {
    const { reviews } = await api.get<{ reviews: PendingReview[] }>(
      '/api/registry/reviews',
      registrar,
    );
    if (reviews.length === 0) break;
    for (const review of reviews) {
      const same = personOf.get(review.voterId) === personOf.get(review.candidateVoterId);
      await api.post(
        `/api/registry/reviews/${encodeURIComponent(review.reviewId)}/decision`,
        same
          ? {
              decision: 'same-person',
              reason: 'Same person: the documents and photographs of both records show one person.',
            }
          : {
              decision: 'different-people',
              reason: 'Different people: the documents and photographs differ.',
            },
        registrar,
        200,
      );
      if (same) {
        blocked++;
        caught.add([review.voterId, review.candidateVoterId].sort().join('|'));
      } else falseAlarms++;
    }
  }
  const planted = new Set(
    population.duplicates.map((d) =>
      [d.voterId, population.voters[d.person]!.voterId].sort().join('|'),
    ),
  );
  return {
    duplicatesCaught: [...planted].filter((pair) => caught.has(pair)).length,
    falseAlarms,
    blocked,
  };
}
