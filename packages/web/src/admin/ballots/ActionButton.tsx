import { useState } from 'react';
import type { ApiResult, ShownProblem } from '../../api.ts';
import { ProblemMessage } from '../../ProblemMessage.tsx';

/**
 * A button that calls the API once, shows that it is working, and then what happened:
 * the problem in the server's words, or `done(value)` as a status message.
 */
export function ActionButton<T>({
  label,
  busyLabel,
  action,
  done,
  onDone,
  primary = true,
}: {
  label: string;
  busyLabel: string;
  action: () => Promise<ApiResult<T>>;
  done: (value: T) => string;
  onDone?: (value: T) => void;
  primary?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<ShownProblem | undefined>();
  const run = async () => {
    setBusy(true);
    setProblem(undefined);
    setMessage('');
    const result = await action();
    setBusy(false);
    if (result.ok) {
      setMessage(done(result.value));
      onDone?.(result.value);
    } else setProblem(result.problem);
  };
  return (
    <div className="action">
      <button
        type="button"
        className={primary ? 'primary-action' : undefined}
        disabled={busy}
        onClick={() => void run()}
      >
        {busy ? busyLabel : label}
      </button>
      <p role="status" className="action-status">
        {message}
      </p>
      {problem !== undefined && <ProblemMessage problem={problem} />}
    </div>
  );
}
