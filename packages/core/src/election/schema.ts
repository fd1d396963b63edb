import { z } from 'zod';
import { ID_PATTERN, type Brand } from '../ids.ts';
import { crossReferenceProblems } from './cross-references.ts';
import { describeValue } from './describe.ts';
import {
  ELECTION_TYPES,
  type Election,
  type Precinct,
  type SplitPrecinct,
  type UnsplitPrecinct,
} from './types.ts';

/*
 * The zod schemas of the election definition. Shapes are checked member by member; once
 * every shape is right, `ElectionSchema` checks the cross references between members
 * (see cross-references.ts), since those checks need the whole election to be well formed.
 *
 * Objects are strict: an unknown field is refused rather than ignored, because a
 * misspelt optional field ("writeinLines") would otherwise vanish silently, and because the
 * definition is hashed as received, so nothing in it should be without meaning.
 *
 * Messages written here are the ones that need the domain's words; the generic ones
 * (missing field, wrong type, unknown field) come from `describeIssue` in issues.ts.
 */

/** An id of one kind, checked against `ID_PATTERN` and branded on the way out. */
function idSchema<B extends string>(kind: string) {
  return z
    .string()
    .regex(ID_PATTERN, {
      error: (issue) =>
        `${describeValue(issue.input)} is not a valid ${kind} id; use 1 to 64 letters, ` +
        `digits, '.', '_' or '-', starting with a letter or digit.`,
    })
    .transform((id) => id as Brand<string, B>);
}

export const ElectionIdSchema = idSchema<'ElectionId'>('election');
export const DistrictIdSchema = idSchema<'DistrictId'>('district');
export const PrecinctIdSchema = idSchema<'PrecinctId'>('precinct');
export const SplitIdSchema = idSchema<'SplitId'>('split');
export const PartyIdSchema = idSchema<'PartyId'>('party');
export const ContestIdSchema = idSchema<'ContestId'>('contest');
export const CandidateIdSchema = idSchema<'CandidateId'>('candidate');
export const OptionIdSchema = idSchema<'OptionId'>('option');
export const BallotStyleIdSchema = idSchema<'BallotStyleId'>('ballot style');

/** Text printed or shown to voters and officials: never blank. */
const TextSchema = z
  .string()
  .regex(/\S/, { error: 'this text is blank; write the words to show, or remove the entry.' });

/** A real calendar date written `YYYY-MM-DD` (ISO 8601), as election law dates are. */
const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, {
    abort: true,
    error: (issue) =>
      `${describeValue(issue.input)} is not a date in the form YYYY-MM-DD; write election day ` +
      `like 2026-11-03.`,
  })
  .refine(isCalendarDate, {
    error: (issue) =>
      `${describeValue(issue.input)} is not a day of the calendar; check the month and day.`,
  });

function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A whole number of at least `min`, with the domain's own sentence when it is too small. */
function countSchema(min: number, tooSmall: string) {
  return z
    .number()
    .int({
      abort: true,
      error: (issue) =>
        `this must be a whole number, but it is ${describeValue(issue.input)}; remove the fraction.`,
    })
    .min(min, { error: tooSmall });
}

const DistrictIdsSchema = z.array(DistrictIdSchema).min(1, {
  error: 'the district list is empty; list every district this area lies in (at least one).',
});

export const JurisdictionSchema = z.strictObject({
  name: TextSchema,
  state: TextSchema,
});

export const DistrictSchema = z.strictObject({
  id: DistrictIdSchema,
  name: TextSchema,
});

export const PrecinctSplitSchema = z.strictObject({
  id: SplitIdSchema,
  name: TextSchema,
  districtIds: DistrictIdsSchema,
});

/**
 * A precinct lists its districts when it lies wholly in them, or its splits when district
 * lines cut it; never both, since the splits' districts are then the only truth.
 */
export const PrecinctSchema = z
  .strictObject({
    id: PrecinctIdSchema,
    name: TextSchema,
    districtIds: DistrictIdsSchema.optional(),
    splits: z
      .array(PrecinctSplitSchema)
      .min(2, {
        error:
          'a split precinct needs at least two splits; with one, give its districts in ' +
          'districtIds instead.',
      })
      .optional(),
  })
  .superRefine((precinct, ctx) => {
    if (precinct.districtIds === undefined && precinct.splits === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['districtIds'],
        message:
          'the precinct names no districts; add districtIds, or splits if district lines ' +
          'cut the precinct.',
      });
    }
    if (precinct.districtIds !== undefined && precinct.splits !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['districtIds'],
        message:
          'the precinct has both districtIds and splits; a split precinct takes its ' +
          'districts from its splits, so remove districtIds.',
      });
    }
  })
  .transform((precinct): Precinct => {
    // Reached only when exactly one of the two is present (zod stops at the issues above).
    if (precinct.splits !== undefined) {
      const split: SplitPrecinct = {
        id: precinct.id,
        name: precinct.name,
        splits: precinct.splits,
      };
      return split;
    }
    const whole: UnsplitPrecinct = {
      id: precinct.id,
      name: precinct.name,
      districtIds: precinct.districtIds ?? [],
    };
    return whole;
  });

