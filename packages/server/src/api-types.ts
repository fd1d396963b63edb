/**
 * The shapes of the HTTP API. The web UI imports these with `import type`, so a change to
 * a response that the UI relies on fails to compile rather than failing in a browser.
 * This file must stay free of runtime code.
 */
import type { Election } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';

/** One thing wrong with an input: where (a JSON path) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** RFC 9457 problem details, with Vigil's extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  /** A stable Vigil code such as `invalid-election` or `not-found`. */
  code?: string;
  hint?: string;
  /** Every problem found in the input, when there were several. */
  problems?: Problem[];
  /**
   * Check-in refusals (RFC 9457 §3.2 extension members): why, where the voter must go
   * instead, and how many fingerprint attempts are left.
   */
  reason?: string;
  goTo?: { precinctId: string; precinctName: string; splitId?: string; splitName?: string };
  attemptsLeft?: number;
}

/** `GET /healthz` */
export interface HealthResponse {
  status: 'ok';
  /** Which database holds the data: `sqlite` or `postgres`. */
  store: string;
  elections: number;
}

/** `POST /api/elections`: 201 when loaded, 200 when the same bytes were already loaded. */
export interface ElectionLoadResponse {
  electionId: string;
  /** SHA-256 (hex) over the exact bytes of the definition. */
  hash: string;
  title: string;
  loadedAt: string;
}

/** One entry of `GET /api/elections`. */
export interface ElectionSummary {
  electionId: string;
  title: string;
  /** The election day, `YYYY-MM-DD`. */
  date: string;
  hash: string;
  /** When the definition was loaded (ISO 8601). */
  loadedAt: string;
}

/** `GET /api/elections` */
export interface ElectionListResponse {
  elections: ElectionSummary[];
}

/** `GET /api/elections/:electionId` and `GET /api/elections/current` */
export interface ElectionDetailResponse {
  electionId: string;
  hash: string;
  loadedAt: string;
  election: Election;
}

/** A signed tree head as the ledger routes describe it. */
export interface LedgerHeadSummary {
  size: number;
  /** RFC 9162 root hash, lowercase hex. */
  root: string;
  /** The signed note (C2SP tlog-checkpoint) with every cosignature gathered so far. */
  checkpoint: string;
}

/** `GET /api/ledger` */
export interface LedgerSummaryResponse {
  /** The log's origin line (its key's name); null when there is no key and no head. */
  origin: string | null;
  /** Entries in the ledger now. */
  size: number;
  /** Root hash (hex) of the ledger now, which may be ahead of the latest signed head. */
  root: string;
  latestHead: LedgerHeadSummary | null;
  /** The log's verifier key (`<name>+<key id>+<base64>`); null without a key. */
  vkey: string | null;
}

/** `GET /api/ledger/proof/inclusion?index=I&size=N` (hashes in hex, RFC 9162 §2.1.3) */
export interface LedgerInclusionProofResponse {
  index: number;
  size: number;
  /** SHA-256(0x00 || entry bytes) of the entry at `index`. */
  leafHash: string;
  proof: string[];
}

/** `GET /api/ledger/proof/consistency?old=M&size=N` (hashes in hex, RFC 9162 §2.1.4) */
export interface LedgerConsistencyProofResponse {
  old: number;
  size: number;
  proof: string[];
}

/** One entry of `GET /api/ledger/entries`. */
export interface LedgerEntryView {
  index: number;
  leafHash: string;
  /** The entry decoded from its leaf bytes (RFC 8785 canonical JSON). */
  entry: LedgerEntry;
}

/** `GET /api/ledger/entries?from=I&limit=L` */
export interface LedgerEntriesResponse {
  /** Entries in the ledger now. */
  size: number;
  entries: LedgerEntryView[];
}
