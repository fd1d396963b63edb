import { synthesizePersonFingerTemplate } from '../synth/templates.ts';
import { unpackTemplate } from './packing.ts';
import {
  PersonShard,
  mergePersonCandidates,
  prepareFingers,
  type PersonSearchOptions,
  type PreparedFinger,
  type PersonFinger,
} from './person.ts';
import type { PackedPersons, PersonPoolRequest } from './person-pool.ts';
import { serveRequests } from './workers.ts';

/**
 * Worker thread of the person-level pool (person-pool.ts): holds its persons' shards,
 * all fingers of a person in one thread, so votes sum and fingers fuse without crossing
 * threads.
 */
const shards: PersonShard[] = [];
/**
 * The other workers' shards, shared with this one (`PersonIdentificationPool.share`): read
 * only, and searched only by `deduplicate`, which searches this worker's own persons in
 * the whole index. A lone search still covers only this worker's own shards.
 */
let adopted: PersonShard[] = [];

function openShard(): PersonShard {
  const last = shards[shards.length - 1];
  if (last !== undefined && !last.sealed) return last;
  const shard = new PersonShard();
  shards.push(shard);
  return shard;
}

function unpackPerson(p: PackedPersons, i: number): PersonFinger[] {
  const out: PersonFinger[] = [];
  for (let t = p.start[i]!; t < p.start[i + 1]!; t++) {
    out.push({ position: p.positions[t]!, template: unpackTemplate(p.templates, t) });
  }
  return out;
}

function handle(request: PersonPoolRequest): { value: unknown; transfer?: ArrayBuffer[] } {
  switch (request.kind) {
    case 'add': {
      const shard = openShard();
      for (let i = 0; i < request.entries.length; i++) {
        shard.add(request.entries[i]!, unpackPerson(request.persons, i));
      }
      return { value: shard.size };
    }
    case 'synthesize': {
      const shard = openShard();
      for (let i = 0; i < request.entries.length; i++) {
        const person = request.persons[i]!;
        const impression = request.impressions[i]!;
        shard.add(
          request.entries[i]!,
          Array.from(request.positions, (position) => ({
            position,
            template: synthesizePersonFingerTemplate(request.seed, person, position, impression),
          })),
        );
      }
      return { value: shard.size };
    }
    case 'seal':
      for (const s of shards) s.seal();
      return { value: shards.length };
    case 'load': {
      const shard = PersonShard.fromBytes(request.bytes);
      if (!shard.ok) throw shard.error;
      shards.push(shard.value);
      return { value: shard.value.size };
    }
    case 'search': {
      const probes: PreparedFinger[][] = [];
      const options: PersonSearchOptions[] = [];
      for (let i = 0; i + 1 < request.probes.start.length; i++) {
        probes.push(prepareFingers(unpackPerson(request.probes, i)));
        const exclude = request.excludes?.[i];
        options.push(
          exclude === undefined || exclude < 0 ? request.options : { ...request.options, exclude },
        );
      }
      // One probe: its own search, the quickest answer. Several: counted as a batch, the
      // same lists in less time (`PersonShard.searchMany`).
      const perShard = shards.map((s) =>
        probes.length === 1 ? [s.search(probes[0]!, options[0])] : s.searchMany(probes, options),
      );
      const results = probes.map((_, i) =>
        mergePersonCandidates(
          perShard.map((lists) => lists[i]!),
          request.options.limit ?? 10,
        ),
      );
      return { value: results };
    }
    case 'save': {
      const parts = shards.map((s) => s.toBytes());
      return { value: parts, transfer: parts.map((p) => p.buffer as ArrayBuffer) };
    }
    case 'share':
      return { value: shards.map((s) => s.share()) };
    case 'adopt':
      adopted = request.shards.map((s) => PersonShard.fromShared(s));
      return { value: adopted.length };
    case 'deduplicate': {
      // This worker's own persons of entries from..to-1, each searched among the persons
      // before it in every shard: each pair of the roll is compared once, from its later
      // record, in the worker that holds that record.
      const probes: PreparedFinger[][] = [];
      const options: PersonSearchOptions[] = [];
      const entries: number[] = [];
      for (const s of shards) {
        for (let local = 0; local < s.size; local++) {
          const entry = s.entry(local);
          if (entry < request.from || entry >= request.to) continue;
          probes.push(prepareFingers(s.fingersOf(local)));
          options.push({ ...request.options, exclude: entry, before: entry });
          entries.push(entry);
        }
      }
      const lists = PersonShard.searchAcross([...shards, ...adopted], probes, options);
      const pairs = lists.flatMap((list, i) =>
        list.map((candidate) => ({ entry: entries[i]!, candidate })),
      );
      return { value: pairs };
    }
    case 'stats': {
      let persons = 0;
      let templates = 0;
      let postings = 0;
      for (const s of shards) {
        persons += s.size;
        templates += s.templateCount;
        postings += s.postingCount;
      }
      return { value: { persons, templates, postings, shards: shards.length } };
    }
  }
}

serveRequests(handle);
