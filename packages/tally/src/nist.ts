import { isSplitPrecinct, type Election } from '@vigil/core';
import { isWriteIn, type CastVoteRecord, type Selection } from './cvr.ts';
import type { ContestTally, Tabulation } from './tabulate.ts';

/**
 * NIST SP 1500-100 v2 (election results) and SP 1500-103 (cast vote records) in their
 * JSON forms. Ids are prefixed by kind (`gp-precinct-…`, `cand-…`) because NIST ids share
 * one space across a document while the definition's lists each have their own.
 */

const VENDOR = 'Vigil 0.1.0';
type Json = Record<string, unknown>;

const text = (content: string): Json => ({
  '@type': 'ElectionResults.InternationalizedText',
  Text: [{ '@type': 'ElectionResults.LanguageString', Content: content, Language: 'en' }],
});
const gpJurisdiction = 'gp-jurisdiction';
const gpDistrict = (id: string): string => `gp-district-${id}`;
const gpPrecinct = (id: string): string => `gp-precinct-${id}`;
const gpSplit = (id: string): string => `gp-split-${id}`;
const selectionId = (contest: string, choice: string): string => `sel-${contest}-${choice}`;

export interface NistResultsOptions {
  /** When the report was made (ISO 8601 with zone); defaults to now. */
  readonly generatedAt?: string;
  readonly status?: 'unofficial-partial' | 'unofficial-complete' | 'certified' | 'recount';
}

