import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { P, Q } from './group.ts';

/**
 * The election record in egk's JSON layout (electionguard-kotlin-multiplatform, its 1.9
 * serialization draft carried over to spec 2.0; docs/JsonSerializationSpec1.9.md): the
 * field names are egk's own. Reading never throws: every file that is missing or
 * malformed becomes a problem attached to the verification step that needs it, so a
 * broken record gives clear failures instead of a crash.
 */

export interface Ciphertext {
  readonly pad: bigint;
  readonly data: bigint;
}

/** One (challenge, response) pair of a proof. */
export interface ProofPair {
  readonly challenge: bigint;
  readonly response: bigint;
}

export interface SchnorrProof extends ProofPair {
  readonly publicKey: bigint;
}

export interface GuardianRecord {
  readonly guardianId: string;
  readonly xCoordinate: number;
  readonly coefficientProofs: readonly SchnorrProof[];
}

export interface HashedCiphertext {
  readonly c0: bigint;
  readonly c1: Uint8Array;
  readonly c2: Uint8Array;
  readonly numBytes: number;
}

export interface EncryptedSelection {
  readonly selectionId: string;
  readonly sequenceOrder: number;
  readonly ciphertext: Ciphertext;
  readonly proof: readonly ProofPair[];
}

export interface EncryptedContest {
  readonly contestId: string;
  readonly sequenceOrder: number;
  readonly votesAllowed: number;
  readonly contestHash: Uint8Array;
  readonly selections: readonly EncryptedSelection[];
  readonly proof: readonly ProofPair[];
  readonly contestData: HashedCiphertext | undefined;
}

export interface EncryptedBallotRecord {
  readonly file: string;
  readonly ballotId: string;
  readonly ballotStyleId: string;
  readonly device: string;
  readonly timestamp: number;
  readonly codeBaux: Uint8Array;
  readonly confirmationCode: Uint8Array;
  readonly electionId: Uint8Array;
  readonly state: string;
  readonly contests: readonly EncryptedContest[];
}

export interface BallotChainRecord {
  readonly device: string;
  readonly baux0: Uint8Array;
  readonly ballotIds: readonly string[];
  readonly lastConfirmationCode: Uint8Array;
  readonly chaining: boolean;
  readonly closingHash: Uint8Array;
}

export interface EncryptedTallyRecord {
  readonly tallyId: string;
  readonly contests: readonly {
    readonly contestId: string;
    readonly selections: readonly {
      readonly selectionId: string;
      readonly ciphertext: Ciphertext;
    }[];
  }[];
  readonly castBallotIds: readonly string[];
  readonly electionId: Uint8Array;
}

export interface DecryptedSelection {
  readonly selectionId: string;
  readonly tally: number;
  readonly bOverM: bigint;
  readonly ciphertext: Ciphertext;
  readonly proof: ProofPair;
}

export interface DecryptedContestData {
  readonly encrypted: HashedCiphertext;
  readonly proof: ProofPair;
  readonly beta: bigint;
}

export interface DecryptedTallyOrBallot {
  readonly file: string;
  readonly id: string;
  readonly contests: readonly {
    readonly contestId: string;
    readonly selections: readonly DecryptedSelection[];
    readonly contestData: DecryptedContestData | undefined;
  }[];
  readonly electionId: Uint8Array;
}

export interface ManifestContest {
  readonly contestId: string;
  readonly districtId: string;
  readonly sequenceOrder: number;
  readonly votesAllowed: number;
  readonly selections: readonly { readonly selectionId: string; readonly sequenceOrder: number }[];
}

export interface ManifestRecord {
  readonly bytes: Uint8Array;
  readonly ballotStyles: readonly {
    readonly styleId: string;
    readonly unitIds: readonly string[];
  }[];
  readonly contests: readonly ManifestContest[];
}

/** The contests on ballots of one style: those of the style's geopolitical units, or undefined for an unknown style. */
export function contestsForStyle(
  manifest: ManifestRecord,
  styleId: string,
): ManifestContest[] | undefined {
  const style = manifest.ballotStyles.find((s) => s.styleId === styleId);
  if (style === undefined) return undefined;
  const units = new Set(style.unitIds);
  return manifest.contests.filter((c) => units.has(c.districtId));
}

