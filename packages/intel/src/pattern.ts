import { createToken, EmbeddedActionsParser, Lexer, type TokenType } from 'chevrotain';
import { err, ok, type Result } from '@vigil/core';

/**
 * The STIX 2.1 patterning language (STIX 2.1 §9), parsed with chevrotain. The grammar
 * follows the specification's and OASIS's ANTLR grammar (STIXPattern.g4): observation
 * expressions joined by AND, OR and FOLLOWEDBY (loosest), each a bracketed comparison
 * expression or a parenthesised group, followed by any number of qualifiers (WITHIN,
 * START ... STOP, REPEATS); comparison expressions joined by AND and OR; object paths
 * `type:property.sub[index]`; and the constants of §9.4 (strings, integers, floats,
 * booleans, t'timestamp', h'hex', b'base64').
 */

// Keywords are case-sensitive (§9.4: "Operators ... MUST be in uppercase").
const Identifier = createToken({ name: 'Identifier', pattern: /[a-zA-Z_][a-zA-Z0-9_-]*/ });
const kw = (name: string, word: string): TokenType =>
  createToken({ name, pattern: new RegExp(`${word}(?![a-zA-Z0-9_-])`), longer_alt: Identifier });

const And = kw('And', 'AND');
const Or = kw('Or', 'OR');
const Not = kw('Not', 'NOT');
const FollowedBy = kw('FollowedBy', 'FOLLOWEDBY');
const Like = kw('Like', 'LIKE');
const Matches = kw('Matches', 'MATCHES');
const IsSuperset = kw('IsSuperset', 'ISSUPERSET');
const IsSubset = kw('IsSubset', 'ISSUBSET');
const Exists = kw('Exists', 'EXISTS');
const In = kw('In', 'IN');
const Start = kw('Start', 'START');
const Stop = kw('Stop', 'STOP');
const Seconds = kw('Seconds', 'SECONDS');
const Within = kw('Within', 'WITHIN');
const Repeats = kw('Repeats', 'REPEATS');
const Times = kw('Times', 'TIMES');
const BoolLiteral = kw('BoolLiteral', '(?:true|false)');

// Prefixed literals come before Identifier, so that t'...' is not the identifier "t".
const TimestampLiteral = createToken({
  name: 'TimestampLiteral',
  pattern:
    /t'\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?Z'/,
});
const HexLiteral = createToken({ name: 'HexLiteral', pattern: /h'(?:[a-fA-F0-9]{2})*'/ });
const BinaryLiteral = createToken({
  name: 'BinaryLiteral',
  pattern: /b'(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?'/,
});
// A string: quotes and backslashes inside are escaped with a backslash (§9.4).
const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:\\['\\]|[^'\\])*'/ });
const FloatLiteral = createToken({ name: 'FloatLiteral', pattern: /[+-]?(?:0|[1-9]\d*)?\.\d+/ });
const IntLiteral = createToken({ name: 'IntLiteral', pattern: /[+-]?(?:0|[1-9]\d*)(?![\d.])/ });

const Neq = createToken({ name: 'Neq', pattern: /!=|<>/ });
const Le = createToken({ name: 'Le', pattern: /<=/ });
const Ge = createToken({ name: 'Ge', pattern: />=/ });
const Lt = createToken({ name: 'Lt', pattern: /</ });
const Gt = createToken({ name: 'Gt', pattern: />/ });
const Eq = createToken({ name: 'Eq', pattern: /==?/ });
const LBrack = createToken({ name: 'LBrack', pattern: /\[/ });
const RBrack = createToken({ name: 'RBrack', pattern: /]/ });
const LParen = createToken({ name: 'LParen', pattern: /\(/ });
const RParen = createToken({ name: 'RParen', pattern: /\)/ });
const Colon = createToken({ name: 'Colon', pattern: /:/ });
const Dot = createToken({ name: 'Dot', pattern: /\./ });
const Comma = createToken({ name: 'Comma', pattern: /,/ });
const Asterisk = createToken({ name: 'Asterisk', pattern: /\*/ });
const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
});

