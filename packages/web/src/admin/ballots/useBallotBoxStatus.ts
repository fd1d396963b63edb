import { useCallback, useEffect, useState } from 'react';
import { getJson, type ShownProblem } from '../../api.ts';
import type { BallotBoxStatus } from './ballot-box-api.ts';

/** How often the panels re-read the status, so each guardian's step shows up everywhere. */
const REFRESH_MS = 3000;

export type StatusState =
  | { status: 'loading' }
  | { status: 'failed'; problem: ShownProblem }
  | { status: 'loaded'; value: BallotBoxStatus };

/**
 * The ballot box's public status, re-read every few seconds and at once after this
 * browser acts (`refresh`), so that a guardian publishing in another browser appears in
 * the administrator's progress without a reload.
 */
export function useBallotBoxStatus(): { state: StatusState; refresh: () => void } {
  const [state, setState] = useState<StatusState>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => {
    setTick((n) => n + 1);
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    getJson<BallotBoxStatus>('/api/ballot-box/status', controller.signal).then(
      (result) => {
        setState(
          result.ok
            ? { status: 'loaded', value: result.value }
            : { status: 'failed', problem: result.problem },
        );
      },
      () => undefined,
    );
    const timer = window.setTimeout(refresh, REFRESH_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [tick, refresh]);
  return { state, refresh };
}

/** The phases in words, for officials. */
export const PHASE_WORDS: Readonly<Record<BallotBoxStatus['phase'], string>> = {
  'key-ceremony-not-started': 'Key ceremony not started',
  'key-ceremony': 'Key ceremony in progress',
  ready: 'Ready: keys in place, polls not yet open',
  'polls-open': 'Polls open',
  'polls-closed': 'Polls closed',
  tallied: 'Tallied: waiting for the guardians’ decryption shares',
  decrypted: 'Decrypted: results published',
};