export interface ElectionConfigRecord {
  readonly configVersion: string;
  readonly numberOfGuardians: number;
  readonly quorum: number;
  readonly parameterBaseHash: Uint8Array;
  readonly manifestHash: Uint8Array;
  readonly electionBaseHash: Uint8Array;
  readonly chainConfirmationCodes: boolean;
  readonly baux0: Uint8Array;
}

export interface ConstantsRecord {
  readonly largePrime: bigint;
  readonly smallPrime: bigint;
  readonly cofactor: bigint;
  readonly generator: bigint;
}

export interface ElectionInitializedRecord {
  readonly jointPublicKey: bigint;
  readonly extendedBaseHash: Uint8Array;
  readonly guardians: readonly GuardianRecord[];
}

/** Where a problem was found, by verification step (V1...V14) and file. */
export interface RecordProblem {
  readonly step: string;
  readonly message: string;
}

export interface ElectionRecord {
  readonly dir: string;
  readonly constants: ConstantsRecord | undefined;
  readonly manifest: ManifestRecord | undefined;
  readonly config: ElectionConfigRecord | undefined;
  readonly initialized: ElectionInitializedRecord | undefined;
  readonly ballots: readonly EncryptedBallotRecord[];
  readonly chains: readonly BallotChainRecord[];
  readonly encryptedTally: EncryptedTallyRecord | undefined;
  readonly tally: DecryptedTallyOrBallot | undefined;
  readonly challengedBallots: readonly DecryptedTallyOrBallot[];
  readonly problems: readonly RecordProblem[];
}

/** Thrown inside the parsers only; caught per file and turned into a RecordProblem. */
class ShapeError extends Error {}

type Json = unknown;

function field(o: Json, name: string, where: string): Json {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new ShapeError(`${where}: expected an object`);
  }
  if (!(name in o)) throw new ShapeError(`${where}: field "${name}" is missing`);
  return (o as Record<string, Json>)[name];
}

function optField(o: Json, name: string): Json {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  return (o as Record<string, Json>)[name];
}

function str(o: Json, name: string, where: string): string {
  const v = field(o, name, where);
  if (typeof v !== 'string') throw new ShapeError(`${where}.${name}: expected a string`);
  return v;
}

function int(o: Json, name: string, where: string): number {
  const v = field(o, name, where);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new ShapeError(`${where}.${name}: expected an integer`);
  }
  return v;
}

function bool(o: Json, name: string, where: string): boolean {
  const v = field(o, name, where);
  if (typeof v !== 'boolean') throw new ShapeError(`${where}.${name}: expected true or false`);
  return v;
}

function arr(o: Json, name: string, where: string): readonly Json[] {
  const v = field(o, name, where);
  if (!Array.isArray(v)) throw new ShapeError(`${where}.${name}: expected an array`);
  return v as readonly Json[];
}

const HEX = /^[0-9A-Fa-f]*$/;

function hexString(o: Json, name: string, where: string): string {
  const v = str(o, name, where);
  if (!HEX.test(v) || v.length === 0) {
    throw new ShapeError(`${where}.${name}: not a hexadecimal string`);
  }
  return v;
}

/** An element of Z_p: 512 bytes (1024 hex digits), below p. */
function elementP(o: Json, name: string, where: string): bigint {
  const h = hexString(o, name, where);
  if (h.length !== 1024) {
    throw new ShapeError(`${where}.${name}: expected 1024 hex digits (512 bytes), got ${h.length}`);
  }
  const x = BigInt(`0x${h}`);
  if (x >= P) throw new ShapeError(`${where}.${name}: value is not below p`);
  return x;
}

/** An element of Z_q: 32 bytes (64 hex digits). Whether it is below q is checked by the step. */
function elementQ(o: Json, name: string, where: string): bigint {
  const h = hexString(o, name, where);
  if (h.length !== 64) {
    throw new ShapeError(`${where}.${name}: expected 64 hex digits (32 bytes), got ${h.length}`);
  }
  return BigInt(`0x${h}`);
}

function hash32(o: Json, name: string, where: string): Uint8Array {
  const h = hexString(o, name, where);
  if (h.length !== 64) {
    throw new ShapeError(`${where}.${name}: expected 64 hex digits (32 bytes), got ${h.length}`);
  }
  return Buffer.from(h, 'hex');
}

