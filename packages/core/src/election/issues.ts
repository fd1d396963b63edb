import { z } from 'zod';
import { describeValue, listInWords } from './describe.ts';
import { formatPath } from './path.ts';
import type { ElectionProblem } from './types.ts';

/**
 * Turns zod's generic issues into sentences for a person editing the file: what is wrong
 * with the field, and what to write instead. Passed to `safeParse` as its error map, so it
 * is used only where a schema did not give its own message.
 */
export const describeIssue: z.core.$ZodErrorMap = (issue) => {
  const path = issue.path ?? [];
  const name = fieldName(path);
  switch (issue.code) {
    case 'invalid_type': {
      const wanted = expectedInWords(issue.expected);
      if (path.length === 0) {
        return `an election definition must be a JSON object in curly braces, but this is ${describeValue(issue.input)}; wrap the definition in { }.`;
      }
      if (issue.input === undefined) return `${name} is missing; add it, as ${wanted}.`;
      return `${name} must be ${wanted}, but it is ${describeValue(issue.input)}; correct the value.`;
    }
    case 'invalid_value': {
      const choices = listInWords(
        issue.values.map((v) => JSON.stringify(v)),
        20,
        'or',
      );
      if (issue.input === undefined) {
        return `${name} is missing; add it, as ${issue.values.length === 1 ? '' : 'one of '}${choices}.`;
      }
      return `${name} must be ${issue.values.length === 1 ? '' : 'one of '}${choices}, but it is ${describeValue(issue.input)}; use ${issue.values.length === 1 ? 'that' : 'one of those'}.`;
    }
    case 'invalid_union': {
      if (issue.discriminator === undefined) return undefined;
      // Only the no-match variant carries `options`; read it without trusting the union.
      const options: unknown = issue.options;
      const choices = listInWords(
        (Array.isArray(options) ? options : []).map((v) => JSON.stringify(v)),
        20,
        'or',
      );
      const given = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
      return given === undefined
        ? `${issue.discriminator} is missing; add it, as one of ${choices}.`
        : `${issue.discriminator} must be one of ${choices}, but it is ${describeValue(given)}; use one of those.`;
    }
    case 'unrecognized_keys': {
      const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
      const phrases = issue.keys.map((key) => {
        const guess = closest(key, known);
        return guess === undefined ? `"${key}"` : `"${key}" (did you mean "${guess}"?)`;
      });
      return (
        `unknown field${issue.keys.length === 1 ? '' : 's'} ${listInWords(phrases, 10)}; ` +
        `remove ${issue.keys.length === 1 ? 'it' : 'them'}, or correct the spelling (names are case-sensitive).`
      );
    }
    case 'too_small':
      if (issue.origin === 'array') {
        return `${name} needs at least ${String(issue.minimum)} ${issue.minimum === 1 ? 'entry' : 'entries'}; add the missing ones.`;
      }
      return `${name} must be at least ${String(issue.minimum)}; raise it.`;
    case 'too_big':
      if (issue.origin === 'array') {
        return `${name} has more than ${String(issue.maximum)} entries; remove the extra ones.`;
      }
      return `${name} must be at most ${String(issue.maximum)}; lower it.`;
    default:
      // Anything else keeps zod's own wording: better than a vague sentence of ours.
      return undefined;
  }
};

/**
 * One problem per issue, with the path formatted for people. A single unknown field is
 * reported at its own path (`contests[2].votefor`), so the path points at the culprit.
 */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): ElectionProblem[] {
  return issues.map((issue) => {
    const path =
      issue.code === 'unrecognized_keys' && issue.keys.length === 1
        ? [...issue.path, ...issue.keys]
        : issue.path;
    return { path: formatPath(path), message: issue.message };
  });
}

function fieldName(path: readonly PropertyKey[]): string {
  const last = path.at(-1);
  if (typeof last === 'string') return last;
  const list = path.at(-2);
  return typeof list === 'string' ? `this entry of ${list}` : 'this entry';
}

function expectedInWords(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text in double quotes';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list in square brackets';
    case 'object':
      return 'an object in curly braces';
    default:
      return `a value of type ${expected}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The known name a misspelt one most likely meant: same letters in another case, or a typo. */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = 3; // farther than two edits is a different word, not a typo
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, for spelling suggestions on short field names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
