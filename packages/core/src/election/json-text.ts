import { err, ok, type Result } from '../result.ts';
import type { PathSegment } from './path.ts';

/** Where a JSON text breaks the grammar of RFC 8259, and how. */
export interface JsonSyntaxError {
  /** Offset in UTF-16 code units from the start of the text. */
  readonly offset: number;
  /** 1-based line and column, as editors show them. */
  readonly line: number;
  readonly column: number;
  /** What is wrong there, as a phrase: `expected ',' or '}' but found '"'`. */
  readonly reason: string;
}

/** A name that appears twice in one object. */
export interface DuplicateKey {
  /** The path of the repeated member itself (object path plus the key). */
  readonly path: readonly PathSegment[];
  readonly line: number;
  readonly column: number;
}

/**
 * Election definitions are small and shallow; a deeper document is a mistake or an attack
 * on the stack, so it is refused rather than recursed into.
 */
const MAX_DEPTH = 64;

/**
 * Checks a JSON text against the RFC 8259 grammar before `JSON.parse` sees it, for two
 * reasons. Node 20's `JSON.parse` errors often give no position ("Unexpected end of JSON
 * input"), and a person fixing a file by hand needs a line and column. And `JSON.parse`
 * silently keeps the last of two equal keys while other readers keep the first
 * (RFC 8259 §4: names SHOULD be unique, behaviour otherwise is unpredictable), so one
 * hashed definition could mean two elections; repeated keys are reported instead.
 *
 * Returns the repeated keys (empty when there are none), or the first syntax error.
 */
export function scanJsonText(text: string): Result<readonly DuplicateKey[], JsonSyntaxError> {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return ok(scanner.duplicates);
  } catch (e) {
    // The scanner unwinds its recursion with a private exception; it never escapes.
    if (e instanceof SyntaxStop) return err(e.error);
    throw e;
  }
}

class SyntaxStop extends Error {
  constructor(readonly error: JsonSyntaxError) {
    super(error.reason);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z0-9_$+\-.]+/y;

class Scanner {
  readonly duplicates: DuplicateKey[] = [];
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.skipWhitespace();
    if (this.i >= this.text.length) {
      this.fail(this.i, 'the file is empty, and an election definition is a JSON object');
    }
    this.value([], 0);
    this.skipWhitespace();
    if (this.i < this.text.length) {
      this.fail(this.i, `found ${this.found(this.i)} after the end of the JSON value; remove it`);
    }
  }

  private value(path: PathSegment[], depth: number): void {
    if (depth > MAX_DEPTH) {
      this.fail(this.i, `the document nests deeper than ${MAX_DEPTH} levels`);
    }
    this.skipWhitespace();
    const c = this.text[this.i];
    switch (c) {
      case '{':
        this.object(path, depth);
        return;
      case '[':
        this.array(path, depth);
        return;
      case '"':
        this.string();
        return;
      case undefined:
        this.fail(this.i, 'the text ends where a value was expected (is the file cut short?)');
        break;
      case "'":
        this.fail(this.i, 'found a single quote; JSON strings use double quotes');
        break;
      case '/':
        this.fail(this.i, 'found a comment; JSON does not allow comments');
        break;
      case '}':
      case ']':
        this.fail(
          this.i,
          `expected a value but found '${c}' (a trailing comma, or a missing value, before it)`,
        );
        break;
      default:
        if (c === '-' || (c >= '0' && c <= '9')) this.number();
        else this.literal();
    }
  }