function bytesHex(o: Json, name: string, where: string): Uint8Array {
  const h = hexString(o, name, where);
  if (h.length % 2 !== 0) throw new ShapeError(`${where}.${name}: odd number of hex digits`);
  return Buffer.from(h, 'hex');
}

function ciphertext(o: Json, where: string): Ciphertext {
  return { pad: elementP(o, 'pad', where), data: elementP(o, 'data', where) };
}

function proofPair(o: Json, where: string): ProofPair {
  return { challenge: elementQ(o, 'challenge', where), response: elementQ(o, 'response', where) };
}

function hashedCiphertext(o: Json, where: string): HashedCiphertext {
  return {
    c0: elementP(o, 'c0', where),
    c1: bytesHex(o, 'c1', where),
    c2: hash32(o, 'c2', where),
    numBytes: int(o, 'numBytes', where),
  };
}

export function parseConstants(j: Json): ConstantsRecord {
  const w = 'constants.json';
  const big = (name: string): bigint => {
    const h = hexString(j, name, w);
    return BigInt(`0x${h}`);
  };
  return {
    largePrime: big('large_prime'),
    smallPrime: big('small_prime'),
    cofactor: big('cofactor'),
    generator: big('generator'),
  };
}

export function parseConfig(j: Json): ElectionConfigRecord {
  const w = 'election_config.json';
  const baux0Raw = arr(j, 'baux0', w);
  const baux0 = Uint8Array.from(
    baux0Raw.map((b) => {
      if (typeof b !== 'number' || !Number.isInteger(b) || b < -128 || b > 255) {
        throw new ShapeError(`${w}.baux0: expected bytes`);
      }
      return b & 0xff;
    }),
  );
  return {
    configVersion: str(j, 'config_version', w),
    numberOfGuardians: int(j, 'number_of_guardians', w),
    quorum: int(j, 'quorum', w),
    parameterBaseHash: hash32(j, 'parameter_base_hash', w),
    manifestHash: hash32(j, 'manifest_hash', w),
    electionBaseHash: hash32(j, 'election_base_hash', w),
    chainConfirmationCodes: bool(j, 'chain_confirmation_codes', w),
    baux0,
  };
}

export function parseManifest(j: Json, bytes: Uint8Array): ManifestRecord {
  const w = 'manifest.json';
  return {
    bytes,
    ballotStyles: arr(j, 'ballot_styles', w).map((s, i) => {
      const sw = `${w}.ballot_styles[${i}]`;
      return {
        styleId: str(s, 'object_id', sw),
        unitIds: arr(s, 'geopolitical_unit_ids', sw).map((u, k) => {
          if (typeof u !== 'string')
            throw new ShapeError(`${sw}.geopolitical_unit_ids[${k}]: expected a string`);
          return u;
        }),
      };
    }),
    contests: arr(j, 'contests', w).map((c, i) => {
      const cw = `${w}.contests[${i}]`;
      return {
        contestId: str(c, 'object_id', cw),
        districtId: str(c, 'electoral_district_id', cw),
        sequenceOrder: int(c, 'sequence_order', cw),
        votesAllowed: int(c, 'votes_allowed', cw),
        selections: arr(c, 'ballot_selections', cw).map((s, k) => ({
          selectionId: str(s, 'object_id', `${cw}.ballot_selections[${k}]`),
          sequenceOrder: int(s, 'sequence_order', `${cw}.ballot_selections[${k}]`),
        })),
      };
    }),
  };
}

export function parseInitialized(j: Json): ElectionInitializedRecord {
  const w = 'election_initialized.json';
  return {
    jointPublicKey: elementP(j, 'joint_public_key', w),
    extendedBaseHash: hash32(j, 'extended_base_hash', w),
    guardians: arr(j, 'guardians', w).map((g, i) => {
      const gw = `${w}.guardians[${i}]`;
      return {
        guardianId: str(g, 'guardian_id', gw),
        xCoordinate: int(g, 'x_coordinate', gw),
        coefficientProofs: arr(g, 'coefficient_proofs', gw).map((p, k) => {
          const pw = `${gw}.coefficient_proofs[${k}]`;
          return { publicKey: elementP(p, 'public_key', pw), ...proofPair(p, pw) };
        }),
      };
    }),
  };
}

