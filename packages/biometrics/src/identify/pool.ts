import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import type { FingerprintTemplate } from '../template.ts';
import { packBuffers, packTemplates, type PackedTemplates } from './packing.ts';
import { mergeCandidates, type Candidate, type IndexShard, type SearchOptions } from './shard.ts';
import { WorkerGroup, type WorkerResponse } from './workers.ts';

/** Requests the pool sends its workers (worker.ts answers them). */
export type PoolRequest = { readonly id: number } & (
  | { readonly kind: 'add'; readonly entries: Uint32Array; readonly templates: PackedTemplates }
  | {
      readonly kind: 'synthesize';
      readonly entries: Uint32Array;
      readonly fingers: Uint32Array;
      readonly impressions: Uint16Array;
      readonly seed: number;
    }
  | { readonly kind: 'seal' }
  | { readonly kind: 'load'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'search';
      readonly probes: PackedTemplates;
      readonly options: SearchOptions;
      readonly excludes?: Int32Array;
    }
  | { readonly kind: 'save' }
  | { readonly kind: 'stats' }
);

export type PoolResponse = WorkerResponse;

type Task = PoolRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** Index bytes begin with this (little-endian "VGIX"), then the shard count and lengths. */
const CONTAINER_MAGIC = 0x58494756;

export interface PoolStats {
  readonly templates: number;
  readonly postings: number;
  readonly shards: number;
}

/**
 * The 1:N index sharded over worker threads. Entries are dealt round-robin to the
 * workers (entry e to worker e mod threads), each worker keeps its shards in its own
 * memory, every search runs on all workers at once and their candidate lists are merged
 * (`mergeCandidates`), so one probe uses every core.
 *
 * @example
 *   const pool = new IdentificationPool(2);
 *   await pool.add(templates);            // entries 0, 1, 2, ...
 *   await pool.seal();
 *   const [best] = await pool.search(probe, { threshold: 40 });
 *   await pool.close();
 */
export class IdentificationPool {
  private readonly group: WorkerGroup<Task>;
  private nextEntry = 0;

  constructor(threads: number) {
    this.group = new WorkerGroup<Task>(new URL('./worker.ts', import.meta.url), threads);
  }

  get threads(): number {
    return this.group.size;
  }

  private call(w: number, task: Task, transfer: ArrayBuffer[] = []): Promise<unknown> {
    return this.group.call(w, task, transfer);
  }

  private get workers(): readonly unknown[] {
    return Array.from({ length: this.group.size });
  }

  /** Entries are dealt to workers by entry number; returns the entries per worker. */
  private deal(entries: readonly number[]): number[][] {
    const byWorker: number[][] = this.workers.map(() => []);
    entries.forEach((e, i) => byWorker[e % this.workers.length]!.push(i));
    return byWorker;
  }

  /**
   * Adds templates as the next entries (numbered from where the last call stopped) and
   * returns their entry numbers. Call `seal` before searching.
   */
  async add(templates: readonly FingerprintTemplate[]): Promise<number[]> {
    const entries = templates.map(() => this.nextEntry++);
    const byWorker = this.deal(entries);
    await Promise.all(
      byWorker.map((idx, w) => {
        if (idx.length === 0) return Promise.resolve();
        const pack = packTemplates(idx.map((i) => templates[i]!));
        const ids = Uint32Array.from(idx.map((i) => entries[i]!));
        return this.call(w, { kind: 'add', entries: ids, templates: pack }, [
          ...packBuffers(pack),
          ids.buffer,
        ]);
      }),
    );
    return entries;
  }

  /**
   * Adds synthetic templates (`synthesizeFingerTemplate(seed, finger, impression)`) made
   * inside the workers, so a million-template gallery is generated on every core and
   * never crosses a thread boundary. Returns the entry numbers given.
   */
  async addSynthetic(
    seed: number,
    fingers: readonly number[],
    impressions: readonly number[],
  ): Promise<number[]> {
    const entries = fingers.map(() => this.nextEntry++);
    const byWorker = this.deal(entries);
    await Promise.all(
      byWorker.map((idx, w) => {
        if (idx.length === 0) return Promise.resolve();
        return this.call(w, {
          kind: 'synthesize',
          seed,
          entries: Uint32Array.from(idx.map((i) => entries[i]!)),
          fingers: Uint32Array.from(idx.map((i) => fingers[i]!)),
          impressions: Uint16Array.from(idx.map((i) => impressions[i]!)),
        });
      }),
    );
    return entries;
  }

  /** Builds every worker's inverted index. */
  async seal(): Promise<void> {
    await Promise.all(this.workers.map((_, w) => this.call(w, { kind: 'seal' })));
  }