const allTokens = [
  WhiteSpace,
  TimestampLiteral,
  HexLiteral,
  BinaryLiteral,
  StringLiteral,
  FloatLiteral,
  IntLiteral,
  And,
  Or,
  Not,
  FollowedBy,
  Like,
  Matches,
  IsSuperset,
  IsSubset,
  Exists,
  In,
  Start,
  Stop,
  Seconds,
  Within,
  Repeats,
  Times,
  BoolLiteral,
  Identifier,
  Neq,
  Le,
  Ge,
  Lt,
  Gt,
  Eq,
  LBrack,
  RBrack,
  LParen,
  RParen,
  Colon,
  Dot,
  Comma,
  Asterisk,
];

const patternLexer = new Lexer(allTokens, { ensureOptimizations: false, positionTracking: 'full' });

/** A constant of §9.4. */
export type PatternConstant =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'timestamp'; readonly value: string }
  | { readonly kind: 'hex'; readonly value: string }
  | { readonly kind: 'binary'; readonly value: string };

/** One step after the object type: a property name, a list index, or `'*'` for `[*]`. */
export type PathStep = string | number;

export interface ObjectPath {
  readonly objectType: string;
  readonly steps: readonly PathStep[];
}

export type ComparisonOperator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpression =
  | {
      readonly kind: 'test';
      readonly path: ObjectPath;
      readonly negated: boolean;
      readonly operator: ComparisonOperator;
      readonly value: PatternConstant | readonly PatternConstant[];
    }
  | { readonly kind: 'exists'; readonly path: ObjectPath }
  | {
      readonly kind: 'and' | 'or';
      readonly operands: readonly ComparisonExpression[];
    };

export type Qualifier =
  | { readonly kind: 'within'; readonly seconds: number }
  | { readonly kind: 'start-stop'; readonly start: string; readonly stop: string }
  | { readonly kind: 'repeats'; readonly times: number };

export type ObservationExpression =
  | {
      readonly kind: 'observation';
      readonly comparison: ComparisonExpression;
      readonly qualifiers: readonly Qualifier[];
    }
  | {
      readonly kind: 'group';
      readonly expression: ObservationExpression;
      readonly qualifiers: readonly Qualifier[];
    }
  | {
      readonly kind: 'and' | 'or' | 'followedby';
      readonly operands: readonly ObservationExpression[];
    };

/** A problem found in a pattern, with the 1-based column where it starts. */
export interface PatternProblem {
  readonly message: string;
  readonly column: number;
}

