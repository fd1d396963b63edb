import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  VigilError,
} from '@vigil/core';
import type { Problem, ProblemDetails } from './api-types.ts';

/**
 * RFC 9457 problem details: every error the server answers, whatever produced it, is an
 * `application/problem+json` object with `type`, `title`, `status`, `detail` and
 * `instance`, plus Vigil's extensions (`code`, `requestId`, and `problems` or `hint`
 * where they apply). Stack traces and internal messages never reach the client.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Problem types. RFC 9457 §4.2.1: `about:blank` means "no more than the HTTP status
 * says", and its title must be the status phrase. Problems with Vigil-specific meaning get
 * their own URN so that clients can tell them apart without parsing the detail.
 */
const VIGIL_PROBLEM = 'urn:vigil:problem:';

/** A problem the server is about to send, before the request-specific fields are added. */
export interface ProblemInit {
  status: number;
  /** What went wrong, in a sentence that says what to do about it. */
  detail: string;
  /** A Vigil code (e.g. `invalid-election`); omitted for plain HTTP problems. */
  code?: string;
  /** Overrides the default title (the HTTP status phrase). */
  title?: string;
  hint?: string;
  problems?: readonly Problem[];
  /** Extension members (RFC 9457 §3.2) a client acts on, e.g. where to send a voter. */
  extensions?: Pick<ProblemDetails, 'reason' | 'goTo' | 'attemptsLeft'>;
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The full problem document for a request. */
export function problemFor(request: FastifyRequest, init: ProblemInit): ProblemDetails {
  const problem: ProblemDetails = {
    type: init.code === undefined ? 'about:blank' : `${VIGIL_PROBLEM}${init.code}`,
    title: init.title ?? statusTitle(init.status),
    status: init.status,
    detail: init.detail,
    // The path the client asked for, without the query (which may hold anything).
    instance: request.url.split('?', 1)[0] ?? request.url,
    requestId: request.id,
  };
  if (init.code !== undefined) problem.code = init.code;
  if (init.hint !== undefined) problem.hint = init.hint;
  if (init.problems !== undefined) problem.problems = [...init.problems];
  if (init.extensions !== undefined) Object.assign(problem, init.extensions);
  return problem;
}

/** Sends a problem document; returns the reply so handlers can `return sendProblem(...)`. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  init: ProblemInit,
): FastifyReply {
  return reply
    .code(init.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemFor(request, init)));
}

/**
 * An election definition (or other document) that broke one or more rules: the server
 * answers 422 with every problem listed, so the author can fix them all in one pass.
 */
export class InvalidDocumentError extends InvalidInputError {
  readonly problems: readonly Problem[];
  constructor(message: string, problems: readonly Problem[], options?: { hint?: string }) {
    super(message, options);
    this.name = 'InvalidDocumentError';
    this.problems = problems;
  }
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** Fastify's names for the parts of a request, in words. */
const VALIDATION_CONTEXTS: Readonly<
  Record<NonNullable<FastifyError['validationContext']>, string>
> = {
  params: 'path',
  querystring: 'query string',
  headers: 'headers',
  body: 'body',
};

/** Turns one of Fastify's request-validation errors into a list of problems with paths. */
function validationProblems(error: FastifyError): Problem[] {
  const context = error.validationContext ?? 'request';
  return (error.validation ?? []).map((v) => {
    // Ajv reports a missing property on its parent; name the property itself.
    const missing =
      v.keyword === 'required' && typeof v.params.missingProperty === 'string'
        ? `/${v.params.missingProperty}`
        : '';
    const pointer = `${v.instancePath}${missing}`;
    return {
      path: `${context}${pointer.replaceAll('/', '.')}`,
      message: v.message ?? 'is invalid',
    };
  });
}

/**
 * Maps any error to a problem. Vigil's own errors carry their meaning in their class;
 * Fastify's carry a status code; anything else is a bug, answered with a bare 500.
 */
export function problemFromError(error: unknown): ProblemInit {
  if (error instanceof VigilError) {
    if (error instanceof InvalidDocumentError) {
      return {
        status: 422,
        code: error.code,
        detail: error.message,
        problems: error.problems,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      };
    }
    const hint = error.hint === undefined ? {} : { hint: error.hint };
    if (error instanceof InvalidInputError) {
      const problems =
        error.path === undefined
          ? {}
          : { problems: [{ path: error.path, message: error.message }] };
      return { status: 422, code: error.code, detail: error.message, ...hint, ...problems };
    }
    if (error instanceof NotFoundError) {
      return { status: 404, code: error.code, detail: error.message, ...hint };
    }
    if (error instanceof ConflictError) {
      return { status: 409, code: error.code, detail: error.message, ...hint };
    }
    if (error instanceof IntegrityError) {
      // Stored data failed a check: the operator must know, so the message is shown.
      return { status: 500, code: error.code, detail: error.message, ...hint };
    }
    return { status: 400, code: error.code, detail: error.message, ...hint };
  }
  if (isFastifyError(error)) {
    if (error.validation !== undefined) {
      const problems = validationProblems(error);
      const where = VALIDATION_CONTEXTS[error.validationContext ?? 'body'];
      const first = problems[0];
      return {
        status: 400,
        code: 'invalid-request',
        detail:
          first === undefined
            ? `The request's ${where} is invalid.`
            : `The request's ${where} is invalid: ${first.path} ${first.message}.`,
        problems,
      };
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return {
          status: 415,
          detail:
            'This endpoint does not accept that Content-Type; send the body as application/json.',
        };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return {
          status: 413,
          detail: 'The request body is larger than this endpoint accepts.',
        };
      default:
        break;
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's client-error messages describe the request, not the server.
      return { status, detail: error.message };
    }
  }
  return {
    status: 500,
    detail:
      'The server met an unexpected error. It has been logged with this request id; please report it.',
  };
}

/** Fastify's error handler: one place where every thrown error becomes a problem. */
export function handleError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const init = problemFromError(error);
  if (init.status >= 500) {
    request.log.error(
      { event: 'request-failed', err: error },
      'request failed with an unexpected error',
    );
  } else {
    request.log.info(
      { event: 'request-refused', status: init.status, code: init.code },
      init.detail,
    );
  }
  return sendProblem(request, reply, init);
}
