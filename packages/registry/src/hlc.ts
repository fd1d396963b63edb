import { InvalidInputError, err, ok, type Clock, type Result } from '@vigil/core';

/**
 * Hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva and Leone, "Logical Physical
 * Clocks and Consistent Snapshots in Globally Distributed Databases", 2014).
 *
 * A stamp is (l, c, node): l is the largest physical time (ms since the epoch) the
 * station has heard of, c counts events that share that l, and the node (the station
 * id) breaks ties so that stamps of different stations never compare equal. Stamps
 * respect causality (if e happened before f, stamp(e) < stamp(f)) like Lamport clocks,
 * and l stays within the clock skew of physical time, so a stamp also says roughly when.
 * Polling stations that lose the network keep stamping their check-ins; when they sync,
 * the central registry orders every station's events by these stamps.
 */
export interface HlcTimestamp {
  /** l: milliseconds since the Unix epoch. */
  readonly wallMs: number;
  /** c: events with the same l seen before this one. */
  readonly counter: number;
  /** The station (or service) that made the stamp. */
  readonly node: string;
}

/** Largest counter a stamp may carry (the encoding has room for five decimal digits). */
export const HLC_MAX_COUNTER = 99_999;
/** A remote stamp further ahead of our physical clock than this is refused (paper §3.3). */
export const HLC_DEFAULT_MAX_DRIFT_MS = 60_000;

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 5;
const NODE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;

/**
 * Orders two stamps: by l, then c, then node. Returns a negative number, zero or a
 * positive number, like a sort comparator.
 */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/**
 * A stamp as text that sorts like `compareHlc` (fixed-width decimal l and c, then the
 * node), so a database orders journal rows by it: `000001793692800000.00003.station-7`.
 */
export function encodeHlc(t: HlcTimestamp): string {
  return `${String(t.wallMs).padStart(WALL_DIGITS, '0')}.${String(t.counter).padStart(COUNTER_DIGITS, '0')}.${t.node}`;
}

/** Reads `encodeHlc`'s text back; err naming what is wrong otherwise. */
export function decodeHlc(text: string): Result<HlcTimestamp, InvalidInputError> {
  const m = /^(\d{15})\.(\d{5})\.(.+)$/.exec(text);
  if (m === null || !NODE.test(m[3]!)) {
    return err(
      new InvalidInputError(
        `"${text.slice(0, 80)}" is not a hybrid logical clock stamp (15 digits, a dot, 5 digits, a dot, a station id).`,
        { path: 'hlc' },
      ),
    );
  }
  return ok({ wallMs: Number(m[1]), counter: Number(m[2]), node: m[3]! });
}

/** The physical time of a stamp, as the ISO 8601 UTC time a ledger entry carries. */
export function hlcTime(t: HlcTimestamp): string {
  return new Date(t.wallMs).toISOString();
}

export interface HybridLogicalClock {
  readonly node: string;
  /** Stamps a local event or a message to send (the paper's "send or local event"). */
  send(): HlcTimestamp;
  /**
   * Merges a stamp received from another node and stamps the receipt ("receive event").
   * Err, leaving the clock as it was, when the remote stamp is further ahead of our
   * physical time than the allowed drift: a station with a wrong clock must not drag
   * every other station's stamps into the future.
   */
  receive(remote: HlcTimestamp): Result<HlcTimestamp, InvalidInputError>;
  /** The last stamp issued or merged. */
  current(): HlcTimestamp;
}

/**
 * A hybrid logical clock for `node`, reading physical time from `clock`. `last` restarts
 * it after the station's software restarts (from its journal's newest stamp), so that
 * stamps keep increasing even when the wall clock was set back meanwhile.
 *
 * @example
 *   const hlc = createHlc('station-7', systemClock);
 *   const stamp = hlc.send();           // local check-in
 *   hlc.receive(stampFromCentral);      // after a sync
 */
export function createHlc(
  node: string,
  clock: Clock,
  options: { readonly last?: HlcTimestamp; readonly maxDriftMs?: number } = {},
): HybridLogicalClock {
  if (!NODE.test(node)) {
    throw new InvalidInputError(
      `"${node}" cannot name a clock: use 1 to 128 letters, digits and . _ : / @ -.`,
      { path: 'node' },
    );
  }
  const maxDrift = options.maxDriftMs ?? HLC_DEFAULT_MAX_DRIFT_MS;
  let l = options.last?.wallMs ?? 0;
  let c = options.last?.counter ?? 0;
  const physical = (): number => clock.now().getTime();
  const stamp = (): HlcTimestamp => {
    if (c > HLC_MAX_COUNTER) {
      // Only reachable when 100,000 events share one millisecond of l, i.e. l runs far
      // ahead of physical time: the paper bounds c by the skew; we refuse to wrap.
      throw new Error(`hybrid logical clock ${node}: counter overflow at l = ${l}`);
    }
    return { wallMs: l, counter: c, node };
  };

  return {
    node,
    send() {
      // Paper, Fig. 5, "send or local event": l' = l; l = max(l', pt); c = l = l' ? c + 1 : 0.
      const previous = l;
      l = Math.max(previous, physical());
      c = l === previous ? c + 1 : 0;
      return stamp();
    },
    receive(remote) {
      const pt = physical();
      if (remote.wallMs - pt > maxDrift) {
        return err(
          new InvalidInputError(
            `A clock stamp from ${remote.node} is ${remote.wallMs - pt} ms ahead of this station's clock (at most ${maxDrift} ms is accepted).`,
            { path: 'hlc', hint: `Set the clock of ${remote.node} or of this station right.` },
          ),
        );
      }
      // Paper, Fig. 5, "receive event of message m".
      const previous = l;
      l = Math.max(previous, remote.wallMs, pt);
      if (l === previous && l === remote.wallMs) c = Math.max(c, remote.counter) + 1;
      else if (l === previous) c = c + 1;
      else if (l === remote.wallMs) c = remote.counter + 1;
      else c = 0;
      return ok(stamp());
    },
    current: stamp,
  };
}