/** The election results as a NIST SP 1500-100 v2 `ElectionReport`, precinct-level. */
export function toNistResults(
  election: Election,
  tabulation: Tabulation,
  options: NistResultsOptions = {},
): Json {
  const gpUnits: Json[] = [
    {
      '@id': gpJurisdiction,
      '@type': 'ElectionResults.ReportingUnit',
      Type: 'county',
      Name: text(election.jurisdiction.name),
      ComposingGpUnitIds: election.precincts.map((p) => gpPrecinct(p.id)),
    },
    ...election.districts.map((d) => ({
      '@id': gpDistrict(d.id),
      '@type': 'ElectionResults.ReportingUnit',
      Type: 'other',
      OtherType: 'district',
      Name: text(d.name),
    })),
  ];
  for (const p of election.precincts) {
    gpUnits.push({
      '@id': gpPrecinct(p.id),
      '@type': 'ElectionResults.ReportingUnit',
      Type: 'precinct',
      Name: text(p.name),
      ...(isSplitPrecinct(p) ? { ComposingGpUnitIds: p.splits.map((s) => gpSplit(s.id)) } : {}),
    });
    if (isSplitPrecinct(p)) {
      for (const s of p.splits) {
        gpUnits.push({
          '@id': gpSplit(s.id),
          '@type': 'ElectionResults.ReportingUnit',
          Type: 'split-precinct',
          Name: text(s.name),
        });
      }
    }
  }
  // Where each contest's counts come from: the total row, then one row per voting area.
  const rowsByContest = new Map<string, { gp: string; tally: ContestTally }[]>();
  for (const t of tabulation.totals)
    rowsByContest.set(t.contestId, [{ gp: gpJurisdiction, tally: t }]);
  for (const a of tabulation.byArea) {
    const gp = a.splitId === undefined ? gpPrecinct(a.precinctId) : gpSplit(a.splitId);
    for (const t of a.contests) rowsByContest.get(t.contestId)?.push({ gp, tally: t });
  }
  const rounds = new Map(tabulation.rankedChoice.map((r) => [r.contestId, r]));
  const counts = (
    contestId: string,
    choice: string,
    round?: { n: number; votes: number },
  ): Json[] => {
    const rows = rowsByContest.get(contestId) ?? [];
    const out: Json[] = rows.map(({ gp, tally }) => ({
      '@type': 'ElectionResults.VoteCounts',
      GpUnitId: gp,
      Type: 'total',
      Count: choice === 'write-in' ? tally.writeIns : (tally.votes[choice] ?? 0),
      ...(round === undefined ? {} : { Round: 1 }),
    }));
    return out;
  };
  const otherCounts = (contestId: string): Json[] =>
    (rowsByContest.get(contestId) ?? []).map(({ gp, tally }) => ({
      '@type': 'ElectionResults.OtherCounts',
      GpUnitId: gp,
      Overvotes: tally.overvotes,
      Undervotes: tally.undervotes,
      WriteIns: tally.writeIns,
    }));
  const totalsById = new Map(tabulation.totals.map((t) => [t.contestId, t]));

  const contests: Json[] = election.contests.map((c, order) => {
    const base = {
      '@id': `contest-${c.id}`,
      ElectionDistrictId: gpDistrict(c.districtId),
      Name: c.title,
      SequenceOrder: order + 1,
      OtherCounts: otherCounts(c.id),
    };
    if (c.type === 'yesno') {
      return {
        ...base,
        '@type': 'ElectionResults.BallotMeasureContest',
        FullText: text(c.description),
        ContestSelection: [c.yesOption, c.noOption].map((o, i) => ({
          '@id': selectionId(c.id, o.id),
          '@type': 'ElectionResults.BallotMeasureSelection',
          Selection: text(o.label),
          SequenceOrder: i + 1,
          VoteCounts: counts(c.id, o.id),
        })),
      };
    }
    const rcv = rounds.get(c.id);
    const isApproval = totalsById.get(c.id)?.type === 'approval';
    const voteCountsFor = (choice: string): Json[] => {
      const base1 = counts(c.id, choice, rcv === undefined ? undefined : { n: 1, votes: 0 });
      if (rcv === undefined) return base1;
      // Later rounds of the instant runoff, at the contest's district.
      const later = rcv.rounds.slice(1).flatMap((r) =>
        r.votes[choice] === undefined
          ? []
          : [
              {
                '@type': 'ElectionResults.VoteCounts',
                GpUnitId: gpDistrict(c.districtId),
                Type: 'total',
                Count: r.votes[choice],
                Round: r.round,
              },
            ],
      );
      return [...base1, ...later];
    };
    const selections: Json[] = c.candidates.map((cand, i) => ({
      '@id': selectionId(c.id, cand.id),
      '@type': 'ElectionResults.CandidateSelection',
      CandidateIds: [`cand-${cand.id}`],
      SequenceOrder: i + 1,
      VoteCounts: voteCountsFor(cand.id),
    }));
    if (c.writeInLines > 0) {
      selections.push({
        '@id': selectionId(c.id, 'write-in'),
        '@type': 'ElectionResults.CandidateSelection',
        IsWriteIn: true,
        SequenceOrder: c.candidates.length + 1,
        VoteCounts: voteCountsFor('write-in'),
      });
    }
    const votesAllowed = c.type === 'candidate' ? c.voteFor : 1;
    return {
      ...base,
      '@type': 'ElectionResults.CandidateContest',
      VotesAllowed: votesAllowed,
      NumberElected: c.type === 'candidate' ? c.voteFor : 1,
      VoteVariation:
        c.type === 'ranked-choice'
          ? 'rcv'
          : isApproval
            ? 'approval'
            : votesAllowed > 1
              ? 'n-of-m'
              : 'plurality',
      ...(c.partyId === undefined ? {} : { PrimaryPartyIds: [`party-${c.partyId}`] }),
      ContestSelection: selections,
    };
  });

  const candidates: Json[] = election.contests.flatMap((c) =>
    c.type === 'yesno'
      ? []
      : c.candidates.map((cand) => ({
          '@id': `cand-${cand.id}`,
          '@type': 'ElectionResults.Candidate',
          BallotName: text(cand.name),
          ...(cand.partyIds[0] === undefined ? {} : { PartyId: `party-${cand.partyIds[0]}` }),
        })),
  );
  const type = {
    general: 'general',
    primary: 'primary',
    special: 'special',
    runoff: 'runoff',
    recall: 'other',
  }[election.type];
  return {
    '@type': 'ElectionResults.ElectionReport',
    Format: 'precinct-level',
    GeneratedDate: options.generatedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Issuer: election.jurisdiction.name,
    IssuerAbbreviation: election.jurisdiction.state,
    SequenceStart: 1,
    SequenceEnd: 1,
    Status: options.status ?? 'unofficial-complete',
    VendorApplicationId: VENDOR,
    GpUnit: gpUnits,
    Party: election.parties.map((p) => ({
      '@id': `party-${p.id}`,
      '@type': 'ElectionResults.Party',
      Name: text(p.name),
      Abbreviation: text(p.abbreviation),
    })),
    Election: [
      {
        '@type': 'ElectionResults.Election',
        ElectionScopeId: gpJurisdiction,
        Name: text(election.title),
        StartDate: election.date,
        EndDate: election.date,
        Type: type,
        ...(type === 'other' ? { OtherType: election.type } : {}),
        Candidate: candidates,
        Contest: contests,
        BallotCounts: [
          {
            '@type': 'ElectionResults.BallotCounts',
            GpUnitId: gpJurisdiction,
            Type: 'total',
            BallotsCast: tabulation.ballots,
          },
        ],
      },
    ],
  };
}

