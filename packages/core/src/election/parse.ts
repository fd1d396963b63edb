import { sha256Hex } from '../hash.ts';
import { err, ok, type Result } from '../result.ts';
import { describeIssue, issuesToProblems } from './issues.ts';
import { scanJsonText } from './json-text.ts';
import { formatPath } from './path.ts';
import { ElectionSchema } from './schema.ts';
import type { ElectionProblem, ParsedElection } from './types.ts';

/**
 * Parses and checks an election definition, and hashes it.
 *
 * The hash is SHA-256 over the exact bytes received (a string is taken as its UTF-8
 * bytes), not over a re-serialization: the file an official signed off is the file every
 * ballot and export points back to, byte for byte, as vxsuite does.
 *
 * Returns every problem found rather than the first, so one run tells a person all they
 * must fix. Problems come in three rounds, each shown only when the one before passed:
 * the text (UTF-8, JSON syntax, repeated keys), the shapes, then cross references.
 *
 * @example
 *   const parsed = parseElectionDefinition(await readFile('election.json'));
 *   if (!parsed.ok) for (const p of parsed.error) console.error(`${p.path}: ${p.message}`);
 *   else console.log(parsed.value.election.title, parsed.value.hash);
 */
export function parseElectionDefinition(
  input: Uint8Array | string,
): Result<ParsedElection, ElectionProblem[]> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const hash = sha256Hex(bytes);

  const text = decodeUtf8(bytes);
  if (text === undefined) {
    return err([
      {
        path: '(root)',
        message:
          'the file is not valid UTF-8 text; save it as UTF-8 (the encoding JSON requires, ' +
          'RFC 8259 §8.1) and try again.',
      },
    ]);
  }

  const scanned = scanJsonText(text);
  if (!scanned.ok) {
    const { line, column, reason } = scanned.error;
    return err([
      {
        path: '(root)',
        message: `the file is not valid JSON at line ${line}, column ${column}: ${reason}.`,
      },
    ]);
  }
  if (scanned.value.length > 0) {
    return err(
      scanned.value.map((duplicate) => ({
        path: formatPath(duplicate.path),
        message:
          `${JSON.stringify(duplicate.path.at(-1))} appears twice in this object (again at line ` +
          `${duplicate.line}, column ${duplicate.column}); JSON readers disagree on which ` +
          `value wins, so remove one of them.`,
      })),
    );
  }

  // Cannot throw: the scanner has just accepted the text under the same grammar.
  const value: unknown = JSON.parse(text);
  const parsed = ElectionSchema.safeParse(value, { error: describeIssue });
  if (!parsed.success) return err(issuesToProblems(parsed.error.issues));
  return ok({ election: parsed.data, hash });
}

/**
 * UTF-8 text of the bytes, or undefined when they are not UTF-8. A leading byte order mark
 * is dropped (RFC 8259 §8.1 lets a parser ignore it); it still counts in the hash.
 */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
