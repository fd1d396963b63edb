import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import type { VigilDatabase } from './schema.ts';

/**
 * Read-only figures for the administration dashboards: turnout by hour and by precinct,
 * check-ins, failed 1:1 matches and supervised overrides by station, and enrolment by
 * precinct. Each is one aggregate query over the registry's tables (migrations
 * 0006-registry and 0008-checkin), counted by the database, so a dashboard costs the
 * same for 200 voters as for 200 000. They read counts and ids only: no names, no
 * templates.
 */

/** Check-ins that took the "has voted" lock in one UTC hour. */
export interface TurnoutHour {
  /** The hour's start, UTC (`2026-11-03T14:00:00.000Z`). */
  readonly hour: Date;
  readonly checkIns: number;
  /** Of which supervised overrides (no biometric match). */
  readonly overrides: number;
}

/** A precinct's roll and how many of its voters have checked in. */
export interface PrecinctTurnout {
  readonly precinctId: string;
  /** Voters on the roll in the precinct (every status). */
  readonly registered: number;
  readonly checkedIn: number;
}

/** What happened at one station: check-ins by method, and every 1:1 match attempt. */
export interface StationActivity {
  readonly stationId: string;
  readonly checkIns: number;
  readonly biometric: number;
  readonly overrides: number;
  /** 1:1 match attempts made at the station, and how many of them failed. */
  readonly attempts: number;
  readonly failedMatches: number;
}

/** A precinct's roll and how many of its voters have enrolled biometrics. */
export interface PrecinctEnrolment {
  readonly precinctId: string;
  readonly registered: number;
  readonly enrolled: number;
  /** Voters blocked as duplicates of another record by a registrar's decision. */
  readonly blockedAsDuplicates: number;
}

/** A voter in the enrolment list: who, where, and whether enrolled. */
export interface EnrolmentListEntry {
  readonly voterId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly precinctId: string;
  readonly status: string;
  readonly enrolled: boolean;
}

export interface EnrolmentListQuery {
  readonly precinctId?: string;
  /** true: only enrolled voters; false: only those not enrolled; unset: both. */
  readonly enrolled?: boolean;
  /** Voter ids sorting after this one (the previous page's last), for paging. */
  readonly afterVoterId?: string;
  readonly limit: number;
}

export interface DashboardOperations {
  /** Check-ins of the election per UTC hour, oldest first; hours without any are left out. */
  readonly turnoutByHour: (electionId: string) => Promise<TurnoutHour[]>;
  /** Every precinct with voters on the roll, by precinct id, with its check-ins. */
  readonly turnoutByPrecinct: (electionId: string) => Promise<PrecinctTurnout[]>;
  /** Every station with a check-in or a match attempt in the election, by station id. */
  readonly stationActivity: (electionId: string) => Promise<StationActivity[]>;
  /** Every precinct with voters on the roll, by precinct id. */
  readonly enrolmentByPrecinct: () => Promise<PrecinctEnrolment[]>;
  /** A page of the roll in voter id order, with each voter's enrolment. */
  readonly listEnrolment: (query: EnrolmentListQuery) => Promise<EnrolmentListEntry[]>;
}

/** A COUNT's value: a number on SQLite, a decimal string (bigint) from `pg`. */
const count = (value: number | string | bigint | null | undefined): number => Number(value ?? 0);

/**
 * The UTC hour of a timestamp column as `YYYY-MM-DDTHH`, the same text on both dialects:
 * SQLite keeps instants as ISO 8601 UTC text (its first 13 characters are the hour);
 * PostgreSQL has timestamptz, formatted in UTC.
 */
function utcHour(dialect: StoreDialect, column: string): RawBuilder<string> {
  return dialect === 'sqlite'
    ? sql<string>`substr(${sql.ref(column)}, 1, 13)`
    : sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24')`;
}

/** How many rows of a group have `column = value` (a bound parameter). */
function countWhere(column: string, value: string): RawBuilder<number | string | null> {
  return sql<
    number | string | null
  >`sum(case when ${sql.ref(column)} = ${value} then 1 else 0 end)`;
}

/** Whether the voter of the current `voters` row has enrolled templates (any finger). */
const ENROLLED = sql<SqlBool>`exists (select 1 from voter_templates where voter_templates.voter_id = voters.voter_id)`;