export function parseEncryptedBallot(j: Json, file: string): EncryptedBallotRecord {
  const w = file;
  return {
    file,
    ballotId: str(j, 'ballot_id', w),
    ballotStyleId: str(j, 'ballot_style_id', w),
    device: str(j, 'encrypting_device', w),
    timestamp: int(j, 'timestamp', w),
    codeBaux: bytesHex(j, 'code_baux', w),
    confirmationCode: hash32(j, 'confirmation_code', w),
    electionId: hash32(j, 'election_id', w),
    state: str(j, 'state', w),
    contests: arr(j, 'contests', w).map((c, i) => {
      const cw = `${w} contests[${i}]`;
      const data = optField(c, 'encrypted_contest_data');
      return {
        contestId: str(c, 'contest_id', cw),
        sequenceOrder: int(c, 'sequence_order', cw),
        votesAllowed: int(c, 'votes_allowed', cw),
        contestHash: hash32(c, 'contest_hash', cw),
        selections: arr(c, 'selections', cw).map((s, k) => {
          const sw = `${cw}.selections[${k}]`;
          return {
            selectionId: str(s, 'selection_id', sw),
            sequenceOrder: int(s, 'sequence_order', sw),
            ciphertext: ciphertext(field(s, 'encrypted_vote', sw), `${sw}.encrypted_vote`),
            proof: arr(field(s, 'proof', sw), 'proofs', `${sw}.proof`).map((p, m) =>
              proofPair(p, `${sw}.proof.proofs[${m}]`),
            ),
          };
        }),
        proof: arr(field(c, 'proof', cw), 'proofs', `${cw}.proof`).map((p, m) =>
          proofPair(p, `${cw}.proof.proofs[${m}]`),
        ),
        contestData:
          data === undefined || data === null
            ? undefined
            : hashedCiphertext(data, `${cw}.encrypted_contest_data`),
      };
    }),
  };
}

export function parseBallotChain(j: Json, file: string): BallotChainRecord {
  return {
    device: str(j, 'encrypting_device', file),
    baux0: bytesHex(j, 'baux0', file),
    ballotIds: arr(j, 'ballot_ids', file).map((id, i) => {
      if (typeof id !== 'string')
        throw new ShapeError(`${file}.ballot_ids[${i}]: expected a string`);
      return id;
    }),
    lastConfirmationCode: hash32(j, 'last_confirmation_code', file),
    chaining: bool(j, 'chaining', file),
    closingHash: hash32(j, 'closing_hash', file),
  };
}

export function parseEncryptedTally(j: Json): EncryptedTallyRecord {
  const w = 'encrypted_tally.json';
  return {
    tallyId: str(j, 'tally_id', w),
    contests: arr(j, 'contests', w).map((c, i) => {
      const cw = `${w} contests[${i}]`;
      return {
        contestId: str(c, 'contest_id', cw),
        selections: arr(c, 'selections', cw).map((s, k) => ({
          selectionId: str(s, 'selection_id', `${cw}.selections[${k}]`),
          ciphertext: ciphertext(
            field(s, 'encrypted_vote', `${cw}.selections[${k}]`),
            `${cw}.selections[${k}]`,
          ),
        })),
      };
    }),
    castBallotIds: arr(j, 'cast_ballot_ids', w).map((id, i) => {
      if (typeof id !== 'string')
        throw new ShapeError(`${w}.cast_ballot_ids[${i}]: expected a string`);
      return id;
    }),
    electionId: hash32(j, 'election_id', w),
  };
}

export function parseDecrypted(j: Json, file: string): DecryptedTallyOrBallot {
  return {
    file,
    id: str(j, 'id', file),
    electionId: hash32(j, 'election_id', file),
    contests: arr(j, 'contests', file).map((c, i) => {
      const cw = `${file} contests[${i}]`;
      const d = optField(c, 'decrypted_contest_data');
      return {
        contestId: str(c, 'contest_id', cw),
        selections: arr(c, 'selections', cw).map((s, k) => {
          const sw = `${cw}.selections[${k}]`;
          return {
            selectionId: str(s, 'selection_id', sw),
            tally: int(s, 'tally', sw),
            bOverM: elementP(s, 'b_over_m', sw),
            ciphertext: ciphertext(field(s, 'encrypted_vote', sw), `${sw}.encrypted_vote`),
            proof: proofPair(field(s, 'proof', sw), `${sw}.proof`),
          };
        }),
        contestData:
          d === undefined || d === null
            ? undefined
            : {
                encrypted: hashedCiphertext(
                  field(d, 'encrypted_contest_data', cw),
                  `${cw}.decrypted_contest_data.encrypted_contest_data`,
                ),
                proof: proofPair(field(d, 'proof', cw), `${cw}.decrypted_contest_data.proof`),
                beta: elementP(d, 'beta', `${cw}.decrypted_contest_data`),
              },
      };
    }),
  };
}

