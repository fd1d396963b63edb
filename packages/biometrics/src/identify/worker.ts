import { synthesizeFingerTemplate } from '../synth/templates.ts';
import { unpackTemplate } from './packing.ts';
import { IndexShard, mergeCandidates, type Candidate } from './shard.ts';
import type { PoolRequest } from './pool.ts';
import { serveRequests } from './workers.ts';

/**
 * Worker thread of the identification pool: holds its shards of the gallery and answers
 * the pool's requests (pool.ts). Shards are in this thread's memory, so a search reads
 * no other thread's data and the two cores work in parallel on one probe.
 */
const shards: IndexShard[] = [];

function openShard(): IndexShard {
  const last = shards[shards.length - 1];
  if (last !== undefined && !last.sealed) return last;
  const shard = new IndexShard();
  shards.push(shard);
  return shard;
}

function handle(request: PoolRequest): { value: unknown; transfer?: ArrayBuffer[] } {
  switch (request.kind) {
    case 'add': {
      const shard = openShard();
      for (let t = 0; t < request.templates.count; t++) {
        shard.add(request.entries[t]!, unpackTemplate(request.templates, t));
      }
      return { value: shard.size };
    }
    case 'synthesize': {
      const shard = openShard();
      for (let t = 0; t < request.entries.length; t++) {
        shard.add(
          request.entries[t]!,
          synthesizeFingerTemplate(request.seed, request.fingers[t]!, request.impressions[t]!),
        );
      }
      return { value: shard.size };
    }
    case 'seal':
      for (const s of shards) s.seal();
      return { value: shards.length };
    case 'load': {
      const shard = IndexShard.fromBytes(request.bytes);
      if (!shard.ok) throw shard.error;
      shards.push(shard.value);
      return { value: shard.value.size };
    }
    case 'search': {
      const results: Candidate[][] = [];
      for (let t = 0; t < request.probes.count; t++) {
        const probe = unpackTemplate(request.probes, t);
        const exclude = request.excludes?.[t];
        const options =
          exclude === undefined || exclude < 0 ? request.options : { ...request.options, exclude };
        const lists = shards.map((s) => s.search(probe, options));
        results.push(mergeCandidates(lists, request.options.limit ?? 10));
      }
      return { value: results };
    }
    case 'save': {
      const parts = shards.map((s) => s.toBytes());
      return { value: parts, transfer: parts.map((p) => p.buffer as ArrayBuffer) };
    }
    case 'stats': {
      let templates = 0;
      let postings = 0;
      for (const s of shards) {
        templates += s.size;
        postings += s.postingCount;
      }
      return { value: { templates, postings, shards: shards.length } };
    }
  }
}

serveRequests(handle);
