import { useEffect, useState } from 'react';
import { getJson, type ShownProblem } from './api.ts';

export type LoadState<T> =
  | { status: 'loading' }
  | { status: 'failed'; problem: ShownProblem }
  | { status: 'loaded'; value: T };

/** GETs `path` when the component mounts (and when `path` changes); aborts on unmount. */
export function useApi<T>(path: string): LoadState<T> {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    getJson<T>(path, controller.signal).then(
      (result) => {
        setState(
          result.ok
            ? { status: 'loaded', value: result.value }
            : { status: 'failed', problem: result.problem },
        );
      },
      (error: unknown) => {
        // Aborted because the page changed: nothing to show.
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
  }, [path]);
  return state;
}