/** Cast vote records as a NIST SP 1500-103 `CastVoteRecordReport` (one original snapshot each). */
export function toNistCvrReport(
  election: Election,
  cvrs: readonly CastVoteRecord[],
  options: { readonly generatedAt?: string } = {},
): Json {
  const contestsById = new Map(election.contests.map((c) => [c.id as string, c]));
  const gpUnits: Json[] = [
    {
      '@id': gpJurisdiction,
      '@type': 'CVR.GpUnit',
      Type: 'other',
      OtherType: 'jurisdiction',
      Name: election.jurisdiction.name,
    },
  ];
  for (const p of election.precincts) {
    if (isSplitPrecinct(p)) {
      for (const s of p.splits)
        gpUnits.push({
          '@id': gpSplit(s.id),
          '@type': 'CVR.GpUnit',
          Type: 'split-precinct',
          Name: s.name,
        });
    } else {
      gpUnits.push({
        '@id': gpPrecinct(p.id),
        '@type': 'CVR.GpUnit',
        Type: 'precinct',
        Name: p.name,
      });
    }
  }
  const contests: Json[] = election.contests.map((c) =>
    c.type === 'yesno'
      ? {
          '@id': `contest-${c.id}`,
          '@type': 'CVR.BallotMeasureContest',
          Name: c.title,
          ContestSelection: [c.yesOption, c.noOption].map((o) => ({
            '@id': selectionId(c.id, o.id),
            '@type': 'CVR.BallotMeasureSelection',
            Selection: o.label,
          })),
        }
      : {
          '@id': `contest-${c.id}`,
          '@type': 'CVR.CandidateContest',
          Name: c.title,
          VotesAllowed: c.type === 'candidate' ? c.voteFor : 1,
          VoteVariation:
            c.type === 'ranked-choice' ? 'rcv' : c.voteFor > 1 ? 'n-of-m' : 'plurality',
          ContestSelection: [
            ...c.candidates.map((cand) => ({
              '@id': selectionId(c.id, cand.id),
              '@type': 'CVR.CandidateSelection',
              CandidateIds: [`cand-${cand.id}`],
            })),
            ...(c.writeInLines > 0
              ? [
                  {
                    '@id': selectionId(c.id, 'write-in'),
                    '@type': 'CVR.CandidateSelection',
                    IsWriteIn: true,
                  },
                ]
              : []),
          ],
        },
  );
  const position = (sel: Selection, votes: number): Json => ({
    '@type': 'CVR.SelectionPosition',
    HasIndication: 'yes',
    NumberVotes: votes,
    IsAllocable: votes > 0 ? 'yes' : 'no',
    ...(isWriteIn(sel) ? { CVRWriteIn: { '@type': 'CVR.CVRWriteIn', Text: sel.writeIn } } : {}),
  });
  const choiceOf = (contestId: string, sel: Selection): string =>
    selectionId(contestId, isWriteIn(sel) ? 'write-in' : sel);
  const records: Json[] = cvrs.map((cvr) => {
    const cvrContests: Json[] = Object.entries(cvr.votes).map(([contestId, vote]) => {
      const c = contestsById.get(contestId);
      const selections: Json[] = [];
      if (c?.type === 'ranked-choice') {
        (vote as readonly (readonly Selection[])[]).forEach((marks, r) => {
          for (const sel of marks) {
            selections.push({
              '@type': 'CVR.CVRContestSelection',
              ContestSelectionId: choiceOf(contestId, sel),
              Rank: r + 1,
              SelectionPosition: [{ ...position(sel, marks.length === 1 ? 1 : 0), Rank: r + 1 }],
            });
          }
        });
        return {
          '@type': 'CVR.CVRContest',
          ContestId: `contest-${contestId}`,
          CVRContestSelection: selections,
        };
      }
      const marks = vote as readonly Selection[];
      const allowed = c?.type === 'candidate' ? c.voteFor : 1;
      const over = marks.length > allowed;
      for (const sel of marks) {
        selections.push({
          '@type': 'CVR.CVRContestSelection',
          ContestSelectionId: choiceOf(contestId, sel),
          SelectionPosition: [position(sel, over ? 0 : 1)],
        });
      }
      return {
        '@type': 'CVR.CVRContest',
        ContestId: `contest-${contestId}`,
        Overvotes: over ? allowed : 0,
        Undervotes: over ? 0 : allowed - marks.length,
        WriteIns: marks.filter(isWriteIn).length,
        CVRContestSelection: selections,
      };
    });
    return {
      '@type': 'CVR.CVR',
      UniqueId: cvr.ballotId,
      BallotStyleId: cvr.ballotStyleId,
      BallotStyleUnitId:
        cvr.splitId === undefined ? gpPrecinct(cvr.precinctId) : gpSplit(cvr.splitId),
      ElectionId: `election-${election.id}`,
      CurrentSnapshotId: `snap-${cvr.ballotId}`,
      CVRSnapshot: [
        {
          '@id': `snap-${cvr.ballotId}`,
          '@type': 'CVR.CVRSnapshot',
          Type: 'original',
          CVRContest: cvrContests,
        },
      ],
    };
  });
  return {
    '@type': 'CVR.CastVoteRecordReport',
    Version: '1.0.0',
    ReportType: ['other'],
    OtherReportType: 'vigil-export',
    GeneratedDate: options.generatedAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ReportGeneratingDeviceIds: ['rd-vigil'],
    ReportingDevice: [{ '@id': 'rd-vigil', '@type': 'CVR.ReportingDevice', Application: VENDOR }],
    GpUnit: gpUnits,
    Party: election.parties.map((p) => ({
      '@id': `party-${p.id}`,
      '@type': 'CVR.Party',
      Name: p.name,
      Abbreviation: p.abbreviation,
    })),
    Election: [
      {
        '@id': `election-${election.id}`,
        '@type': 'CVR.Election',
        Name: election.title,
        ElectionScopeId: gpJurisdiction,
        Candidate: election.contests.flatMap((c) =>
          c.type === 'yesno'
            ? []
            : c.candidates.map((cand) => ({
                '@id': `cand-${cand.id}`,
                '@type': 'CVR.Candidate',
                Name: cand.name,
                ...(cand.partyIds[0] === undefined ? {} : { PartyId: `party-${cand.partyIds[0]}` }),
              })),
        ),
        Contest: contests,
      },
    ],
    CVR: records,
  };
}
