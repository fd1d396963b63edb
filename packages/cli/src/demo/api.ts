import type { FastifyInstance } from 'fastify';
import { SECOND_OFFICIAL_HEADER, STATION_TOKEN_HEADER } from '@vigil/server';

/**
 * The demo's HTTP client. Every step of `vigil demo` goes through the server's HTTP API,
 * the one the web UI calls, with the same bearer sessions, station tokens and request
 * schemas; the requests are injected into the in-process Fastify app (`app.inject`), so
 * they take the whole route path (hooks, validation, serialisation) without a socket.
 */

/** Who makes a request: an official's session, a station's token, or both. */
export interface Caller {
  /** `Authorization: Bearer <session token>` (an official signed in). */
  readonly session?: string;
  /** The station's token (`Vigil-Station-Token`). */
  readonly station?: string;
}

export interface CallOptions extends Caller {
  readonly body?: unknown;
  /** A raw body with its media type (the roll file), instead of JSON. */
  readonly raw?: { readonly bytes: Uint8Array | string; readonly contentType: string };
  /** A second official's id and password, for a supervised override (Basic). */
  readonly secondOfficial?: { readonly officialId: string; readonly password: string };
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

/** An RFC 9457 problem as the server sends it (the fields the demo reads). */
export interface ApiProblem {
  readonly status: number;
  readonly code?: string;
  readonly detail?: string;
  readonly reason?: string;
  readonly attemptsLeft?: number;
}

/** A request that was answered with another status than the demo expects. */
export class DemoApiError extends Error {
  readonly status: number;
  readonly problem: ApiProblem | undefined;
  constructor(method: string, path: string, status: number, problem: ApiProblem | undefined) {
    const detail = problem?.detail ?? `status ${status}`;
    super(`${method} ${path} answered ${status}: ${detail}`);
    this.name = 'DemoApiError';
    this.status = status;
    this.problem = problem;
  }
}

type Method = 'GET' | 'POST' | 'PUT';

export class DemoApi {
  /** Requests made, for the summary. */
  requests = 0;
  constructor(private readonly app: FastifyInstance) {}

  /** Any answer, parsed (JSON when the server says so, else the text). */
  async call<T>(method: Method, path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (options.session !== undefined) headers.authorization = `Bearer ${options.session}`;
    if (options.station !== undefined) headers[STATION_TOKEN_HEADER] = options.station;
    if (options.secondOfficial !== undefined) {
      const { officialId, password } = options.secondOfficial;
      headers[SECOND_OFFICIAL_HEADER] =
        `Basic ${Buffer.from(`${officialId}:${password}`).toString('base64')}`;
    }
    let payload: string | Buffer | undefined;
    if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType;
      payload =
        typeof options.raw.bytes === 'string'
          ? options.raw.bytes
          : Buffer.from(
              options.raw.bytes.buffer,
              options.raw.bytes.byteOffset,
              options.raw.bytes.byteLength,
            );
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    this.requests++;
    const response = await this.app.inject({
      method,
      url: path,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const type = String(response.headers['content-type'] ?? '');
    const body = (type.includes('json') ? response.json() : response.body) as T;
    return { status: response.statusCode, body };
  }

  /** The body of an answer with one of the `expected` statuses; DemoApiError otherwise. */
  async expect<T>(
    expected: number | readonly number[],
    method: Method,
    path: string,
    options: CallOptions = {},
  ): Promise<T> {
    const answer = await this.call<T>(method, path, options);
    const wanted = typeof expected === 'number' ? [expected] : expected;
    if (!wanted.includes(answer.status)) {
      throw new DemoApiError(method, path, answer.status, problemOf(answer.body));
    }
    return answer.body;
  }

  get<T>(path: string, caller: Caller = {}): Promise<T> {
    return this.expect<T>(200, 'GET', path, caller);
  }

  post<T>(path: string, body: unknown, caller: Caller = {}, status = 201): Promise<T> {
    return this.expect<T>(status, 'POST', path, { ...caller, body });
  }
}

/** The problem document of an answer, when it is one. */
export function problemOf(body: unknown): ApiProblem | undefined {
  if (typeof body !== 'object' || body === null || !('status' in body)) return undefined;
  return body as ApiProblem;
}
