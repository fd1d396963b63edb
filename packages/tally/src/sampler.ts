import { hash } from 'node:crypto';
import { err, InvalidInputError, ok, type Result } from '@vigil/core';

/**
 * Drawing the audit sample from a public seed, so that anyone can redo the draw.
 *
 * The seed is a string of decimal digits rolled in public with ten-sided dice (Stark and
 * Rivest recommend 20). Two draws are offered, both on SHA-256 alone:
 *
 * - `drawSample`, the SHA-256 counter-mode generator of Rivest's `sampler.py` and Stark's
 *   audit tools: the k-th pseudo-random number is SHA-256(seed "," k) read as a 256-bit
 *   integer, k = 1, 2, …, and it picks ballot 1 + (that mod N) of the manifest. The cost
 *   is one hash per ballot drawn, whatever the size of the manifest.
 * - `consistentSample`, Rivest's consistent sampler (github.com/ron-rivest/consistent_sampler):
 *   every ballot id gets a ticket SHA-256(SHA-256(SHA-256(seed) ":id:" id) "0") and the
 *   sample is the ballots in increasing ticket order. A sample of a sub-collection is the
 *   sample of the whole filtered to it, which suits audits of several counties at once;
 *   the cost is two hashes per ballot in the manifest.
 */

/** One batch (a box, a tray, a scanner batch) of a ballot manifest. */
export interface ManifestBatch {
  readonly id: string;
  readonly ballots: number;
}

/**
 * A ballot manifest: where every paper ballot is. Ballots are numbered 1…N across
 * batches in manifest order; ballot j of batch b has id `b:j`.
 */
export interface BallotManifest {
  readonly batches: readonly ManifestBatch[];
  readonly totalBallots: number;
  /** `starts[i]` is the 0-based index of batch i's first ballot. */
  readonly starts: Float64Array;
}

/** A ballot drawn into the sample. */
export interface SampledBallot {
  /** 1-based position in the draw (the order in which the board should pull ballots). */
  readonly draw: number;
  readonly batchId: string;
  /** 1-based position of the ballot within its batch. */
  readonly position: number;
  readonly ballotId: string;
  /** How many times the ballot has been drawn so far, counting this draw (with replacement). */
  readonly timesSampled: number;
}

/** Builds a manifest from batches, refusing duplicate ids and bad counts. */
export function makeManifest(
  batches: readonly ManifestBatch[],
): Result<BallotManifest, InvalidInputError> {
  const seen = new Set<string>();
  const starts = new Float64Array(batches.length);
  let total = 0;
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i];
    if (b === undefined) continue;
    if (b.id.length === 0) {
      return err(
        new InvalidInputError(
          `Manifest row ${String(i + 1)} has no batch id; give every batch a name.`,
        ),
      );
    }
    if (seen.has(b.id)) {
      return err(
        new InvalidInputError(
          `The ballot manifest lists batch "${b.id}" twice; each batch must appear once, so that every ballot has one place.`,
        ),
      );
    }
    seen.add(b.id);
    if (!Number.isInteger(b.ballots) || b.ballots < 0) {
      return err(
        new InvalidInputError(
          `Batch "${b.id}" has ${String(b.ballots)} ballots; the count must be a whole number, 0 or more.`,
        ),
      );
    }
    starts[i] = total;
    total += b.ballots;
  }
  if (total === 0) return err(new InvalidInputError('The ballot manifest lists no ballots.'));
  return ok({ batches, totalBallots: total, starts });
}

/**
 * Reads a ballot manifest in CSV, as Arlo takes it: a header row naming a
 * `Batch Name` column and a `Number of Ballots` column (other columns, such as
 * `Container` or `Tabulator`, are ignored), then one row per batch.
 */
export function parseManifestCsv(text: string): Result<BallotManifest, InvalidInputError> {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const batchColumn = header.findIndex(
    (h) => h === 'batch name' || h === 'batch' || h === 'batch id',
  );
  const countColumn = header.findIndex(
    (h) => h === 'number of ballots' || h === 'ballots' || h === 'ballot count',
  );
  if (batchColumn < 0 || countColumn < 0) {
    return err(
      new InvalidInputError(
        'The ballot manifest needs a header row with a "Batch Name" column and a "Number of Ballots" column.',
      ),
    );
  }
  const batches: ManifestBatch[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    const id = (cells[batchColumn] ?? '').trim();
    const countText = (cells[countColumn] ?? '').trim();
    if (!/^\d+$/.test(countText)) {
      return err(
        new InvalidInputError(
          `Manifest line ${String(i + 1)}: the number of ballots "${countText}" is not a whole number.`,
        ),
      );
    }
    batches.push({ id, ballots: Number(countText) });
  }
  return makeManifest(batches);
}

// CSV cells, with double-quoted cells that may hold commas and doubled quotes (RFC 4180).
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** Checks a public seed: decimal digits only, at least ten of them. */
export function checkSeed(seed: string): Result<string, InvalidInputError> {
  if (!/^[0-9]+$/.test(seed)) {
    return err(
      new InvalidInputError(
        `The seed "${seed}" must be decimal digits only (rolled in public with ten-sided dice), with no letters, spaces or signs.`,
      ),
    );
  }
  if (seed.length < 10) {
    return err(
      new InvalidInputError(
        `The seed has ${String(seed.length)} digits; roll at least 10 (20 are recommended) so that no one can guess the sample.`,
      ),
    );
  }
  return ok(seed);
}

