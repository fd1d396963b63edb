import { synthesizePersonFingerTemplate } from '../synth/templates.ts';
import { unpackTemplate } from './packing.ts';
import {
  PersonShard,
  mergePersonCandidates,
  prepareFingers,
  type PersonCandidate,
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
      const results: PersonCandidate[][] = [];
      for (let i = 0; i + 1 < request.probes.start.length; i++) {
        const probe = prepareFingers(unpackPerson(request.probes, i));
        const exclude = request.excludes?.[i];
        const options =
          exclude === undefined || exclude < 0 ? request.options : { ...request.options, exclude };
        results.push(
          mergePersonCandidates(
            shards.map((s) => s.search(probe, options)),
            request.options.limit ?? 10,
          ),
        );
      }
      return { value: results };
    }
    case 'save': {
      const parts = shards.map((s) => s.toBytes());
      return { value: parts, transfer: parts.map((p) => p.buffer as ArrayBuffer) };
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
