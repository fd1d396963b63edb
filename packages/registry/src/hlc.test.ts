import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixedClock, unwrap } from '@vigil/core';
import { compareHlc, createHlc, decodeHlc, encodeHlc, hlcTime, type HlcTimestamp } from './hlc.ts';

const T0 = new Date('2026-11-03T07:00:00.000Z');

describe('hybrid logical clock (Kulkarni et al. 2014)', () => {
  it('follows physical time and counts events within one millisecond', () => {
    const clock = fixedClock(T0);
    const hlc = createHlc('station-1', clock);
    const a = hlc.send();
    const b = hlc.send();
    expect(a).toEqual({ wallMs: T0.getTime(), counter: 0, node: 'station-1' });
    expect(b).toEqual({ wallMs: T0.getTime(), counter: 1, node: 'station-1' });
    clock.advance(5);
    expect(hlc.send()).toEqual({ wallMs: T0.getTime() + 5, counter: 0, node: 'station-1' });
  });

  it('never goes backwards when the wall clock does', () => {
    const clock = fixedClock(T0);
    const hlc = createHlc('station-1', clock);
    const a = hlc.send();
    clock.advance(-10_000);
    const b = hlc.send();
    expect(compareHlc(a, b)).toBeLessThan(0);
    expect(b.wallMs).toBe(a.wallMs);
  });

  it('orders a receive after the message it received (causality)', () => {
    const fast = createHlc('station-fast', fixedClock(new Date(T0.getTime() + 2_000)));
    const slowClock = fixedClock(T0);
    const slow = createHlc('station-slow', slowClock);
    const sent = fast.send();
    const received = unwrap(slow.receive(sent));
    expect(compareHlc(sent, received)).toBeLessThan(0);
    expect(received).toEqual({
      wallMs: sent.wallMs,
      counter: sent.counter + 1,
      node: 'station-slow',
    });
    // l stays the remote one until the local clock passes it, counting meanwhile.
    slowClock.advance(1_000);
    expect(slow.send()).toEqual({
      wallMs: sent.wallMs,
      counter: sent.counter + 2,
      node: 'station-slow',
    });
    slowClock.advance(1_001);
    expect(slow.send()).toEqual({ wallMs: T0.getTime() + 2_001, counter: 0, node: 'station-slow' });
  });

  it('covers every case of the receive rule', () => {
    const clock = fixedClock(T0);
    const t = T0.getTime();
    const at = (wallMs: number, counter: number): HlcTimestamp => ({ wallMs, counter, node: 'r' });
    // l = l' = l_m: max of the counters plus one.
    const h1 = createHlc('n', clock, { last: at(t + 10, 4) });
    expect(unwrap(h1.receive(at(t + 10, 7))).counter).toBe(8);
    // l = l' only (remote behind): own counter plus one.
    const h2 = createHlc('n', clock, { last: at(t + 10, 4) });
    expect(unwrap(h2.receive(at(t - 5, 9))).counter).toBe(5);
    // l = l_m only (remote ahead): remote counter plus one.
    const h3 = createHlc('n', clock, { last: at(t - 10, 4) });
    expect(unwrap(h3.receive(at(t + 10, 2)))).toMatchObject({ wallMs: t + 10, counter: 3 });
    // physical time ahead of both: counter restarts.
    const h4 = createHlc('n', clock, { last: at(t - 10, 4) });
    expect(unwrap(h4.receive(at(t - 20, 2)))).toMatchObject({ wallMs: t, counter: 0 });
  });

  it('refuses a remote stamp too far in the future, and stays as it was', () => {
    const hlc = createHlc('station-1', fixedClock(T0), { maxDriftMs: 1_000 });
    const before = hlc.send();
    const r = hlc.receive({ wallMs: T0.getTime() + 5_000, counter: 0, node: 'station-9' });
    expect(!r.ok && r.error.message).toMatch(/station-9 is 5000 ms ahead.*at most 1000 ms/);
    expect(hlc.current()).toEqual(before);
  });

  it('restarts from the last stamp of the journal', () => {
    const last = { wallMs: T0.getTime() + 60_000, counter: 3, node: 'station-1' };
    const hlc = createHlc('station-1', fixedClock(T0), { last });
    expect(compareHlc(last, hlc.send())).toBeLessThan(0);
  });

  it('breaks ties by station, so two stations never make equal stamps', () => {
    const a = createHlc('station-a', fixedClock(T0)).send();
    const b = createHlc('station-b', fixedClock(T0)).send();
    expect(compareHlc(a, b)).toBeLessThan(0);
    expect(compareHlc(b, a)).toBeGreaterThan(0);
    expect(compareHlc(a, { ...a })).toBe(0);
  });

  it('encodes stamps as text that sorts like the stamps, and decodes them back', () => {
    const stamp = fc.record({
      wallMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      counter: fc.integer({ min: 0, max: 99_999 }),
      node: fc.constantFrom('station-1', 'station-2', 'registry', 'st.7'),
    });
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        const ea = encodeHlc(a);
        expect(unwrap(decodeHlc(ea))).toEqual(a);
        const text = ea < encodeHlc(b) ? -1 : ea > encodeHlc(b) ? 1 : 0;
        expect(text).toBe(Math.sign(compareHlc(a, b)));
      }),
    );
    expect(encodeHlc({ wallMs: T0.getTime(), counter: 3, node: 'station-7' })).toBe(
      '001793689200000.00003.station-7',
    );
    expect(hlcTime({ wallMs: T0.getTime(), counter: 3, node: 'x' })).toBe(T0.toISOString());
  });

  it('says what is wrong with a malformed stamp or clock name', () => {
    expect(decodeHlc('12.3.x').ok).toBe(false);
    const r = decodeHlc('001793689200000.00003.has space');
    expect(!r.ok && r.error.message).toMatch(/not a hybrid logical clock stamp/);
    expect(() => createHlc('bad name', fixedClock(T0))).toThrow(/cannot name a clock/);
  });

  it('keeps causality over random message exchanges between stations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 2 }),
            fc.integer({ min: 0, max: 2 }),
            fc.integer({ min: -50, max: 50 }),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (steps) => {
          const clocks = [0, 1, 2].map(() => fixedClock(T0));
          const nodes = clocks.map((c, i) => createHlc(`s${i}`, c, { maxDriftMs: 1e9 }));
          const last = nodes.map((n) => n.current());
          for (const [from, to, skew] of steps) {
            clocks[from]!.advance(skew);
            const sent = nodes[from]!.send();
            expect(compareHlc(last[from]!, sent)).toBeLessThan(0);
            const got = unwrap(nodes[to]!.receive(sent));
            expect(compareHlc(sent, got)).toBeLessThan(0);
            last[from] = sent;
            last[to] = got;
          }
        },
      ),
    );
  });
});
