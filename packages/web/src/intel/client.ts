import type { IntelProfile, IntelTlp } from '@vigil/server';
import { unreachable, type ApiResult, type ShownProblem } from '../api.ts';

/**
 * The intelligence console's side of the hub: TAXII 2.1 under /taxii2/vigil/ and the
 * console's helpers under /api/intel/, both with HTTP Basic (RFC 7617) credentials of an
 * intel user. The credentials live in this module's memory only, never in storage: a
 * reload asks for them again, and nothing of them outlives the tab.
 */

export const TAXII_ROOT = '/taxii2/vigil';
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

export interface IntelCredentials {
  readonly userId: string;
  readonly password: string;
}

/** A STIX object as it travels: a JSON object with at least a type and an id. */
export type StixObject = Readonly<Record<string, unknown>> & {
  readonly type: string;
  readonly id: string;
};

export interface TaxiiCollection {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly can_read: boolean;
  readonly can_write: boolean;
}

export interface TaxiiEnvelope {
  readonly more?: boolean;
  readonly next?: string;
  readonly objects?: StixObject[];
}

export interface TaxiiStatusView {
  readonly id: string;
  readonly success_count: number;
  readonly failure_count: number;
  readonly failures: readonly { id: string; message: string }[];
  readonly successes: readonly { id: string; message?: string }[];
}

export interface IntelAlertView {
  readonly id: string;
  readonly collection: string;
  readonly object_id: string;
  readonly via: string;
  readonly jurisdiction: string;
  readonly created: string;
}

const UNREACHABLE = unreachable('try again');

/** RFC 7617: base64 of the UTF-8 of `id:password`. */
export function basicAuthorization(credentials: IntelCredentials): string {
  const bytes = new TextEncoder().encode(`${credentials.userId}:${credentials.password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** A TAXII error message (§3.6.1) or a problem document, as a problem to show. */
function problemOf(status: number, statusText: string, body: unknown): ShownProblem {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    if (typeof b.title === 'string' && typeof b.detail === 'string') return body as ShownProblem;
    if (typeof b.title === 'string' && typeof b.description === 'string') {
      const failures = (b.details as { failures?: { id: string; message: string }[] } | undefined)
        ?.failures;
      return {
        status,
        title: b.title,
        detail: b.description,
        ...(failures === undefined
          ? {}
          : { problems: failures.map((f) => ({ path: f.id, message: f.message })) }),
      };
    }
  }
  return {
    status,
    title: statusText || 'Request failed',
    detail: `The server answered ${status} without an explanation.`,
  };
}

/** One request to the hub as `credentials`; TAXII media types for /taxii2, JSON otherwise. */
export async function hubRequest<T>(
  credentials: IntelCredentials,
  path: string,
  options: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown; signal?: AbortSignal } = {},
): Promise<ApiResult<T>> {
  const taxii = path.startsWith('/taxii2/');
  const type = taxii ? TAXII_MEDIA_TYPE : 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: basicAuthorization(credentials),
        accept: taxii ? TAXII_MEDIA_TYPE : 'application/json, application/problem+json',
        ...(options.body === undefined ? {} : { 'content-type': type }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    return { ok: false, problem: UNREACHABLE };
  }
  if (response.status === 204) return { ok: true, value: undefined as T };
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, value: (body ?? {}) as T };
  return { ok: false, problem: problemOf(response.status, response.statusText, body) };
}

/** The objects of a collection the reader may read, newest first (up to `max`). */
export async function collectionObjects(
  credentials: IntelCredentials,
  collectionId: string,
  options: { type?: string; max?: number; signal?: AbortSignal } = {},
): Promise<ApiResult<StixObject[]>> {
  const max = options.max ?? 500;
  const objects: StixObject[] = [];
  let next: string | undefined;
  // TAXII pages in the order objects were added (§3.4); the feed shows the newest first.
  do {
    const query = new URLSearchParams({
      limit: '200',
      ...(options.type === undefined ? {} : { 'match[type]': options.type }),
      ...(next === undefined ? {} : { next }),
    });
    const page = await hubRequest<TaxiiEnvelope>(
      credentials,
      `${TAXII_ROOT}/collections/${encodeURIComponent(collectionId)}/objects/?${query.toString()}`,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (!page.ok) return page;
    objects.push(...(page.value.objects ?? []));
    next = page.value.more === true ? page.value.next : undefined;
  } while (next !== undefined && objects.length < max);
  return { ok: true, value: objects.reverse() };
}

/** The TLP 2.0 marking of an object, or the collection's default when it carries none. */
export function tlpOfObject(
  object: StixObject,
  markings: IntelProfile['markings'],
  fallback: IntelTlp,
): IntelTlp {
  const order: IntelTlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
  const refs = Array.isArray(object.object_marking_refs) ? object.object_marking_refs : [];
  let found: IntelTlp | undefined;
  for (const tlp of order) if (refs.includes(markings[tlp])) found = tlp;
  return found ?? fallback;
}

/** A random UUID (version 4, RFC 9562 §5.4) for a new STIX id; works outside secure contexts. */
export function uuidV4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Listens to the live alert stream (server-sent events). EventSource cannot send an
 * Authorization header, so the stream is read with fetch and a ReadableStream and parsed
 * as the HTML standard's event-stream format (fields `event`, `data`, `id`; a blank line
 * ends an event). `onOpen` runs once the server has accepted the stream, from when on no
 * alert can be missed. Resolves when the stream ends or `signal` aborts.
 */
export async function listenToAlerts(
  credentials: IntelCredentials,
  onAlert: (alert: IntelAlertView) => void,
  signal: AbortSignal,
  onOpen: () => void = () => undefined,
): Promise<'ended' | ShownProblem> {
  let response: Response;
  try {
    response = await fetch(`${TAXII_ROOT}/alerts/stream/`, {
      headers: { authorization: basicAuthorization(credentials), accept: 'text/event-stream' },
      signal,
      cache: 'no-store',
    });
  } catch {
    return signal.aborted ? 'ended' : UNREACHABLE;
  }
  if (!response.ok || response.body === null) {
    const body: unknown = await response.json().catch(() => undefined);
    return problemOf(response.status, response.statusText, body);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'ended';
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event === 'alert' && data.length > 0) {
            onAlert(JSON.parse(data.join('\n')) as IntelAlertView);
          }
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
      }
    }
  } catch {
    return signal.aborted ? 'ended' : UNREACHABLE;
  }
}

export const TLP_LABELS: Readonly<Record<IntelTlp, string>> = {
  clear: 'TLP:CLEAR',
  green: 'TLP:GREEN',
  amber: 'TLP:AMBER',
  'amber+strict': 'TLP:AMBER+STRICT',
  red: 'TLP:RED',
};

export const TLP_MEANING: Readonly<Record<IntelTlp, string>> = {
  clear: 'anyone may read it',
  green: "the poster's community (its state or counties and sharing groups)",
  amber: "the poster's organisation and the organisations or groups named",
  'amber+strict': "the poster's organisation only",
  red: 'the people named only',
};

export const TLPS: readonly IntelTlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
