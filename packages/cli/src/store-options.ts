import { Option, type Command } from 'commander';
import { openStore, type Store } from '@vigil/store';

/**
 * The options every command over the stored data takes, and opening the store they name:
 * `--database postgres://…`, else the SQLite file in `--data-dir` (or VIGIL_DATA_DIR, or
 * ./vigil-data).
 */
export interface StoreOptions {
  database?: string;
  dataDir?: string;
}

export function databaseOption(): Option {
  return new Option('--database <url>', 'postgres://… ; default: SQLite in the data folder').env(
    'VIGIL_DATABASE_URL',
  );
}

export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'the data folder (SQLite file and ledger key)').env(
    'VIGIL_DATA_DIR',
  );
}

/** Adds `--database` and `--data-dir` to a command. */
export function withStoreOptions(command: Command): Command {
  return command.addOption(databaseOption()).addOption(dataDirOption());
}

/** Opens the store the options name, runs `fn`, and closes it whatever happens. */
export async function withStore<T>(
  options: StoreOptions,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const url = options.database?.trim() ?? '';
  const store = await openStore({
    ...(url === '' ? {} : { url }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
