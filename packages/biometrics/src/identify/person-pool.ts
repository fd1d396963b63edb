import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import { packBuffers, packTemplates, type PackedTemplates } from './packing.ts';
import {
  checkFingers,
  mergePersonCandidates,
  type PersonCandidate,
  type PersonFinger,
  type PersonSearchOptions,
  type SharedPersonShard,
} from './person.ts';
import { joinShards, splitShards } from './pool.ts';
import { WorkerGroup } from './workers.ts';

/**
 * Persons packed for a thread boundary: every finger of every person as one template
 * pack, `positions[i]` the finger position of template i, person p's fingers are
 * templates `start[p] .. start[p+1]-1`.
 */
export interface PackedPersons {
  readonly start: Uint32Array;
  readonly positions: Uint8Array;
  readonly templates: PackedTemplates;
}

export function packPersons(persons: readonly (readonly PersonFinger[])[]): PackedPersons {
  const start = new Uint32Array(persons.length + 1);
  persons.forEach((p, i) => (start[i + 1] = start[i]! + p.length));
  const fingers = persons.flat();
  return {
    start,
    positions: Uint8Array.from(fingers.map((f) => f.position)),
    templates: packTemplates(fingers.map((f) => f.template)),
  };
}

function personBuffers(p: PackedPersons): ArrayBuffer[] {
  return [p.start.buffer, p.positions.buffer, ...packBuffers(p.templates)] as ArrayBuffer[];
}

/** Requests the person pool sends its workers (person-worker.ts answers them). */
export type PersonPoolRequest = { readonly id: number } & PersonTask;

type PersonTask =
  | { readonly kind: 'add'; readonly entries: Uint32Array; readonly persons: PackedPersons }
  | {
      readonly kind: 'synthesize';
      readonly seed: number;
      readonly entries: Uint32Array;
      readonly persons: Uint32Array;
      readonly impressions: Uint16Array;
      readonly positions: Uint8Array;
    }
  | { readonly kind: 'seal' }
  | { readonly kind: 'load'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'search';
      readonly probes: PackedPersons;
      readonly options: PersonSearchOptions;
      readonly excludes?: Int32Array;
    }
  | { readonly kind: 'save' }
  | { readonly kind: 'share' }
  | { readonly kind: 'adopt'; readonly shards: readonly SharedPersonShard[] }
  | {
      readonly kind: 'deduplicate';
      readonly from: number;
      readonly to: number;
      readonly options: PersonSearchOptions;
    }
  | { readonly kind: 'stats' };

/** Two records of a roll found to be one person: the later record and its candidate. */
export interface DuplicatePair {
  /** The later record's entry. */
  readonly entry: number;
  /** The earlier record it matched, with the evidence. */
  readonly candidate: PersonCandidate;
}

export interface DeduplicateOptions extends Omit<PersonSearchOptions, 'exclude' | 'before'> {
  /** Entries each worker searches per request (default 2,000): the unit of progress. */
  readonly batch?: number;
  /** Told the entries searched so far, after each request. */
  readonly progress?: (searched: number) => void;
}

export interface PersonPoolStats {
  readonly persons: number;
  readonly templates: number;
  readonly postings: number;
  readonly shards: number;
}

/** Person index bytes begin with this (little-endian "VGPX"), then as `joinShards`. */
const PERSON_CONTAINER_MAGIC = 0x58504756;

/**
 * The person-level 1:N index (person.ts) sharded over worker threads: person e goes to
 * worker e mod threads with all their fingers, so votes are summed and fingers fused
 * inside one thread, and every search runs on all workers at once.
 *
 * @example
 *   const pool = new PersonIdentificationPool(2);
 *   await pool.add([[{ position: 2, template: rightIndex }, { position: 7, template: leftIndex }]]);
 *   await pool.seal();
 *   const [best] = await pool.search(probeFingers, { maxFusedFmr: 0.01 / pool.size });
 *   await pool.close();
 */
export class PersonIdentificationPool {
  private readonly group: WorkerGroup<PersonTask>;
  private nextEntry = 0;
  private shared = false;

