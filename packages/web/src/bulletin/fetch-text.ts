import { unreachable, type ApiResult } from '../api.ts';

/**
 * GETs a plain-text answer (the ledger's signed checkpoint and verifier key are text, as
 * C2SP tlog clients expect); a failure comes back as a problem to show.
 */
export async function fetchText(path: string, signal?: AbortSignal): Promise<ApiResult<string>> {
  let response: Response;
  try {
    response = await fetch(path, { ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return { ok: false, problem: unreachable('reload the page') };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, value: text };
  try {
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown };
    if (typeof problem.title === 'string' && typeof problem.detail === 'string') {
      return {
        ok: false,
        problem: { title: problem.title, detail: problem.detail, status: response.status },
      };
    }
  } catch {
    // Not a problem document: described below.
  }
  return {
    ok: false,
    problem: {
      status: response.status,
      title: response.statusText || 'Request failed',
      detail: `The server answered ${response.status} without an explanation.`,
    },
  };
}
