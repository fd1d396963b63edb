import damerauLevenshtein from 'damerau-levenshtein';
import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import type { StoreOperations, VoterStatus } from '@vigil/store';
import { parseAamvaPayload, type IdCardData } from './barcode.ts';
import { checkBirthDate, normaliseDocumentNumber } from './roll.ts';
import type { Voter } from './types.ts';

/**
 * Finding a voter on the roll: by name (tolerant of typos and accents), date of birth,
 * voter id, or the barcode of an ID card.
 *
 * Names are normalised (Unicode NFD, combining marks removed, case folded, punctuation
 * to spaces), so "José Núñez" and "JOSE NUNEZ" are the same text. Retrieval: the store
 * keeps the trigrams of each voter's normalised names (pg_trgm's scheme: each word padded
 * with two spaces before and one after) in an indexed table, and returns the voters
 * sharing the most trigrams with the query. Ranking: each query word is paired with the
 * most similar name word of the voter (Damerau-Levenshtein: a transposition is one edit),
 * and the similarities are averaged, so "Smiht Jhon" finds John Smith.
 */

/** Name text to the form that is indexed and compared. */
export function normaliseName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a name, normalised. */
export function nameWords(text: string): string[] {
  const n = normaliseName(text);
  return n === '' ? [] : n.split(' ');
}