const unquote = (image: string, prefix: number): string =>
  image.slice(prefix + 1, -1).replace(/\\(['\\])/g, '$1');

function join<T extends { kind: string }>(kind: string, operands: T[]): T {
  const [first] = operands;
  if (operands.length === 1 && first !== undefined) return first;
  return { kind, operands } as unknown as T;
}

class PatternParser extends EmbeddedActionsParser {
  /** Problems found by the actions (bad qualifier values), beside syntax errors. */
  semanticProblems: PatternProblem[] = [];

  constructor() {
    super(allTokens, { maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  readonly pattern = this.RULE('pattern', (): ObservationExpression =>
    this.SUBRULE(this.followedBy),
  );

  private readonly followedBy = this.RULE('followedBy', (): ObservationExpression => {
    const operands = [this.SUBRULE(this.observationOr)];
    this.MANY(() => {
      this.CONSUME(FollowedBy);
      operands.push(this.SUBRULE2(this.observationOr));
    });
    return join('followedby', operands);
  });

  private readonly observationOr = this.RULE('observationOr', (): ObservationExpression => {
    const operands = [this.SUBRULE(this.observationAnd)];
    this.MANY(() => {
      this.CONSUME(Or);
      operands.push(this.SUBRULE2(this.observationAnd));
    });
    return join('or', operands);
  });

  private readonly observationAnd = this.RULE('observationAnd', (): ObservationExpression => {
    const operands = [this.SUBRULE(this.observation)];
    this.MANY(() => {
      this.CONSUME(And);
      operands.push(this.SUBRULE2(this.observation));
    });
    return join('and', operands);
  });

  private readonly observation = this.RULE('observation', (): ObservationExpression => {
    const base = this.OR<
      | { kind: 'observation'; comparison: ComparisonExpression }
      | { kind: 'group'; expression: ObservationExpression }
    >([
      {
        ALT: () => {
          this.CONSUME(LBrack);
          const comparison = this.SUBRULE(this.comparisonOr);
          this.CONSUME(RBrack);
          return { kind: 'observation' as const, comparison };
        },
      },
      {
        ALT: () => {
          this.CONSUME(LParen);
          const expression = this.SUBRULE(this.followedBy);
          this.CONSUME(RParen);
          return { kind: 'group' as const, expression };
        },
      },
    ]);
    const qualifiers: Qualifier[] = [];
    this.MANY(() => qualifiers.push(this.SUBRULE(this.qualifier)));
    return { ...base, qualifiers };
  });

  private readonly qualifier = this.RULE('qualifier', (): Qualifier =>
    this.OR<Qualifier>([
      {
        ALT: () => {
          this.CONSUME(Within);
          const n = this.OR2([
            { ALT: () => this.CONSUME(IntLiteral) },
            { ALT: () => this.CONSUME(FloatLiteral) },
          ]);
          this.CONSUME(Seconds);
          const seconds = Number(n.image);
          this.ACTION(() => {
            if (!(seconds > 0)) {
              this.semanticProblems.push({
                message: `WITHIN needs a positive number of seconds, not ${n.image}`,
                column: n.startColumn ?? 0,
              });
            }
          });
          return { kind: 'within' as const, seconds };
        },
      },
      {
        ALT: () => {
          this.CONSUME(Start);
          const start = this.CONSUME(TimestampLiteral);
          this.CONSUME(Stop);
          const stop = this.CONSUME2(TimestampLiteral);
          const s = unquote(start.image, 1);
          const e = unquote(stop.image, 1);
          this.ACTION(() => {
            // §9.6: the STOP time MUST be later than the START time.
            if (!(Date.parse(e) > Date.parse(s))) {
              this.semanticProblems.push({
                message: `STOP ${e} must be later than START ${s}`,
                column: stop.startColumn ?? 0,
              });
            }
          });
          return { kind: 'start-stop' as const, start: s, stop: e };
        },
      },
      {
        ALT: () => {
          this.CONSUME(Repeats);
          const n = this.CONSUME2(IntLiteral);
          this.CONSUME(Times);
          const times = Number(n.image);
          this.ACTION(() => {
            if (!(times > 0) || n.image.startsWith('+')) {
              this.semanticProblems.push({
                message: `REPEATS needs a positive whole number, not ${n.image}`,
                column: n.startColumn ?? 0,
              });
            }
          });
          return { kind: 'repeats' as const, times };
        },
      },
    ]),
  );

  private readonly comparisonOr = this.RULE('comparisonOr', (): ComparisonExpression => {
    const operands = [this.SUBRULE(this.comparisonAnd)];
    this.MANY(() => {
      this.CONSUME(Or);
      operands.push(this.SUBRULE2(this.comparisonAnd));
    });
    return join('or', operands);
  });

  private readonly comparisonAnd = this.RULE('comparisonAnd', (): ComparisonExpression => {
    const operands = [this.SUBRULE(this.propTest)];
    this.MANY(() => {
      this.CONSUME(And);
      operands.push(this.SUBRULE2(this.propTest));
    });
    return join('and', operands);
  });

  private readonly propTest = this.RULE('propTest', (): ComparisonExpression =>
    this.OR<ComparisonExpression>([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.comparisonOr);
          this.CONSUME(RParen);
          return inner;
        },
      },
      {
        ALT: () => {
          this.CONSUME(Exists);
          return { kind: 'exists' as const, path: this.SUBRULE(this.objectPath) };
        },
      },
      {
        ALT: () => {
          const path = this.SUBRULE2(this.objectPath);
          const negated = this.OPTION(() => this.CONSUME(Not)) !== undefined;
          const { operator, value } = this.SUBRULE(this.comparison);
          return { kind: 'test' as const, path, negated, operator, value };
        },
      },
    ]),
  );

  private readonly comparison = this.RULE(
    'comparison',
    (): { operator: ComparisonOperator; value: PatternConstant | PatternConstant[] } =>
      this.OR<{ operator: ComparisonOperator; value: PatternConstant | PatternConstant[] }>([
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => this.CONSUME(Eq) },
              { ALT: () => this.CONSUME(Neq) },
            ]);
            return {
              operator: op.tokenType === Eq ? ('=' as const) : ('!=' as const),
              value: this.SUBRULE(this.primitive),
            };
          },
        },
        {
          ALT: () => {
            const op = this.OR3([
              { ALT: () => this.CONSUME(Lt) },
              { ALT: () => this.CONSUME(Le) },
              { ALT: () => this.CONSUME(Gt) },
              { ALT: () => this.CONSUME(Ge) },
            ]);
            const value = this.SUBRULE(this.orderable);
            return { operator: op.image as ComparisonOperator, value };
          },
        },
        {
          ALT: () => {
            this.CONSUME(In);
            return { operator: 'IN' as const, value: this.SUBRULE(this.set) };
          },
        },
        {
          ALT: () => {
            const op = this.OR4([
              { ALT: () => this.CONSUME(Like) },
              { ALT: () => this.CONSUME(Matches) },
              { ALT: () => this.CONSUME(IsSubset) },
              { ALT: () => this.CONSUME(IsSuperset) },
            ]);
            const s = this.CONSUME(StringLiteral);
            return {
              operator: op.image as ComparisonOperator,
              value: { kind: 'string' as const, value: unquote(s.image, 0) },
            };
          },
        },
      ]),
  );

  private readonly set = this.RULE('set', (): PatternConstant[] => {
    const values: PatternConstant[] = [];
    this.CONSUME(LParen);
    this.MANY_SEP({ SEP: Comma, DEF: () => values.push(this.SUBRULE(this.primitive)) });
    this.CONSUME(RParen);
    return values;
  });

  private readonly primitive = this.RULE('primitive', (): PatternConstant =>
    this.OR<PatternConstant>([
      { ALT: () => this.SUBRULE(this.orderable) },
      {
        ALT: () => ({
          kind: 'bool' as const,
          value: this.CONSUME(BoolLiteral).image === 'true',
        }),
      },
    ]),
  );

  private readonly orderable = this.RULE('orderable', (): PatternConstant =>
    this.OR<PatternConstant>([
      { ALT: () => ({ kind: 'int' as const, value: Number(this.CONSUME(IntLiteral).image) }) },
      {
        ALT: () => ({ kind: 'float' as const, value: Number(this.CONSUME(FloatLiteral).image) }),
      },
      {
        ALT: () => ({
          kind: 'string' as const,
          value: unquote(this.CONSUME(StringLiteral).image, 0),
        }),
      },
      {
        ALT: () => ({
          kind: 'timestamp' as const,
          value: unquote(this.CONSUME(TimestampLiteral).image, 1),
        }),
      },
      { ALT: () => ({ kind: 'hex' as const, value: unquote(this.CONSUME(HexLiteral).image, 1) }) },
      {
        ALT: () => ({
          kind: 'binary' as const,
          value: unquote(this.CONSUME(BinaryLiteral).image, 1),
        }),
      },
    ]),
  );

  private readonly objectPath = this.RULE('objectPath', (): ObjectPath => {
    const objectType = this.CONSUME(Identifier).image;
    this.CONSUME(Colon);
    const steps: PathStep[] = [];
    // The first component is a property name (an identifier or a quoted name).
    steps.push(this.SUBRULE(this.propertyName));
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Dot);
            steps.push(this.SUBRULE2(this.propertyName));
          },
        },
        {
          ALT: () => {
            this.CONSUME(LBrack);
            const index = this.OR2<number | '*'>([
              { ALT: () => Number(this.CONSUME(IntLiteral).image) },
              { ALT: () => (this.CONSUME(Asterisk), '*' as const) },
            ]);
            this.CONSUME(RBrack);
            steps.push(index);
          },
        },
      ]);
    });
    return { objectType, steps };
  });

  private readonly propertyName = this.RULE('propertyName', (): string =>
    this.OR<string>([
      { ALT: () => this.CONSUME(Identifier).image },
      { ALT: () => unquote(this.CONSUME(StringLiteral).image, 0) },
    ]),
  );
}

