import type { Election } from '@vigil/core';
import { parseManifest, type ManifestRecord } from './record.ts';

/**
 * Converts a Vigil election definition into an ElectionGuard manifest in egk's JSON form.
 *
 * - Candidate contests become `one_of_m` (vote for 1) or `n_of_m` contests with one
 *   selection per candidate and `votes_allowed` = vote-for; write-in names travel in the
 *   encrypted contest data, as ElectionGuard 2.0 §3.3.3 intends.
 * - Yes/no measures become `one_of_m` contests with a yes and a no selection.
 * - Ranked-choice contests have no homomorphic form in ElectionGuard 2.0. Each rank
 *   becomes its own `one_of_m` contest (`<id>-rank-1`, …) over the candidates, so every
 *   rank is proven to carry at most one mark and first choices tally homomorphically; the
 *   instant-runoff rounds need the cast vote records (the tally package), and that a
 *   candidate is not ranked twice is not proven.
 * - Each ballot style's geopolitical units are the districts of its contests.
 */
export function manifestFromElection(election: Election): {
  json: unknown;
  bytes: Uint8Array;
  manifest: ManifestRecord;
} {
  const contests: unknown[] = [];
  const candidates: unknown[] = [];
  const contestIdsByVigilId = new Map<string, string[]>();
  let order = 0;
  const addContest = (
    contestId: string,
    districtId: string,
    name: string,
    votesAllowed: number,
    selections: readonly { id: string; candidateId: string }[],
  ): void => {
    order++;
    contests.push({
      object_id: contestId,
      sequence_order: order,
      electoral_district_id: districtId,
      vote_variation: votesAllowed === 1 ? 'one_of_m' : 'n_of_m',
      number_elected: votesAllowed,
      votes_allowed: votesAllowed,
      name,
      ballot_selections: selections.map((s, i) => ({
        object_id: s.id,
        sequence_order: i + 1,
        candidate_id: s.candidateId,
      })),
      ballot_title: name,
      ballot_subtitle: null,
    });
  };
  for (const contest of election.contests) {
    const ids: string[] = [];
    switch (contest.type) {
      case 'candidate':
        for (const c of contest.candidates) {
          candidates.push({
            object_id: c.id,
            name: c.name,
            party_id: c.partyIds[0] ?? null,
            image_url: null,
            is_write_in: false,
          });
        }
        addContest(
          contest.id,
          contest.districtId,
          contest.title,
          contest.voteFor,
          contest.candidates.map((c) => ({ id: c.id, candidateId: c.id })),
        );
        ids.push(contest.id);
        break;
      case 'ranked-choice':
        for (const c of contest.candidates) {
          candidates.push({
            object_id: c.id,
            name: c.name,
            party_id: c.partyIds[0] ?? null,
            image_url: null,
            is_write_in: false,
          });
        }
        for (let rank = 1; rank <= contest.ranks; rank++) {
          const id = `${contest.id}-rank-${rank}`;
          addContest(
            id,
            contest.districtId,
            `${contest.title} (choice ${rank})`,
            1,
            contest.candidates.map((c) => ({ id: `${c.id}-rank-${rank}`, candidateId: c.id })),
          );
          ids.push(id);
        }
        break;
      case 'yesno':
        for (const o of [contest.yesOption, contest.noOption]) {
          candidates.push({
            object_id: o.id,
            name: o.label,
            party_id: null,
            image_url: null,
            is_write_in: false,
          });
        }
        addContest(contest.id, contest.districtId, contest.title, 1, [
          { id: contest.yesOption.id, candidateId: contest.yesOption.id },
          { id: contest.noOption.id, candidateId: contest.noOption.id },
        ]);
        ids.push(contest.id);
        break;
    }
    contestIdsByVigilId.set(contest.id, ids);
  }
  const districtOf = new Map(
    election.contests.map((c) => [c.id as string, c.districtId as string]),
  );
  const json = {
    election_scope_id: election.id,
    spec_version: 'v2.0.0',
    type: election.type,
    start_date: election.date,
    end_date: election.date,
    geopolitical_units: election.districts.map((d) => ({
      object_id: d.id,
      name: d.name,
      type: 'district',
      contact_information: null,
    })),
    parties: election.parties.map((p) => ({
      object_id: p.id,
      name: p.name,
      abbreviation: p.abbreviation,
      color: null,
      logo_uri: null,
    })),
    candidates,
    contests,
    ballot_styles: election.ballotStyles.map((s) => ({
      object_id: s.id,
      geopolitical_unit_ids: [...new Set(s.contestIds.map((id) => districtOf.get(id) ?? ''))],
      party_ids: s.partyId === undefined ? [] : [s.partyId],
      image_url: null,
    })),
    name: [election.title],
    contact_information: null,
  };
  const bytes = new TextEncoder().encode(`${JSON.stringify(json, null, 4)}\n`);
  return { json, bytes, manifest: parseManifest(json, bytes) };
}

/**
 * A synthetic manifest like egk's sample: `contests` contests of `selections` selections
 * each, vote for one, one ballot style. Used by the benchmark when no record is at hand.
 */
export function syntheticManifest(
  contestCount = 20,
  selectionCount = 5,
): { bytes: Uint8Array; manifest: ManifestRecord } {
  const json = {
    election_scope_id: 'synthetic',
    spec_version: 'v2.0.0',
    type: 'general',
    start_date: 'start',
    end_date: 'end',
    geopolitical_units: [
      { object_id: 'district1', name: 'district1', type: 'precinct', contact_information: null },
    ],
    parties: [],
    candidates: [],
    contests: Array.from({ length: contestCount }, (_, i) => ({
      object_id: `contest${i + 1}`,
      sequence_order: i + 1,
      electoral_district_id: 'district1',
      vote_variation: 'one_of_m',
      number_elected: 1,
      votes_allowed: 1,
      name: `contest${i + 1}`,
      ballot_selections: Array.from({ length: selectionCount }, (_, k) => ({
        object_id: `selection${i * selectionCount + k + 1}`,
        sequence_order: k + 1,
        candidate_id: `candidate${i * selectionCount + k + 1}`,
      })),
    })),
    ballot_styles: [
      {
        object_id: 'ballotStyle',
        geopolitical_unit_ids: ['district1'],
        party_ids: [],
        image_url: null,
      },
    ],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(json, null, 4));
  return { bytes, manifest: parseManifest(json, bytes) };
}