export function createDashboardOperations(
  db: Kysely<VigilDatabase>,
  dialect: StoreDialect,
): DashboardOperations {
  return {
    turnoutByHour: async (electionId) => {
      const hour = utcHour(dialect, 'checked_in_at');
      const rows = await db
        .selectFrom('voter_participation')
        .select((eb) => [
          hour.as('hour'),
          eb.fn.countAll<number | string>().as('check_ins'),
          countWhere('method', 'override').as('overrides'),
        ])
        .where('election_id', '=', electionId)
        .groupBy(hour)
        .orderBy(hour)
        .execute();
      return rows.map((r) => ({
        hour: new Date(`${r.hour}:00:00.000Z`),
        checkIns: count(r.check_ins),
        overrides: count(r.overrides),
      }));
    },

    turnoutByPrecinct: async (electionId) => {
      const rows = await db
        .selectFrom('voters')
        .leftJoin('voter_participation', (join) =>
          join
            .onRef('voter_participation.voter_id', '=', 'voters.voter_id')
            .on('voter_participation.election_id', '=', electionId),
        )
        .select((eb) => [
          'voters.precinct_id',
          eb.fn.countAll<number | string>().as('registered'),
          eb.fn.count<number | string>('voter_participation.voter_id').as('checked_in'),
        ])
        .groupBy('voters.precinct_id')
        .orderBy('voters.precinct_id')
        .execute();
      return rows.map((r) => ({
        precinctId: r.precinct_id,
        registered: count(r.registered),
        checkedIn: count(r.checked_in),
      }));
    },

    stationActivity: async (electionId) => {
      const [checkIns, attempts] = await Promise.all([
        db
          .selectFrom('voter_participation')
          .select((eb) => [
            'station_id',
            eb.fn.countAll<number | string>().as('check_ins'),
            countWhere('method', 'override').as('overrides'),
          ])
          .where('election_id', '=', electionId)
          .groupBy('station_id')
          .execute(),
        db
          .selectFrom('checkin_attempts')
          .select((eb) => [
            'station_id',
            eb.fn.countAll<number | string>().as('attempts'),
            countWhere('outcome', 'no-match').as('failed'),
          ])
          .where('election_id', '=', electionId)
          .groupBy('station_id')
          .execute(),
      ]);
      const byStation = new Map<string, StationActivity>();
      const empty = (stationId: string): StationActivity => ({
        stationId,
        checkIns: 0,
        biometric: 0,
        overrides: 0,
        attempts: 0,
        failedMatches: 0,
      });
      for (const r of checkIns) {
        const total = count(r.check_ins);
        const overrides = count(r.overrides);
        byStation.set(r.station_id, {
          ...empty(r.station_id),
          checkIns: total,
          biometric: total - overrides,
          overrides,
        });
      }
      for (const r of attempts) {
        byStation.set(r.station_id, {
          ...(byStation.get(r.station_id) ?? empty(r.station_id)),
          attempts: count(r.attempts),
          failedMatches: count(r.failed),
        });
      }
      return [...byStation.values()].sort((a, b) => (a.stationId < b.stationId ? -1 : 1));
    },

    enrolmentByPrecinct: async () => {
      // A voter has one template row per finger: count voters, not rows.
      const rows = await db
        .selectFrom('voters')
        .select((eb) => [
          'voters.precinct_id',
          eb.fn.countAll<number | string>().as('registered'),
          sql<number | string | null>`sum(case when ${ENROLLED} then 1 else 0 end)`.as('enrolled'),
          eb.fn.count<number | string>('voters.blocked_as_duplicate_of').as('blocked'),
        ])
        .groupBy('voters.precinct_id')
        .orderBy('voters.precinct_id')
        .execute();
      return rows.map((r) => ({
        precinctId: r.precinct_id,
        registered: count(r.registered),
        enrolled: count(r.enrolled),
        blockedAsDuplicates: count(r.blocked),
      }));
    },

    listEnrolment: async (query) => {
      const rows = await db
        .selectFrom('voters')
        .select([
          'voters.voter_id',
          'voters.given_name',
          'voters.family_name',
          'voters.birth_date',
          'voters.precinct_id',
          'voters.status',
          ENROLLED.as('enrolled'),
        ])
        .$if(query.precinctId !== undefined, (q) =>
          q.where('voters.precinct_id', '=', query.precinctId ?? ''),
        )
        .$if(query.afterVoterId !== undefined, (q) =>
          q.where('voters.voter_id', '>', query.afterVoterId ?? ''),
        )
        .$if(query.enrolled !== undefined, (q) =>
          q.where(query.enrolled === true ? ENROLLED : sql<SqlBool>`not ${ENROLLED}`),
        )
        .orderBy('voters.voter_id')
        .limit(query.limit)
        .execute();
      return rows.map((r) => ({
        voterId: r.voter_id,
        givenName: r.given_name,
        familyName: r.family_name,
        birthDate: r.birth_date,
        precinctId: r.precinct_id,
        status: r.status,
        // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
        enrolled: r.enrolled === true || Number(r.enrolled) === 1,
      }));
    },
  };
}