/** Trigrams of the words (each padded "  word "), without repeats. */
export function nameTrigrams(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const padded = `  ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return [...out];
}

/** The words a voter is found by: given, middle and family names. */
export function voterNameWords(
  voter: Pick<Voter, 'givenName' | 'middleName' | 'familyName'>,
): string[] {
  return nameWords(`${voter.givenName} ${voter.middleName ?? ''} ${voter.familyName}`);
}

/** Similarity 0..1 of a query to a voter's name: mean best word similarity. */
export function nameSimilarity(queryWords: readonly string[], words: readonly string[]): number {
  if (queryWords.length === 0 || words.length === 0) return 0;
  let sum = 0;
  for (const q of queryWords) {
    let best = 0;
    for (const w of words) {
      // An initial ("j") matches a word starting with it, but weakly.
      const s = q.length === 1 ? (w.startsWith(q) ? 0.8 : 0) : damerauLevenshtein(q, w).similarity;
      if (s > best) best = s;
    }
    sum += best;
  }
  return sum / queryWords.length;
}

export type VoterSearch =
  | {
      readonly kind: 'name';
      readonly text: string;
      /** Narrow to this date of birth (YYYY-MM-DD). */
      readonly birthDate?: string;
      /** Lowest similarity returned (default 0.7). */
      readonly minSimilarity?: number;
    }
  | { readonly kind: 'birth-date'; readonly birthDate: string }
  | { readonly kind: 'voter-id'; readonly voterId: string }
  | { readonly kind: 'barcode'; readonly payload: string };

export interface VoterSearchHit {
  readonly voter: Voter;
  /** 1 for an exact key (id, document number, date of birth); the name similarity otherwise. */
  readonly similarity: number;
  readonly matchedBy:
    'voter-id' | 'birth-date' | 'name' | 'document-number' | 'name-and-birth-date';
}

export interface SearchOptions {
  /** At most this many hits (default 20). */
  readonly limit?: number;
  /** Only these statuses (default: all). */
  readonly statuses?: readonly VoterStatus[];
}

/** How many trigram candidates are ranked per name search. */
const CANDIDATES = 500;
export const DEFAULT_MIN_SIMILARITY = 0.7;

type Finder = Pick<StoreOperations, 'findVoters'>;

async function byName(
  store: Finder,
  text: string,
  birthDate: string | undefined,
  minSimilarity: number,
  options: SearchOptions,
): Promise<VoterSearchHit[]> {
  const words = nameWords(text);
  const trigrams = nameTrigrams(words);
  if (trigrams.length === 0) return [];
  const found = await store.findVoters({
    nameTrigrams: trigrams,
    // A typo changes up to three trigrams of a word; demanding a fifth of the query's
    // trigrams keeps misspelt names while cutting the candidates of a large roll.
    minSharedTrigrams: Math.max(1, Math.floor(trigrams.length / 5)),
    ...(birthDate === undefined ? {} : { birthDate }),
    ...(options.statuses === undefined ? {} : { statuses: options.statuses }),
    limit: CANDIDATES,
  });
  return found
    .map(({ voter }) => ({
      voter,
      similarity: nameSimilarity(words, voterNameWords(voter)),
      matchedBy: birthDate === undefined ? ('name' as const) : ('name-and-birth-date' as const),
    }))
    .filter((h) => h.similarity >= minSimilarity)
    .sort((a, b) => b.similarity - a.similarity || (a.voter.voterId < b.voter.voterId ? -1 : 1))
    .slice(0, options.limit ?? 20);
}

/** The voters an ID card's barcode points at: its document number, else name and birth date. */
async function byCard(
  store: Finder,
  card: IdCardData,
  options: SearchOptions,
): Promise<VoterSearchHit[]> {
  const limit = options.limit ?? 20;
  const statuses = options.statuses === undefined ? {} : { statuses: options.statuses };
  const documentNumber = normaliseDocumentNumber(card.documentNumber);
  if (documentNumber !== '') {
    const found = await store.findVoters({ documentNumber, ...statuses, limit });
    if (found.length > 0) {
      return found.map(({ voter }) => ({ voter, similarity: 1, matchedBy: 'document-number' }));
    }
  }
  if (card.birthDate === undefined || card.familyName === undefined) return [];
  const text = `${card.givenName ?? ''} ${card.familyName}`;
  // The card's name must be close, not merely similar: a birth date is shared by many.
  return byName(store, text, card.birthDate, 0.85, options);
}

/**
 * Searches the roll. Expected failures (a malformed date, an unreadable barcode) are err
 * values with a sentence to show.
 *
 * @example
 *   const hits = await searchVoters(store, { kind: 'name', text: 'Jose Nunez' });
 */
export async function searchVoters(
  store: Finder,
  search: VoterSearch,
  options: SearchOptions = {},
): Promise<Result<VoterSearchHit[], InvalidInputError>> {
  const limit = options.limit ?? 20;
  const statuses = options.statuses === undefined ? {} : { statuses: options.statuses };
  switch (search.kind) {
    case 'voter-id': {
      const found = await store.findVoters({
        voterIds: [search.voterId.trim()],
        ...statuses,
        limit: 1,
      });
      return ok(found.map(({ voter }) => ({ voter, similarity: 1, matchedBy: 'voter-id' })));
    }
    case 'birth-date': {
      const date = checkBirthDate(search.birthDate);
      if (!date.ok)
        return err(new InvalidInputError(`The date of birth ${date.error}`, { path: 'birthDate' }));
      const found = await store.findVoters({ birthDate: date.value, ...statuses, limit });
      return ok(found.map(({ voter }) => ({ voter, similarity: 1, matchedBy: 'birth-date' })));
    }
    case 'name': {
      let birthDate: string | undefined;
      if (search.birthDate !== undefined) {
        const date = checkBirthDate(search.birthDate);
        if (!date.ok)
          return err(
            new InvalidInputError(`The date of birth ${date.error}`, { path: 'birthDate' }),
          );
        birthDate = date.value;
      }
      if (nameWords(search.text).length === 0) {
        return err(
          new InvalidInputError('Give at least one letter of a name to search for.', {
            path: 'text',
          }),
        );
      }
      return ok(
        await byName(
          store,
          search.text,
          birthDate,
          search.minSimilarity ?? DEFAULT_MIN_SIMILARITY,
          options,
        ),
      );
    }
    case 'barcode': {
      const card = parseAamvaPayload(search.payload);
      if (!card.ok) return card;
      return ok(await byCard(store, card.value, options));
    }
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One search box: an AAMVA barcode payload (starts with "@"), a date (YYYY-MM-DD), a voter
 * id (exact), else a name. A text that could be an id and a name is tried as both.
 */
export async function searchRoll(
  store: Finder,
  text: string,
  options: SearchOptions = {},
): Promise<Result<VoterSearchHit[], InvalidInputError>> {
  const t = text.trim();
  if (t.startsWith('@')) return searchVoters(store, { kind: 'barcode', payload: text }, options);
  if (ISO_DATE.test(t)) return searchVoters(store, { kind: 'birth-date', birthDate: t }, options);
  const byId = await searchVoters(store, { kind: 'voter-id', voterId: t }, options);
  if (byId.ok && byId.value.length > 0) return byId;
  return searchVoters(store, { kind: 'name', text: t }, options);
}
