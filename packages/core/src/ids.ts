import { randomUUID } from 'node:crypto';

/**
 * Branded identifier types (the Signal-Desktop habit): a `PrecinctId` cannot be passed
 * where a `ContestId` is wanted, though both are strings at run time.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ElectionId = Brand<string, 'ElectionId'>;
export type DistrictId = Brand<string, 'DistrictId'>;
export type PrecinctId = Brand<string, 'PrecinctId'>;
export type SplitId = Brand<string, 'SplitId'>;
export type PartyId = Brand<string, 'PartyId'>;
export type ContestId = Brand<string, 'ContestId'>;
export type CandidateId = Brand<string, 'CandidateId'>;
export type BallotStyleId = Brand<string, 'BallotStyleId'>;
export type StationId = Brand<string, 'StationId'>;
export type ActorId = Brand<string, 'ActorId'>;

/** A random RFC 9562 version 4 UUID, for records that need no meaning in their id. */
export function newId<B extends string>(): Brand<string, B> {
  return randomUUID() as Brand<string, B>;
}

/** Ids in election definitions: letters, digits, '-', '_' and '.', 1 to 64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
