import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_CREDENTIALS_FILE, startServer } from '@vigil/server';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** A TCP port from the command line or PORT: a whole number from 1 to 65535. */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      `"${value}" is not a port: give a whole number from 1 to 65535, such as ${DEFAULT_PORT}.`,
    );
  }
  return port;
}

interface StartOptions {
  port: number;
  host: string;
  database?: string;
}

/**
 * `vigil start`: the server and web UI on one machine. With no database URL the data is
 * embedded SQLite in VIGIL_DATA_DIR (or ./vigil-data), so `npm start` needs nothing else.
 * Runs until SIGINT or SIGTERM, then stops gracefully and exits 0.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'start the Vigil server and web UI (loads the sample election into an empty store)',
    )
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (1-65535)')
        .env('PORT')
        .default(DEFAULT_PORT)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--host <host>', 'address to listen on; 0.0.0.0 for every interface').default(
        DEFAULT_HOST,
      ),
    )
    .addOption(
      new Option(
        '--database <url>',
        'postgres://… for PostgreSQL; when absent, SQLite in VIGIL_DATA_DIR or ./vigil-data',
      ).env('VIGIL_DATABASE_URL'),
    )
    .action(async (options: StartOptions) => {
      const databaseUrl = options.database?.trim() ?? '';
      const running = await startServer({
        port: options.port,
        host: options.host,
        ...(databaseUrl === '' ? {} : { databaseUrl }),
      }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
          throw new Error(
            `port ${options.port} on ${options.host} is already in use; choose another with --port.`,
            { cause: error },
          );
        }
        throw error;
      });
      // To stderr: stdout carries the JSON log lines, and stays parseable.
      process.stderr.write(
        `Vigil is listening on ${running.url} (store: ${running.store.dialect}). ` +
          'Press Ctrl+C to stop.\n',
      );
      const demo = demoSignIns(resolve(process.env.VIGIL_DATA_DIR || './vigil-data'));
      if (demo !== undefined) process.stderr.write(demo);
      await running.closed;
    });
}

/**
 * The demo sign-ins, read back from the credentials file the first start wrote in the
 * data folder (random secrets, never in the repository), so that whoever ran `npm start`
 * can sign in at once. Undefined when there is no such file (a real deployment).
 */
export function demoSignIns(dataDir: string): string | undefined {
  const file = join(dataDir, DEMO_CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  const body = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => `  ${line}`)
    .join('\n');
  return (
    `\nDemo sign-ins (from ${file}; delete the file and disable these accounts before real use):\n` +
    `${body}\n\n`
  );
}
