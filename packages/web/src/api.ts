import type { ProblemDetails } from '@vigil/server';

/**
 * Fetching from Vigil's API. Response shapes come from @vigil/server as types only, so
 * no server code reaches the bundle and a changed contract fails to compile here.
 */

/** What the UI shows when a request fails: the server's problem, or one made up here. */
export type ShownProblem = Pick<ProblemDetails, 'title' | 'detail'> &
  Partial<Pick<ProblemDetails, 'status' | 'hint' | 'requestId' | 'problems'>>;

export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: ShownProblem };

function isProblem(value: unknown): value is ProblemDetails {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ProblemDetails>).title === 'string' &&
    typeof (value as Partial<ProblemDetails>).detail === 'string'
  );
}

/**
 * What the UI says when a request never reached the server; `then` is the way to retry
 * (reload a page that loads data, try an action again).
 */
export function unreachable(then: 'reload the page' | 'try again'): ShownProblem {
  return {
    title: 'The Vigil server could not be reached',
    detail: `Check that the server is running and the network is up, then ${then}.`,
  };
}

/** An API response as a value: its JSON body, or the server's problem, or one made up here. */
export async function resultOf<T>(response: Response): Promise<ApiResult<T>> {
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && body !== undefined) return { ok: true, value: body as T };
  if (isProblem(body)) return { ok: false, problem: body };
  return {
    ok: false,
    problem: {
      status: response.status,
      title: response.statusText || 'Request failed',
      detail: `The server answered ${response.status} without an explanation.`,
    },
  };
}

/** GETs JSON from the API; failures (HTTP or network) come back as a problem to show. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: { accept: 'application/json, application/problem+json' },
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return { ok: false, problem: unreachable('reload the page') };
  }
  return resultOf<T>(response);
}
