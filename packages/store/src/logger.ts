import { inspect } from 'node:util';

/**
 * What the store logs through. The shape is a subset of pino's (Fastify's logger), so a
 * Fastify or pino logger can be passed as is. Every event has a stable `event` field.
 */
export interface StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A thrown value as text for a message: an Error's message, anything else inspected. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : inspect(e);
}