/** The 0-based manifest index → (batch, 1-based position), by binary search. */
export function locateBallot(
  manifest: BallotManifest,
  index: number,
): { batchIndex: number; position: number } {
  const { starts } = manifest;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  // Skip empty batches that share the start index.
  while (lo < starts.length - 1 && (manifest.batches[lo]?.ballots ?? 0) === 0) lo++;
  return { batchIndex: lo, position: index - (starts[lo] ?? 0) + 1 };
}

export interface DrawOptions {
  readonly seed: string;
  readonly manifest: BallotManifest;
  /** How many draws to return. */
  readonly size: number;
  /** Sampling with replacement (BRAVO and Kaplan-Markov assume it); default false. */
  readonly withReplacement?: boolean;
  /**
   * Draws already made in earlier rounds: the generator resumes after them, so round 2
   * continues round 1's sequence and the union is one reproducible draw.
   */
  readonly skip?: number;
}

/**
 * The SHA-256 counter-mode draw (Rivest's `sampler.py`, Stark's tools). Without
 * replacement, a ballot drawn again is passed over and the generator moves on; the
 * returned `draw` numbers count ballots returned, so the order is the order to pull them.
 */
export function drawSample(options: DrawOptions): Result<SampledBallot[], InvalidInputError> {
  const seed = checkSeed(options.seed);
  if (!seed.ok) return seed;
  const { manifest, size } = options;
  const withReplacement = options.withReplacement ?? false;
  if (!Number.isInteger(size) || size < 0) {
    return err(
      new InvalidInputError(`The sample size must be a whole number, got ${String(size)}.`),
    );
  }
  const skip = options.skip ?? 0;
  if (!withReplacement && size + skip > manifest.totalBallots) {
    return err(
      new InvalidInputError(
        `Cannot draw ${String(size + skip)} different ballots from a manifest of ${String(manifest.totalBallots)}; count them all by hand instead.`,
      ),
    );
  }
  const n = BigInt(manifest.totalBallots);
  const times = new Map<number, number>();
  const result: SampledBallot[] = [];
  let returned = 0;
  for (let counter = 1; result.length < size; counter++) {
    const digest = hash('sha256', `${options.seed},${String(counter)}`, 'hex');
    const index = Number(BigInt(`0x${digest}`) % n);
    const previous = times.get(index) ?? 0;
    if (!withReplacement && previous > 0) continue;
    times.set(index, previous + 1);
    returned++;
    if (returned <= skip) continue;
    const { batchIndex, position } = locateBallot(manifest, index);
    const batchId = manifest.batches[batchIndex]?.id ?? '';
    result.push({
      draw: returned,
      batchId,
      position,
      ballotId: `${batchId}:${String(position)}`,
      timesSampled: previous + 1,
    });
  }
  return ok(result);
}

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Rivest's consistent sampler without replacement: the `size` ids with the smallest
 * tickets, in ticket order. Tickets are compared as hex strings of equal length, which
 * orders them as the fractions 0.ticket. Reproduces the examples of Rivest's README
 * (seed 31415: B-1, B-2, A-2, B-3, A-1, A-3).
 */
export function consistentSample(
  ids: Iterable<string>,
  seed: string,
  size: number,
): { readonly id: string; readonly ticket: string }[] {
  const seedHash = sha256Hex(seed);
  // A bounded max-heap keeps only the `size` smallest tickets: O(N log size).
  const heap: { id: string; ticket: string }[] = [];
  const less = (a: { ticket: string; id: string }, b: { ticket: string; id: string }): boolean =>
    a.ticket < b.ticket || (a.ticket === b.ticket && a.id < b.id);
  for (const id of ids) {
    const ticket = sha256Hex(`${sha256Hex(`${seedHash}:id:${id}`)}0`);
    const entry = { id, ticket };
    if (heap.length < size) {
      heap.push(entry);
      siftUp(heap, heap.length - 1, less);
    } else if (size > 0 && heap[0] !== undefined && less(entry, heap[0])) {
      heap[0] = entry;
      siftDown(heap, 0, less);
    }
  }
  return heap.sort((a, b) => (less(a, b) ? -1 : 1));
}

type Less<T> = (a: T, b: T) => boolean;

// Max-heap helpers: the root is the largest ticket kept, the first to give way.
function siftUp<T>(heap: T[], i: number, less: Less<T>): void {
  let child = i;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    const c = heap[child] as T;
    const p = heap[parent] as T;
    if (!less(p, c)) break;
    heap[child] = p;
    heap[parent] = c;
    child = parent;
  }
}

function siftDown<T>(heap: T[], i: number, less: Less<T>): void {
  let parent = i;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let largest = parent;
    if (left < heap.length && less(heap[largest] as T, heap[left] as T)) largest = left;
    if (right < heap.length && less(heap[largest] as T, heap[right] as T)) largest = right;
    if (largest === parent) return;
    const tmp = heap[parent] as T;
    heap[parent] = heap[largest] as T;
    heap[largest] = tmp;
    parent = largest;
  }
}

/** Every ballot id of a manifest, in manifest order (for `consistentSample`). */
export function* manifestBallotIds(manifest: BallotManifest): Generator<string> {
  for (const b of manifest.batches) {
    for (let j = 1; j <= b.ballots; j++) yield `${b.id}:${String(j)}`;
  }
}