const parser = new PatternParser();

/** Object types: lowercase ASCII, digits and hyphens, 3 to 250 characters (§2.9). */
const OBJECT_TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;

function checkPaths(expression: ComparisonExpression, problems: PatternProblem[]): void {
  switch (expression.kind) {
    case 'and':
    case 'or':
      for (const e of expression.operands) checkPaths(e, problems);
      return;
    case 'exists':
    case 'test':
      if (
        !OBJECT_TYPE.test(expression.path.objectType) ||
        expression.path.objectType.includes('--')
      ) {
        problems.push({
          message: `"${expression.path.objectType}" is not a valid STIX object type`,
          column: 0,
        });
      }
      if (expression.kind === 'test' && expression.operator === 'MATCHES') {
        const value = expression.value;
        if (!Array.isArray(value) && 'value' in value && typeof value.value === 'string') {
          try {
            new RegExp(value.value);
          } catch {
            problems.push({
              message: `MATCHES needs a valid regular expression, not '${value.value}'`,
              column: 0,
            });
          }
        }
      }
      return;
  }
}

function checkObservation(expression: ObservationExpression, problems: PatternProblem[]): void {
  switch (expression.kind) {
    case 'observation':
      checkPaths(expression.comparison, problems);
      return;
    case 'group':
      checkObservation(expression.expression, problems);
      return;
    case 'and':
    case 'or':
    case 'followedby':
      for (const e of expression.operands) checkObservation(e, problems);
      return;
  }
}