  constructor(threads: number) {
    this.group = new WorkerGroup<PersonTask>(
      new URL('./person-worker.ts', import.meta.url),
      threads,
    );
  }

  get threads(): number {
    return this.group.size;
  }

  /** Persons enrolled so far (entries 0 .. size-1). */
  get size(): number {
    return this.nextEntry;
  }

  private deal(count: number): { entries: number[]; byWorker: number[][] } {
    this.shared = false; // new persons: share again before the next de-duplication
    const entries = Array.from({ length: count }, () => this.nextEntry++);
    const byWorker: number[][] = Array.from({ length: this.group.size }, () => []);
    entries.forEach((e, i) => byWorker[e % this.group.size]!.push(i));
    return { entries, byWorker };
  }

  /** Enrols persons as the next entries and returns their entry numbers. */
  async add(persons: readonly (readonly PersonFinger[])[]): Promise<number[]> {
    persons.forEach((p, i) => {
      checkFingers(p, `Person ${this.nextEntry + i}`);
    });
    const { entries, byWorker } = this.deal(persons.length);
    await Promise.all(
      byWorker.map((idx, w) => {
        if (idx.length === 0) return Promise.resolve();
        const pack = packPersons(idx.map((i) => persons[i]!));
        const ids = Uint32Array.from(idx.map((i) => entries[i]!));
        return this.group.call(w, { kind: 'add', entries: ids, persons: pack }, [
          ...personBuffers(pack),
          ids.buffer,
        ]);
      }),
    );
    return entries;
  }

  /**
   * Enrols synthetic persons made inside the workers: person `persons[i]`, impression
   * `impressions[i]` of each finger at `positions` (`synthesizePersonFingerTemplate`).
   */
  async addSynthetic(
    seed: number,
    persons: readonly number[],
    impressions: readonly number[],
    positions: readonly number[],
  ): Promise<number[]> {
    checkFingers(
      positions.map((position) => ({ position, template: EMPTY })),
      'A synthetic person',
    );
    const { entries, byWorker } = this.deal(persons.length);
    await Promise.all(
      byWorker.map((idx, w) => {
        if (idx.length === 0) return Promise.resolve();
        return this.group.call(w, {
          kind: 'synthesize',
          seed,
          entries: Uint32Array.from(idx.map((i) => entries[i]!)),
          persons: Uint32Array.from(idx.map((i) => persons[i]!)),
          impressions: Uint16Array.from(idx.map((i) => impressions[i]!)),
          positions: Uint8Array.from(positions),
        });
      }),
    );
    return entries;
  }

  /** Builds every worker's indexes. */
  async seal(): Promise<void> {
    await this.group.all(() => ({ kind: 'seal' }));
  }

  async search(
    probe: readonly PersonFinger[],
    options: PersonSearchOptions = {},
  ): Promise<PersonCandidate[]> {
    const [result] = await this.searchMany([probe], options);
    return result ?? [];
  }

  /**
   * Ranked candidates for many probes (one list per probe). `excludes[i]`, when given and
   * not negative, is an entry left out of probe i's list (its own record, when a roll is
   * de-duplicated against itself).
   */
  async searchMany(
    probes: readonly (readonly PersonFinger[])[],
    options: PersonSearchOptions = {},
    excludes?: readonly number[],
  ): Promise<PersonCandidate[][]> {
    probes.forEach((p, i) => {
      checkFingers(p, `Probe ${i}`);
    });
    const lists = (await Promise.all(
      Array.from({ length: this.group.size }, (_, w) => {
        const pack = packPersons(probes);
        const ex = excludes === undefined ? undefined : Int32Array.from(excludes);
        return this.group.call(
          w,
          { kind: 'search', probes: pack, options, excludes: ex },
          personBuffers(pack),
        );
      }),
    )) as PersonCandidate[][][];
    return probes.map((_, i) =>
      mergePersonCandidates(
        lists.map((l) => l[i]!),
        options.limit ?? 10,
      ),
    );
  }