/** Reads and parses one JSON file, turning every failure into a problem for `step`. */
async function load<T>(
  path: string,
  display: string,
  step: string,
  problems: RecordProblem[],
  parse: (j: Json, bytes: Uint8Array) => T,
  required = true,
): Promise<T | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    if (required) problems.push({ step, message: `${display} is missing or unreadable` });
    return undefined;
  }
  let j: Json;
  try {
    j = JSON.parse(bytes.toString('utf8')) as Json;
  } catch (e) {
    problems.push({ step, message: `${display} is not valid JSON (${(e as Error).message})` });
    return undefined;
  }
  try {
    return parse(j, bytes);
  } catch (e) {
    if (e instanceof ShapeError || e instanceof RangeError || e instanceof SyntaxError) {
      problems.push({ step, message: e.message });
      return undefined;
    }
    throw e;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort(naturalCompare);
  } catch {
    return [];
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Loads an egk-layout election record from a folder. Missing optional parts (no ballots
 * yet, no tally yet) are simply absent; missing required parts become problems.
 */
export async function loadElectionRecord(dir: string): Promise<ElectionRecord> {
  const problems: RecordProblem[] = [];
  const constants = await load(
    join(dir, 'constants.json'),
    'constants.json',
    'V1',
    problems,
    parseConstants,
  );
  const manifest = await load(
    join(dir, 'manifest.json'),
    'manifest.json',
    'V1',
    problems,
    parseManifest,
  );
  const config = await load(
    join(dir, 'election_config.json'),
    'election_config.json',
    'V1',
    problems,
    parseConfig,
  );
  const initialized = await load(
    join(dir, 'election_initialized.json'),
    'election_initialized.json',
    'V2',
    problems,
    parseInitialized,
  );
  const ballots: EncryptedBallotRecord[] = [];
  const chains: BallotChainRecord[] = [];
  const ballotsDir = join(dir, 'encrypted_ballots');
  for (const device of await listDir(ballotsDir)) {
    for (const name of await listDir(join(ballotsDir, device))) {
      const display = `encrypted_ballots/${device}/${name}`;
      const path = join(ballotsDir, device, name);
      if (name === 'ballot_chain.json') {
        const c = await load(path, display, 'V7', problems, (j) => parseBallotChain(j, display));
        if (c !== undefined) chains.push(c);
      } else if (name.endsWith('.json')) {
        const b = await load(path, display, 'V5', problems, (j) =>
          parseEncryptedBallot(j, display),
        );
        if (b !== undefined) ballots.push(b);
      }
    }
  }
  const encryptedTally = await load(
    join(dir, 'encrypted_tally.json'),
    'encrypted_tally.json',
    'V8',
    problems,
    parseEncryptedTally,
    false,
  );
  const tally = await load(
    join(dir, 'tally.json'),
    'tally.json',
    'V9',
    problems,
    (j) => parseDecrypted(j, 'tally.json'),
    false,
  );
  const challengedBallots: DecryptedTallyOrBallot[] = [];
  for (const name of await listDir(join(dir, 'challenged_ballots'))) {
    if (!name.endsWith('.json')) continue;
    const display = `challenged_ballots/${name}`;
    const d = await load(join(dir, 'challenged_ballots', name), display, 'V12', problems, (j) =>
      parseDecrypted(j, display),
    );
    if (d !== undefined) challengedBallots.push(d);
  }
  return {
    dir,
    constants,
    manifest,
    config,
    initialized,
    ballots,
    chains,
    encryptedTally,
    tally,
    challengedBallots,
    problems,
  };
}

/** True when x is a valid exponent, i.e. in Z_q. */
export function inZq(x: bigint): boolean {
  return x >= 0n && x < Q;
}
