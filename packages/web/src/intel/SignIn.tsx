import { useState, type SubmitEvent } from 'react';
import type { IntelProfile } from '@vigil/server';
import type { ShownProblem } from '../api.ts';
import { ProblemMessage } from '../ProblemMessage.tsx';
import { hubRequest } from './client.ts';
import type { Hub } from './hub.tsx';

/**
 * Sign-in to the intelligence hub: an intel user's id and password, checked by asking
 * the hub who they are (`GET /api/intel/me` with HTTP Basic). The password is kept in
 * memory for the requests that follow, never stored.
 */
export function IntelSignIn({ onSignedIn }: { onSignedIn: (hub: Hub) => void }) {
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    const credentials = { userId: userId.trim(), password };
    const me = await hubRequest<IntelProfile>(credentials, '/api/intel/me');
    setBusy(false);
    if (!me.ok) {
      setProblem(me.problem);
      return;
    }
    onSignedIn({ credentials, profile: me.value });
  };
  return (
    <form
      className="sign-in panel"
      onSubmit={(e) => void submit(e)}
      aria-label="Sign in to the intelligence hub"
    >
      <h2>Sign in</h2>
      <p>
        Sign in as a person of the intelligence hub (a federal agency, a state, a county or a
        partner). You are asked again after reloading the page: the password is not stored.
      </p>
      <label>
        User id
        <input
          name="intelUserId"
          autoComplete="username"
          required
          value={userId}
          onChange={(e) => {
            setUserId(e.target.value);
          }}
        />
      </label>
      <label>
        Password
        <input
          name="intelPassword"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
      </label>
      {problem !== undefined && <ProblemMessage problem={problem} />}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
