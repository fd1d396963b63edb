/**
 * Response shapes of the routes behind the administration's registry panels and the
 * intelligence console, exported as types only so the web UI compiles against them.
 */
import type {
  EnrolmentListEntry,
  IntelOrgKind,
  PrecinctEnrolment,
  PrecinctTurnout,
  StationActivity,
  StoredDuplicateReview,
} from '@vigil/store';
import type { RollImportSummary } from '@vigil/registry';
import type { TaxiiStatus } from './taxii-ingest.ts';

/** JSON of a value: Dates travel as ISO 8601 text. */
type Json<T> = {
  [K in keyof T]: T[K] extends Date
    ? string
    : T[K] extends Date | undefined
      ? string | undefined
      : T[K] extends readonly (infer E)[]
        ? Json<E>[]
        : T[K];
};

// --- /api/dashboards -----------------------------------------------------------------

export interface TurnoutDashboard {
  readonly electionId: string;
  readonly generatedAt: string;
  readonly registered: number;
  readonly checkedIn: number;
  /** Check-ins per UTC hour (hours without any left out), oldest first. */
  readonly byHour: readonly { hour: string; checkIns: number; overrides: number }[];
  readonly byPrecinct: readonly (PrecinctTurnout & { name: string })[];
}

export interface CheckInDashboard {
  readonly electionId: string;
  readonly generatedAt: string;
  readonly byStation: readonly StationActivity[];
}

export interface EnrolmentDashboard {
  readonly electionId: string;
  readonly byPrecinct: readonly (PrecinctEnrolment & { name: string })[];
}

export interface EnrolmentVotersResponse {
  readonly voters: readonly EnrolmentListEntry[];
  /** The `after` of the next page, when there is one. */
  readonly next?: string;
}

// --- The registry routes the administration uses (packages/server/src/routes/registry.ts)

export type RollImportResponse = RollImportSummary;
export type DuplicateReviewView = Json<StoredDuplicateReview>;
export interface DuplicateReviewsResponse {
  readonly reviews: readonly DuplicateReviewView[];
}
export interface VoterView {
  readonly voterId: string;
  readonly givenName: string;
  readonly middleName?: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly address: {
    readonly line1: string;
    readonly line2?: string;
    readonly city: string;
    readonly state: string;
    readonly postalCode: string;
  };
  readonly precinctId: string;
  readonly splitId?: string;
  readonly ballotStyleId: string;
  readonly status: string;
  readonly blockedAsDuplicateOf?: string;
}
export interface VoterSearchResponse {
  readonly voters: readonly (VoterView & { similarity: number; matchedBy: string })[];
}

// --- /api/intel (the intelligence console) ----------------------------------------------

export interface IntelOrganisationView {
  readonly orgId: string;
  readonly name: string;
  readonly kind: IntelOrgKind;
  readonly parentId?: string;
}

/** Who is signed in to the console, and the hub's directory of organisations. */
export interface IntelProfile {
  readonly user: { readonly userId: string; readonly name: string };
  readonly organisation: IntelOrganisationView;
  readonly organisations: readonly IntelOrganisationView[];
  readonly groups: readonly { groupId: string; name: string; members: readonly string[] }[];
  /** The jurisdictions (state or county ids) whose alerts this person follows. */
  readonly subscriptions: readonly string[];
  /**
   * The STIX identity standing for each state and county (`x_vigil_jurisdiction`), to
   * target a report at: a `targets` relationship to it raises the alerts.
   */
  readonly jurisdictions: readonly { orgId: string; identity: Record<string, unknown> }[];
  /** The STIX marking-definition id of each TLP 2.0 marking, to mark and to read markings. */
  readonly markings: Readonly<Record<IntelTlp, string>>;
  /** The TLP an unmarked object takes in each collection this person may use. */
  readonly collectionDefaults: Readonly<Record<string, IntelTlp>>;
}

export type IntelTlp = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

/** Who may read an object of this marking, and whom an alert about a jurisdiction reaches. */
export interface IntelAudience {
  readonly readers: readonly IntelOrganisationView[];
  /** Organisations with people who follow the jurisdiction and may read: their alert count. */
  readonly alerted: readonly (IntelOrganisationView & { people: number })[];
}

export interface TearLineResponse {
  readonly releasableId: string;
  readonly linkId: string;
  readonly status: TaxiiStatus;
}