export const PartySchema = z.strictObject({
  id: PartyIdSchema,
  name: TextSchema,
  abbreviation: TextSchema,
});

export const CandidateSchema = z.strictObject({
  id: CandidateIdSchema,
  name: TextSchema,
  partyIds: z.array(PartyIdSchema).default([]),
});

const WriteInLinesSchema = countSchema(
  0,
  'write-in lines cannot be negative; use 0 for no write-ins.',
).default(0);

export const CandidateContestSchema = z.strictObject({
  type: z.literal('candidate'),
  id: ContestIdSchema,
  districtId: DistrictIdSchema,
  title: TextSchema,
  partyId: PartyIdSchema.optional(),
  voteFor: countSchema(
    1,
    'vote-for must be at least 1; set voteFor to how many candidates a voter may choose.',
  ),
  // May be empty: a seat nobody filed for is still on the ballot, with write-in lines.
  candidates: z.array(CandidateSchema),
  writeInLines: WriteInLinesSchema,
});

export const RankedChoiceContestSchema = z.strictObject({
  type: z.literal('ranked-choice'),
  id: ContestIdSchema,
  districtId: DistrictIdSchema,
  title: TextSchema,
  partyId: PartyIdSchema.optional(),
  ranks: countSchema(
    1,
    'ranks must be at least 1; set ranks to how many choices a voter may rank.',
  ),
  candidates: z.array(CandidateSchema),
  writeInLines: WriteInLinesSchema,
});

export const BallotMeasureOptionSchema = z.strictObject({
  id: OptionIdSchema,
  label: TextSchema,
});

export const BallotMeasureContestSchema = z.strictObject({
  type: z.literal('yesno'),
  id: ContestIdSchema,
  districtId: DistrictIdSchema,
  title: TextSchema,
  description: TextSchema,
  yesOption: BallotMeasureOptionSchema,
  noOption: BallotMeasureOptionSchema,
});

export const ContestSchema = z.discriminatedUnion('type', [
  CandidateContestSchema,
  RankedChoiceContestSchema,
  BallotMeasureContestSchema,
]);

export const BallotStylePrecinctSchema = z.strictObject({
  precinctId: PrecinctIdSchema,
  splitId: SplitIdSchema.optional(),
});

export const BallotStyleSchema = z.strictObject({
  id: BallotStyleIdSchema,
  precincts: z.array(BallotStylePrecinctSchema).min(1, {
    error:
      'the ballot style is used by no precinct; add the precincts or splits that vote on ' +
      'it, or remove the ballot style.',
  }),
  contestIds: z.array(ContestIdSchema).min(1, {
    error: 'the ballot style shows no contest; list its contests in ballot order.',
  }),
  partyId: PartyIdSchema.optional(),
});

function nonEmpty(what: string) {
  return { error: `the election has no ${what}; add at least one.` };
}

/** The shapes alone, without cross references. */
export const ElectionShapeSchema = z.strictObject({
  id: ElectionIdSchema,
  title: TextSchema,
  jurisdiction: JurisdictionSchema,
  date: DateSchema,
  type: z.enum(ELECTION_TYPES),
  districts: z.array(DistrictSchema).min(1, nonEmpty('districts')),
  precincts: z.array(PrecinctSchema).min(1, nonEmpty('precincts')),
  // May be empty: a nonpartisan election has no parties.
  parties: z.array(PartySchema),
  contests: z.array(ContestSchema).min(1, nonEmpty('contests')),
  ballotStyles: z.array(BallotStyleSchema).min(1, nonEmpty('ballot styles')),
});

/**
 * The whole election definition: shapes, then every cross reference. The annotation makes
 * the compiler prove that what the schema produces is an `Election`.
 */
export const ElectionSchema: z.ZodType<Election> = ElectionShapeSchema.superRefine(
  (election, ctx) => {
    for (const problem of crossReferenceProblems(election)) {
      ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    }
  },
  // zod runs refinements after non-fatal issues too (a too-small list, say), when the value
  // may not be an Election yet; cross references are meaningful only on a clean shape.
  { when: (payload) => payload.issues.length === 0 },
);
