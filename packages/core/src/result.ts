/**
 * Expected failures are values, not exceptions (the vxsuite habit): a function that can
 * fail for a reason the caller must handle returns `Result<T, E>`.
 *
 * @example
 *   const r = parseElection(bytes);
 *   if (!r.ok) return reportProblems(r.error);
 *   use(r.value);
 */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}
export type Result<T, E> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** Returns the value of an Ok, or throws: for places where an Err is a programming error. */
export function unwrap<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  const e = result.error;
  throw e instanceof Error ? e : new Error(`unwrap of an Err: ${JSON.stringify(e)}`);
}

/** Makes a `switch` over a union exhaustive at compile time (Signal-Desktop's missingCaseError). */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