  /** Ranked candidates for one probe, from every shard. */
  async search(probe: FingerprintTemplate, options: SearchOptions = {}): Promise<Candidate[]> {
    const [result] = await this.searchMany([probe], options);
    return result ?? [];
  }

  /**
   * Ranked candidates for many probes (one list per probe, in order). `excludes[i]`, when
   * given and not negative, is an entry left out of probe i's list: its own record, when
   * a gallery is de-duplicated against itself.
   */
  async searchMany(
    probes: readonly FingerprintTemplate[],
    options: SearchOptions = {},
    excludes?: readonly number[],
  ): Promise<Candidate[][]> {
    const lists = (await Promise.all(
      this.workers.map((_, w) => {
        const pack = packTemplates(probes);
        const ex = excludes === undefined ? undefined : Int32Array.from(excludes);
        return this.call(
          w,
          { kind: 'search', probes: pack, options, excludes: ex },
          packBuffers(pack),
        );
      }),
    )) as Candidate[][][];
    return probes.map((_, i) =>
      mergeCandidates(
        lists.map((l) => l[i]!),
        options.limit ?? 10,
      ),
    );
  }

  async stats(): Promise<PoolStats> {
    const all = (await Promise.all(
      this.workers.map((_, w) => this.call(w, { kind: 'stats' })),
    )) as PoolStats[];
    return {
      templates: all.reduce((a, s) => a + s.templates, 0),
      postings: all.reduce((a, s) => a + s.postings, 0),
      shards: all.reduce((a, s) => a + s.shards, 0),
    };
  }

  /**
   * The whole index as bytes: "VGIX", the shard count, each shard's length, then the
   * shards (IndexShard.toBytes). Seals first.
   */
  async toBytes(): Promise<Uint8Array> {
    await this.seal();
    const parts = (
      (await Promise.all(
        this.workers.map((_, w) => this.call(w, { kind: 'save' })),
      )) as Uint8Array[][]
    ).flat();
    return joinShards(parts);
  }

  /**
   * Loads bytes from `toBytes` into a new pool of `threads` workers (shard i goes to
   * worker i mod threads). Err when the bytes are not an index.
   */
  static async fromBytes(
    bytes: Uint8Array,
    threads: number,
  ): Promise<Result<IdentificationPool, InvalidInputError>> {
    const shards = splitShards(bytes);
    if (!shards.ok) return shards;
    const pool = new IdentificationPool(threads);
    try {
      await Promise.all(
        shards.value.map((s, i) => pool.call(i % threads, { kind: 'load', bytes: s })),
      );
    } catch (e) {
      await pool.close();
      return err(
        new InvalidInputError(e instanceof Error ? e.message : String(e), {
          hint: 'Rebuild the index from the enrolled templates.',
        }),
      );
    }
    const stats = await pool.stats();
    pool.nextEntry = stats.templates;
    return ok(pool);
  }

  async close(): Promise<void> {
    await this.group.close();
  }
}

/** Shard bytes into one index container (`magic`: which kind of index, default "VGIX"). */
export function joinShards(parts: readonly Uint8Array[], magic = CONTAINER_MAGIC): Uint8Array {
  const head = new Uint32Array(2 + parts.length);
  head[0] = magic;
  head[1] = parts.length;
  parts.forEach((p, i) => (head[2 + i] = p.length));
  const out = new Uint8Array(head.byteLength + parts.reduce((a, p) => a + p.length, 0));
  out.set(new Uint8Array(head.buffer), 0);
  let at = head.byteLength;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An index container back into its shards' bytes (copies, so each is aligned). */
export function splitShards(
  bytes: Uint8Array,
  magic = CONTAINER_MAGIC,
): Result<Uint8Array[], InvalidInputError> {
  const bad = (what: string) =>
    err(
      new InvalidInputError(`The fingerprint index data is not usable: ${what}.`, {
        hint: 'Rebuild the index from the enrolled templates.',
      }),
    );
  if (bytes.length < 8) return bad('it is too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== magic) return bad('it does not start like this kind of index');
  const count = view.getUint32(4, true);
  if (count > 4096 || 8 + count * 4 > bytes.length) return bad('its shard count is impossible');
  const out: Uint8Array[] = [];
  let at = 8 + count * 4;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(8 + i * 4, true);
    if (at + length > bytes.length) return bad('it is shorter than its shards');
    out.push(bytes.slice(at, at + length));
    at += length;
  }
  if (at !== bytes.length) return bad('it has bytes after its last shard');
  return ok(out);
}

/** Searches shards held in this thread (the pool's merge, without workers). */
export function searchShards(
  shards: readonly IndexShard[],
  probe: FingerprintTemplate,
  options: SearchOptions = {},
): Candidate[] {
  return mergeCandidates(
    shards.map((s) => s.search(probe, options)),
    options.limit ?? 10,
  );
}