  private object(path: PathSegment[], depth: number): void {
    this.i++; // '{'
    const names = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.i];
      if (c !== '"') {
        if (c === '}') this.fail(this.i, "found a trailing comma before '}'; remove the comma");
        if (c === undefined) this.fail(this.i, 'the text ends inside an object');
        this.fail(this.i, `expected a property name in double quotes but found ${this.found()}`);
      }
      const nameAt = this.i;
      const name = this.string();
      if (names.has(name)) {
        const { line, column } = lineAndColumn(this.text, nameAt);
        this.duplicates.push({ path: [...path, name], line, column });
      }
      names.add(name);
      this.skipWhitespace();
      if (this.text[this.i] !== ':') {
        this.fail(this.i, `expected ':' after the name "${name}" but found ${this.found()}`);
      }
      this.i++;
      this.value([...path, name], depth + 1);
      this.skipWhitespace();
      const next = this.text[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === '}') {
        this.i++;
        return;
      }
      this.fail(
        this.i,
        next === undefined
          ? "the text ends inside an object; close it with '}'"
          : `expected ',' or '}' after a value but found ${this.found()} (a missing comma?)`,
      );
    }
  }

  private array(path: PathSegment[], depth: number): void {
    this.i++; // '['
    this.skipWhitespace();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipWhitespace();
      if (this.text[this.i] === ']') {
        this.fail(this.i, "found a trailing comma before ']'; remove the comma");
      }
      this.value([...path, index], depth + 1);
      this.skipWhitespace();
      const next = this.text[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === ']') {
        this.i++;
        return;
      }
      this.fail(
        this.i,
        next === undefined
          ? "the text ends inside a list; close it with ']'"
          : `expected ',' or ']' after a value but found ${this.found()} (a missing comma?)`,
      );
    }
  }

  /** Scans a string token and returns its decoded value. */
  private string(): string {
    const start = this.i;
    this.i++; // opening quote
    for (;;) {
      const code = this.text.charCodeAt(this.i);
      if (Number.isNaN(code)) this.fail(start, 'a string starting here is never closed');
      if (code === 0x22) break; // closing quote
      if (code === 0x5c) {
        const escape = this.text[this.i + 1];
        if (escape === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) {
            this.fail(this.i, 'a \\u escape needs four hexadecimal digits');
          }
          this.i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          this.i += 2;
        } else {
          this.fail(
            this.i,
            `'\\${escape ?? ''}' is not a JSON escape; write a backslash as '\\\\'`,
          );
        }
        continue;
      }
      if (code < 0x20) {
        this.fail(
          this.i,
          `a control character (U+${hex4(code)}) is inside a string; write a line break as \\n`,
        );
      }
      this.i++;
    }
    this.i++;
    // The token is well formed, so JSON.parse decodes its escapes exactly as it will later.
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  private number(): void {
    const start = this.i;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    const end = start + (match?.[0].length ?? 0);
    // A number glued to more number-like characters ("01", "1.", "1e") is malformed as a whole.
    WORD.lastIndex = start;
    const word = WORD.exec(this.text)?.[0] ?? '';
    if (match === null || start + word.length > end) {
      this.fail(
        start,
        `'${word}' is not a JSON number (no leading zeros, '+' signs, bare dots or hex)`,
      );
    }
    this.i = end;
  }

  private literal(): void {
    const start = this.i;
    WORD.lastIndex = start;
    const word = WORD.exec(this.text)?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.i += word.length;
      return;
    }
    if (word === undefined) {
      this.fail(start, `expected a value but found ${this.found()}`);
    }
    this.fail(
      start,
      `'${word}' is not a JSON value (use a double-quoted string, a number, true, false or null)`,
    );
  }

  private skipWhitespace(): void {
    // RFC 8259 §2: only space, tab, line feed and carriage return.
    for (;;) {
      const c = this.text[this.i];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.i++;
    }
  }

  private found(at = this.i): string {
    const code = this.text.codePointAt(at);
    if (code === undefined) return 'the end of the text';
    if (code === 0x27) return 'a single quote (JSON strings use double quotes)';
    if (code === 0x2f) return "'/' (a comment? JSON does not allow comments)";
    if (code < 0x20 || code === 0x7f || code === 0xfeff || (code >= 0x80 && code < 0xa0)) {
      return `the character U+${hex4(code)}`;
    }
    return `'${String.fromCodePoint(code)}'`;
  }

  private fail(offset: number, reason: string): never {
    const { line, column } = lineAndColumn(this.text, offset);
    throw new SyntaxStop({ offset, line, column, reason });
  }
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** 1-based line and column of an offset; lines end at '\n' (so '\r\n' counts once). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
