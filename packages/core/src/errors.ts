/**
 * Errors a person can meet. Each carries a stable machine code and a message that says
 * what is wrong and what to do about it. Server routes turn them into RFC 9457 problem
 * details; the CLI prints the message.
 */
export class VigilError extends Error {
  readonly code: string;
  /** What the person should do next, if the message alone does not say. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.hint = options?.hint;
  }
}

/** The input was malformed or broke a rule; the caller must fix it. */
export class InvalidInputError extends VigilError {
  /** Where in the input: a JSON path such as `contests[2].voteFor`. */
  readonly path: string | undefined;
  constructor(message: string, options?: { path?: string; hint?: string; cause?: unknown }) {
    super('invalid-input', message, options);
    this.name = 'InvalidInputError';
    this.path = options?.path;
  }
}

/** A thing the caller named does not exist. */
export class NotFoundError extends VigilError {
  constructor(message: string, options?: { hint?: string }) {
    super('not-found', message, options);
    this.name = 'NotFoundError';
  }
}

/** The request conflicts with the current state (already exists, already done). */
export class ConflictError extends VigilError {
  constructor(message: string, options?: { hint?: string }) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** Something that must hold did not: tampering, a bad signature, a failed proof. */
export class IntegrityError extends VigilError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super('integrity', message, options);
    this.name = 'IntegrityError';
  }
}
