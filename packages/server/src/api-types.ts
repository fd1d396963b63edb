/**
 * The shapes of the HTTP API. The web UI imports these with `import type`, so a change to
 * a response that the UI relies on fails to compile rather than failing in a browser.
 * This file must stay free of runtime code.
 */
import type { Election } from '@vigil/core';

/** One thing wrong with an input: where (a JSON path) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** RFC 9457 problem details, with Vigil's extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  /** A stable Vigil code such as `invalid-election` or `not-found`. */
  code?: string;
  hint?: string;
  /** Every problem found in the input, when there were several. */
  problems?: Problem[];
}

/** `GET /healthz` */
export interface HealthResponse {
  status: 'ok';
  /** Which database holds the data: `sqlite` or `postgres`. */
  store: string;
  elections: number;
}

/** `POST /api/elections`: 201 when loaded, 200 when the same bytes were already loaded. */
export interface ElectionLoadResponse {
  electionId: string;
  /** SHA-256 (hex) over the exact bytes of the definition. */
  hash: string;
  title: string;
  loadedAt: string;
}

/** One entry of `GET /api/elections`. */
export interface ElectionSummary {
  electionId: string;
  title: string;
  /** The election day, `YYYY-MM-DD`. */
  date: string;
  hash: string;
  /** When the definition was loaded (ISO 8601). */
  loadedAt: string;
}

/** `GET /api/elections` */
export interface ElectionListResponse {
  elections: ElectionSummary[];
}

/** `GET /api/elections/:electionId` and `GET /api/elections/current` */
export interface ElectionDetailResponse {
  electionId: string;
  hash: string;
  loadedAt: string;
  election: Election;
}
