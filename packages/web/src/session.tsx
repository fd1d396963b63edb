import { useEffect, useState, type ReactNode, type SubmitEvent } from 'react';
import type { LoginResponse } from '@vigil/server';
import { resultOf, unreachable, type ApiResult, type ShownProblem } from './api.ts';
import { ProblemMessage } from './ProblemMessage.tsx';

/**
 * Officials' sessions in the browser. The session token (RFC 6750 bearer, from
 * `POST /api/auth/login`) lives in sessionStorage, so it ends with the tab and each tab
 * (each guardian's browser, each poll worker's) holds its own sign-in. The station token
 * identifies the device, not a person, so it lives in localStorage and survives sign-outs.
 */

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly official: LoginResponse['official'];
  readonly station: LoginResponse['station'];
}

const SESSION_KEY = 'vigil.session';
const STATION_KEY = 'vigil.stationToken';
const SESSION_EVENT = 'vigil:session';

function readSession(): Session | undefined {
  try {
    const text = window.sessionStorage.getItem(SESSION_KEY);
    if (text === null) return undefined;
    const session = JSON.parse(text) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

function writeSession(session: Session | undefined): void {
  if (session === undefined) window.sessionStorage.removeItem(SESSION_KEY);
  else window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  window.dispatchEvent(new Event(SESSION_EVENT));
}

/** This device's station token, if it has been registered as a station. */
export function stationToken(): string | undefined {
  const token = window.localStorage.getItem(STATION_KEY);
  return token === null || token === '' ? undefined : token;
}

export function setStationToken(token: string | undefined): void {
  if (token === undefined || token === '') window.localStorage.removeItem(STATION_KEY);
  else window.localStorage.setItem(STATION_KEY, token.trim());
}

/** The signed-in official of this tab, kept in step with sign-in and sign-out. */
export function useSession(): Session | undefined {
  const [session, setSession] = useState(readSession);
  useEffect(() => {
    const update = () => {
      setSession(readSession());
    };
    window.addEventListener(SESSION_EVENT, update);
    window.addEventListener('storage', update);
    return () => {
      window.removeEventListener(SESSION_EVENT, update);
      window.removeEventListener('storage', update);
    };
  }, []);
  return session;
}

export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  /** Extra headers, e.g. the second official's token of a supervised override. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * Calls Vigil's API as the signed-in official (and this station, when it is one).
 * Failures come back as a problem to show; a 401 also ends the stored session, so the
 * screen asks for a new sign-in instead of failing again.
 */
export async function callApi<T>(path: string, request: ApiRequest = {}): Promise<ApiResult<T>> {
  const session = readSession();
  const station = stationToken();
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(session === undefined ? {} : { authorization: `Bearer ${session.token}` }),
    ...(station === undefined ? {} : { 'vigil-station-token': station }),
    ...request.headers,
  };
  let response: Response;
  try {
    response = await fetch(path, {
      method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
  } catch (error) {
    if (request.signal?.aborted === true) throw error;
    return { ok: false, problem: unreachable('try again') };
  }
  if (response.status === 401 && session !== undefined && path !== '/api/auth/login') {
    writeSession(undefined);
  }
  if (response.status === 204) return { ok: true, value: undefined as T };
  return resultOf<T>(response);
}

/** Signs in; on success the session is stored for this tab. */
export async function signIn(officialId: string, password: string): Promise<ApiResult<Session>> {
  const result = await callApi<LoginResponse>('/api/auth/login', {
    body: { officialId, password },
  });
  if (!result.ok) return result;
  const session: Session = {
    token: result.value.token,
    expiresAt: result.value.expiresAt,
    official: result.value.official,
    station: result.value.station,
  };
  writeSession(session);
  return { ok: true, value: session };
}

export async function signOut(): Promise<void> {
  await callApi('/api/auth/logout', { method: 'POST' });
  writeSession(undefined);
}

interface SignInGateProps {
  /** What the screen is for, shown above the form. */
  readonly purpose: string;
  /** The roles that may use the screen; others are told whom to ask. */
  readonly roles: readonly LoginResponse['official']['role'][];
  /** Ask for this device's station token too (polling station, voting booth). */
  readonly station?: boolean;
  readonly children: (session: Session) => ReactNode;
}

/**
 * Shows its children to a signed-in official of one of `roles`; otherwise a sign-in form
 * (official id, password and, on a station, the station's token).
 */
export function SignInGate({ purpose, roles, station = false, children }: SignInGateProps) {
  const session = useSession();
  if (session !== undefined && roles.includes(session.official.role)) {
    return (
      <>
        <p className="signed-in">
          Signed in as <strong>{session.official.displayName}</strong> ({session.official.role}
          {session.station === null ? '' : ` at station ${session.station.stationId}`}).{' '}
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
        {children(session)}
      </>
    );
  }
  return (
    <SignInForm
      purpose={purpose}
      station={station}
      {...(session === undefined
        ? {}
        : {
            wrongRole: `You are signed in as ${session.official.officialId} (${session.official.role}); this screen needs ${roles.join(' or ')}.`,
          })}
    />
  );
}

function SignInForm({
  purpose,
  station,
  wrongRole,
}: {
  purpose: string;
  station: boolean;
  wrongRole?: string;
}) {
  const [officialId, setOfficialId] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState(() => stationToken() ?? '');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    if (station) setStationToken(token);
    const result = await signIn(officialId.trim(), password);
    setBusy(false);
    if (!result.ok) setProblem(result.problem);
    else setPassword('');
  };
  return (
    <form className="sign-in panel" onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <h2>Sign in</h2>
      <p>{purpose}</p>
      {wrongRole !== undefined && <p role="alert">{wrongRole}</p>}
      <label>
        Official id
        <input
          name="officialId"
          autoComplete="username"
          required
          value={officialId}
          onChange={(e) => {
            setOfficialId(e.target.value);
          }}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
      </label>
      {station && (
        <label>
          Station token
          <input
            name="stationToken"
            autoComplete="off"
            value={token}
            onChange={(e) => {
              setToken(e.target.value);
            }}
          />
          <span className="field-hint">
            The token an administrator gave this device when registering it as a station.
          </span>
        </label>
      )}
      {problem !== undefined && <ProblemMessage problem={problem} />}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