  /**
   * Gives every worker the others' shards, in shared memory (no copy): then a worker can
   * search its own persons in the whole index (`deduplicate`). Seals first; persons added
   * afterwards go to new shards, shared at the next call.
   */
  async share(): Promise<void> {
    await this.seal();
    const shared = (await this.group.all(() => ({ kind: 'share' }))) as SharedPersonShard[][];
    await this.group.all((w) => ({
      kind: 'adopt',
      shards: shared.filter((_, v) => v !== w).flat(),
    }));
    this.shared = true;
  }

  /**
   * De-duplicates the roll in the index: every enrolled person is searched among the
   * persons enrolled before them (`PersonSearchOptions.before`), so each pair is compared
   * once. Each worker searches the persons it holds, in the whole index (`share`, done
   * first if needed): a person is searched once, not once per shard, and no probe crosses
   * a thread. Returns every pair within `maxFusedFmr`, by later entry.
   */
  async deduplicate(options: DeduplicateOptions = {}): Promise<DuplicatePair[]> {
    const { batch = 2000, progress, ...search } = options;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new InvalidInputError(`A de-duplication cannot go ${batch} entries at a time.`, {
        hint: 'Give a whole number of entries per request, 1 or more.',
      });
    }
    if (!this.shared) await this.share();
    const size = this.size;
    let searched = 0;
    const pairs = await Promise.all(
      Array.from({ length: this.group.size }, async (_, w) => {
        const found: DuplicatePair[] = [];
        for (let from = 0; from < size; from += batch) {
          const to = Math.min(size, from + batch);
          const value = (await this.group.call(w, {
            kind: 'deduplicate',
            from,
            to,
            options: search,
          })) as DuplicatePair[];
          found.push(...value);
          searched += (to - from) / this.group.size;
          progress?.(Math.round(searched));
        }
        return found;
      }),
    );
    return pairs.flat().sort((a, b) => a.entry - b.entry || a.candidate.entry - b.candidate.entry);
  }

  async stats(): Promise<PersonPoolStats> {
    const all = (await this.group.all(() => ({ kind: 'stats' }))) as PersonPoolStats[];
    return {
      persons: all.reduce((a, s) => a + s.persons, 0),
      templates: all.reduce((a, s) => a + s.templates, 0),
      postings: all.reduce((a, s) => a + s.postings, 0),
      shards: all.reduce((a, s) => a + s.shards, 0),
    };
  }

  /** The whole index as bytes ("VGPX" container of `PersonShard.toBytes`). Seals first. */
  async toBytes(): Promise<Uint8Array> {
    await this.seal();
    const parts = ((await this.group.all(() => ({ kind: 'save' }))) as Uint8Array[][]).flat();
    return joinShards(parts, PERSON_CONTAINER_MAGIC);
  }

  /** Loads bytes from `toBytes` into a new pool of `threads` workers. */
  static async fromBytes(
    bytes: Uint8Array,
    threads: number,
  ): Promise<Result<PersonIdentificationPool, InvalidInputError>> {
    const shards = splitShards(bytes, PERSON_CONTAINER_MAGIC);
    if (!shards.ok) return shards;
    const pool = new PersonIdentificationPool(threads);
    try {
      await Promise.all(
        shards.value.map((s, i) => pool.group.call(i % threads, { kind: 'load', bytes: s })),
      );
    } catch (e) {
      await pool.close();
      return err(
        new InvalidInputError(e instanceof Error ? e.message : String(e), {
          hint: 'Rebuild the index from the enrolled templates.',
        }),
      );
    }
    pool.nextEntry = (await pool.stats()).persons;
    return ok(pool);
  }

  async close(): Promise<void> {
    await this.group.close();
  }
}

/** A placeholder template, only for checking positions. */
const EMPTY = {
  width: 0,
  height: 0,
  quality: 0,
  x: new Float32Array(0),
  y: new Float32Array(0),
  direction: new Float32Array(0),
  kind: new Uint8Array(0),
  reliability: new Float32Array(0),
};
