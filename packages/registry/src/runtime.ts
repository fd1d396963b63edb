import {
  err,
  NotFoundError,
  ok,
  parseElectionDefinition,
  VigilError,
  type Clock,
  type Election,
  type Result,
} from '@vigil/core';
import type { Store } from '@vigil/store';
import { registryDirectory, type CheckInDeps, type VoterDirectory } from './checkin.ts';
import {
  createCredentialKeys,
  openCredentialSigner,
  type CredentialPublicKey,
  type CredentialSigner,
} from './credentials.ts';
import type { DuplicateSearch } from './dedup.ts';
import { createIndexedDuplicateSearch } from './dedup-index.ts';
import { loadDuplicateSearch } from './enrolment.ts';
import { createHlc, type HybridLogicalClock } from './hlc.ts';
import { openKeyring, type Keyring } from './keys.ts';
import { MatchPool } from './match-pool.ts';

/**
 * Everything the registry needs at run time, opened once when a server (or a CLI
 * command) starts: the election it serves, the master key, the ballot-credential
 * signing keys (created for each ballot style on first start, sealed under the master
 * key), the de-duplication search over the enrolled roll and the registry's hybrid
 * logical clock for station sync. The HTTP routes and the CLI are thin layers over it.
 */
export interface RegistryRuntime {
  readonly store: Store;
  readonly clock: Clock;
  readonly election: Election;
  /** The hash of the election definition the registry serves. */
  readonly electionHash: string;
  readonly keyring: Keyring;
  readonly voters: VoterDirectory;
  readonly signer: CredentialSigner;
  readonly publicKeys: readonly CredentialPublicKey[];
  readonly search: DuplicateSearch;
  readonly hlc: HybridLogicalClock;
  /** The check-in dependencies over this runtime. */
  readonly checkIn: CheckInDeps;
  /** Stops the match threads, if any. The store stays open (it is the caller's). */
  close(): Promise<void>;
}

export interface OpenRegistryOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Where the master key file lives (unless VIGIL_MASTER_KEY is set). */
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The election to serve; default: the most recently loaded one. */
  readonly electionId?: string;
  /**
   * The de-duplication search; default: the indexed search (dedup-index.ts) loaded from
   * the enrolled roll (decrypting every template once) and sealed into one shard per
   * finger position.
   */
  readonly search?: DuplicateSearch;
  /** Create the master key file when there is none (default true). */
  readonly createKey?: boolean;
  /** RSA modulus of new credential keys (default: credentials.ts). */
  readonly credentialModulusBits?: number;
  /**
   * Worker threads for check-in's 1:1 matching (default 0: on the calling thread). A
   * server with many stations sets it to the cores, so that matching does not hold up
   * the event loop that runs every other request (see match-pool.ts).
   */
  readonly matchThreads?: number;
}

/** The election a registry serves: the given id, else the most recently loaded one. */
export async function servedElection(
  store: Store,
  electionId?: string,
): Promise<Result<{ election: Election; hash: string }, VigilError>> {
  let id = electionId;
  if (id === undefined) {
    const all = await store.listElections();
    id = all.at(-1)?.electionId;
    if (id === undefined) {
      return err(
        new NotFoundError('No election is loaded, so there is no roll to serve.', {
          hint: 'Load an election definition first: vigil start loads the sample, or POST /api/elections.',
        }),
      );
    }
  }
  const stored = await store.getElection(id as Parameters<Store['getElection']>[0]);
  if (stored === undefined) {
    return err(new NotFoundError(`Election "${id}" is not loaded.`));
  }
  const parsed = parseElectionDefinition(stored.definition);
  if (!parsed.ok) {
    return err(
      new VigilError(
        'registry-election-unreadable',
        `The stored definition of election "${id}" no longer parses: ${parsed.error[0]?.message ?? 'unknown problem'}.`,
      ),
    );
  }
  return ok({ election: parsed.value.election, hash: stored.hash });
}

/**
 * Opens the registry over a store. Err when no election is loaded, the master key is
 * missing or unusable, or the credential keys do not open under it.
 */
export async function openRegistry(
  options: OpenRegistryOptions,
): Promise<Result<RegistryRuntime, VigilError>> {
  const { store, clock } = options;
  const served = await servedElection(store, options.electionId);
  if (!served.ok) return served;
  const { election } = served.value;
  const keyring = openKeyring({
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    create: options.createKey ?? true,
  });
  if (!keyring.ok) return keyring;
  const publicKeys = await createCredentialKeys(store, {
    electionId: election.id,
    ballotStyleIds: election.ballotStyles.map((s) => s.id),
    keyring: keyring.value,
    clock,
    ...(options.credentialModulusBits === undefined
      ? {}
      : { modulusBits: options.credentialModulusBits }),
  });
  const signer = await openCredentialSigner(store, election.id, keyring.value);
  if (!signer.ok) return signer;
  let search = options.search;
  if (search === undefined) {
    const indexed = createIndexedDuplicateSearch();
    const loaded = await loadDuplicateSearch(store, keyring.value, indexed);
    if (!loaded.ok) return loaded;
    await indexed.seal();
    search = indexed;
  }
  const voters = registryDirectory(store, keyring.value);
  let matcher: MatchPool | undefined;
  if (options.matchThreads !== undefined && options.matchThreads > 0) {
    matcher = new MatchPool(options.matchThreads);
    await matcher.ready();
  }
  return ok({
    store,
    clock,
    election,
    electionHash: served.value.hash,
    keyring: keyring.value,
    voters,
    signer: signer.value,
    publicKeys,
    search,
    hlc: createHlc('registry', clock),
    checkIn: {
      store,
      clock,
      election,
      voters,
      signer: signer.value,
      ...(matcher === undefined ? {} : { matcher }),
    },
    close: async () => {
      await matcher?.close();
    },
  });
}
