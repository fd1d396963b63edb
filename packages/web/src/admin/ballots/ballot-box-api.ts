/**
 * The shapes of the ballot-box API (ceremony, polls, booth, tally, bulletin board,
 * results and verification) under the names the web UI uses, taken as types only from
 * @vigil/server so that a changed contract fails to compile here; and the risk-limiting
 * audit's answers, which the audit routes describe without an exported type.
 */
import type {
  BallotBoxPhaseView,
  BallotBoxStatus,
  BoothContest,
  BoothOption,
  BoothSessionOpened,
  BulletinBallotView,
  CastView,
  CeremonyView,
  ChallengeView,
  ChosenSummary,
  ContestResult,
  EncryptedBallotView,
  GuardianView,
  PaperBallotManifestView,
  PaperBallotView,
  PublishedKeys,
  ResultOption,
  ResultsView,
  ShareReleased,
  VerificationStepView,
  VerificationView,
} from '@vigil/server';

export type {
  BallotBoxStatus,
  BoothContest,
  BoothOption,
  CeremonyView,
  ContestResult,
  PublishedKeys,
  ResultOption,
  ShareReleased,
};
export type BallotBoxPhase = BallotBoxPhaseView;
export type GuardianStatus = GuardianView;
export type BoothSession = BoothSessionOpened;
export type ContestSummary = ChosenSummary;
export type EncryptedBallotReceipt = EncryptedBallotView;
export type CastReceipt = CastView;
export type ChallengeReceipt = ChallengeView;
export type ElectionResults = ResultsView;
export type VerificationStep = VerificationStepView;
export type VerificationReport = VerificationView;
export type BulletinBallot = BulletinBallotView;
export type PaperBallotManifest = PaperBallotManifestView;
export type PaperBallot = PaperBallotView;

/** One sampled ballot of an audit round (`/api/audits/:id`). */
export interface AuditSampledBallot {
  draw: number;
  batchId: string;
  position: number;
  ballotId: string;
  timesSampled: number;
  entry: { kind: 'votes'; votes: Record<string, number> } | { kind: 'not-found' } | null;
}

/** `GET/POST /api/audits/:id…`: a risk-limiting audit as its rounds stand. */
export interface AuditView {
  auditId: string;
  method: 'ballot-polling' | 'ballot-comparison';
  contestId: string;
  riskLimit: number;
  seed: string;
  status: 'in-progress' | 'confirmed' | 'full-hand-count';
  nextRoundSize: number;
  rounds: { round: number; risk: number | null; ballots: AuditSampledBallot[] }[];
}

/** `GET /api/audits` */
export interface AuditList {
  audits: { auditId: string; createdAt: string }[];
}
