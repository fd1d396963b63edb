import { useCallback, useEffect, useState } from 'react';
import { callApi } from '../../session.tsx';
import type { LoadState } from '../../useApi.ts';

/**
 * GETs `path` as the signed-in official when the component mounts, when `path` changes
 * and when `reload` is called; the previous value stays on screen while reloading, so a
 * refreshed dashboard does not flash. `path` undefined: nothing is fetched.
 */
export function useOfficialApi<T>(path: string | undefined): {
  state: LoadState<T> | undefined;
  reload: () => void;
} {
  const [state, setState] = useState<LoadState<T> | undefined>(
    path === undefined ? undefined : { status: 'loading' },
  );
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === undefined) {
      setState(undefined);
      return;
    }
    const controller = new AbortController();
    callApi<T>(path, { signal: controller.signal }).then(
      (result) => {
        setState(
          result.ok
            ? { status: 'loaded', value: result.value }
            : { status: 'failed', problem: result.problem },
        );
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({
          status: 'failed',
          problem: { title: 'Unexpected error', detail: String(error) },
        });
      },
    );
    return () => {
      controller.abort();
    };
  }, [path, generation]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  return { state, reload };
}

const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** `part` of `whole` as a percentage, or an en dash when there is no whole. */
export function share(part: number, whole: number): string {
  return whole === 0 ? '–' : percent.format(part / whole);
}