/**
 * Parses a STIX 2.1 pattern. Returns the syntax tree, or every problem found with its
 * column, e.g. `[file:name = 'x'` gives "expected ']' at column 16".
 *
 * @example
 *   parseStixPattern("[ipv4-addr:value = '198.51.100.1/32'] WITHIN 300 SECONDS");
 */
export function parseStixPattern(
  pattern: string,
): Result<ObservationExpression, readonly PatternProblem[]> {
  const lexed = patternLexer.tokenize(pattern);
  const problems: PatternProblem[] = lexed.errors.map((e) => ({
    message: `unexpected character ${JSON.stringify(pattern.slice(e.offset, e.offset + 1))}`,
    column: e.column ?? e.offset + 1,
  }));
  if (problems.length > 0) return err(problems);
  parser.input = lexed.tokens;
  parser.semanticProblems = [];
  const tree = parser.pattern();
  for (const e of parser.errors) {
    const column = e.token.startColumn;
    problems.push({
      message: e.token.image === '' ? `${e.message} (the pattern ended too soon)` : e.message,
      column: column === undefined || Number.isNaN(column) ? pattern.length + 1 : column,
    });
  }
  problems.push(...parser.semanticProblems);
  if (problems.length === 0) checkObservation(tree, problems);
  return problems.length === 0 ? ok(tree) : err(problems);
}
