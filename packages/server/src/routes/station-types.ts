/**
 * The shapes of the registry routes a polling station uses (routes/registry.ts), and of
 * the demo scanner (routes/demo.ts), for the web UI to import as types only. This file
 * must stay free of runtime code.
 */
import type { VoterSearchHit } from '@vigil/registry';

export type { DemoVoterListResponse, DemoVoterView } from '../demo/voters.ts';

/** `GET /api/registry`: what a station needs to blind a ballot credential (RFC 9474). */
export interface RegistryInfoResponse {
  electionId: string;
  electionHash: string;
  /** The RFC 9474 variant, `RSABSSA-SHA384-PSS-Randomized`. */
  credentialSuite: string;
  credentialKeys: {
    ballotStyleId: string;
    /** SHA-256 (hex) of the SPKI. */
    keyId: string;
    /** SubjectPublicKeyInfo DER, base64. */
    spki: string;
  }[];
}

/** One voter as a station sees them (`voterView` in routes/registry.ts). */
export interface StationVoter {
  voterId: string;
  givenName: string;
  middleName?: string;
  familyName: string;
  birthDate: string;
  address: { line1: string; line2?: string; city: string; state: string; postalCode: string };
  precinctId: string;
  splitId?: string;
  ballotStyleId: string;
  status: 'active' | 'inactive' | 'removed';
  blockedAsDuplicateOf?: string;
  similarity: number;
  matchedBy: VoterSearchHit['matchedBy'];
}

/** `GET /api/voters` and `POST /api/voters/barcode-search` */
export interface StationVoterSearchResponse {
  voters: StationVoter[];
}

/** `POST /api/checkins` and `POST /api/checkins/override` (201) */
export interface StationCheckInResponse {
  checkInId: string;
  ballotStyleId: string;
  method: 'biometric' | 'override';
  /** The match score of the accepted attempt, one decimal. */
  score?: number;
  /** The registry's RFC 9474 blind signature on the blinded message sent, base64. */
  blindSignature?: string;
  /** Why no signature came back although a blinded message was sent. */
  credentialRefused?: string;
}

/** `POST /api/checkins/:checkInId/credential` (201) */
export interface StationCredentialResponse {
  blindSignature: string;
}

/** `POST /api/provisional-ballots` (201) */
export interface StationProvisionalBallotResponse {
  envelopeId: string;
  precinctId: string;
  ballotStyleId: string;
}
