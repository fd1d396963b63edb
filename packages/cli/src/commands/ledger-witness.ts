import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { InvalidInputError } from '@vigil/core';
import {
  SIGNATURE_TYPE,
  Witness,
  asCosignatureKey,
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  noteVerifierKey,
  parseSignerKey,
  parseVerifierKey,
  type SignerKey,
  type VerifierKey,
  type WitnessedLog,
} from '@vigil/ledger';
import { buildWitnessServer, loadWitnessState, saveWitnessState } from '@vigil/server';

/**
 * `vigil ledger witness keygen | serve`: run a C2SP tlog-witness for Vigil ledgers (or
 * any log that signs C2SP checkpoints). A witness is run by someone other than the log's
 * operator; it cosigns a checkpoint only when it extends the last one it cosigned, so
 * a log cannot show different histories to different people without being caught.
 */

export const DEFAULT_WITNESS_PORT = 7380;
export const DEFAULT_WITNESS_HOST = '127.0.0.1';
export const DEFAULT_WITNESS_KEY_FILE = 'witness.key';
export const WITNESS_STATE_FILE_NAME = 'witness-state.json';

/** A TCP port: a whole number from 0 (any free port) to 65535. */
export function parseWitnessPort(value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError(
      `"${value}" is not a port: give a whole number from 0 (any free port) to 65535.`,
    );
  }
  return port;
}

/** The cosignature/v1 verifier key that logs and clients trust for this witness. */
export function witnessVkey(key: SignerKey): string {
  return formatVerifierKey(asCosignatureKey(noteVerifierKey(key)));
}

/** Reads a witness key file (`PRIVATE+KEY+…`), with errors that say what to do. */
export function readWitnessKey(file: string): SignerKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // main() prints the message alone, so what to do goes in the message.
    throw new InvalidInputError(
      code === 'ENOENT'
        ? `the witness key file ${file} does not exist; create it with ` +
            `\`vigil ledger witness keygen --name <witness name> -o ${file}\``
        : `cannot read the witness key file ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const parsed = parseSignerKey(text.trim());
  if (!parsed.ok) {
    // The message never contains the key itself.
    throw new InvalidInputError(
      `the witness key file ${file} does not hold a usable key (one PRIVATE+KEY+… line, ` +
        `as \`vigil ledger witness keygen\` writes): ${parsed.error.message}`,
    );
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    process.stderr.write(
      `warning: the witness key file ${file} can be read by other users; run chmod 600 on it\n`,
    );
  }
  return parsed.value;
}

/** Parses `--log` vkeys into the logs to follow, one per origin (the key's name). */
export function parseLogKeys(vkeys: readonly string[]): WitnessedLog[] {
  const byOrigin = new Map<string, VerifierKey[]>();
  for (const vkey of vkeys) {
    const parsed = parseVerifierKey(vkey.trim());
    if (!parsed.ok) {
      throw new InvalidInputError(`--log ${vkey}: ${parsed.error.message}`, {
        hint: "give the log's verifier key as <name>+<key id>+<base64>, as `vigil ledger key` prints it",
      });
    }
    if (parsed.value.type !== SIGNATURE_TYPE.ed25519) {
      throw new InvalidInputError(
        `--log ${vkey}: this is a witness cosignature key (type 0x04), not a log's signing key (type 0x01)`,
      );
    }
    const keys = byOrigin.get(parsed.value.name) ?? [];
    keys.push(parsed.value);
    byOrigin.set(parsed.value.name, keys);
  }
  return [...byOrigin].map(([origin, logKeys]) => ({ origin, logKeys }));
}

interface KeygenOptions {
  name: string;
  output: string;
}

function addKeygenCommand(witness: Command): void {
  witness
    .command('keygen')
    .description("create a witness's signing key; prints the cosignature verifier key to publish")
    .requiredOption(
      '--name <name>',
      'the witness name, a schema-less URL such as witness.example.org/vigil',
    )
    .option(
      '-o, --output <file>',
      'where to write the private key (mode 0600)',
      DEFAULT_WITNESS_KEY_FILE,
    )
    .action((options: KeygenOptions) => {
      if (!isValidKeyName(options.name)) {
        throw new InvalidInputError(
          `"${options.name}" cannot name a key: it must be non-empty, without spaces or "+"`,
        );
      }
      const file = resolve(options.output);
      const { key, skey } = generateSignerKey(options.name);
      try {
        // 'wx': never overwrite, since a lost witness key cannot be recovered.
        writeFileSync(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InvalidInputError(
          code === 'EEXIST'
            ? `${file} already exists; it was not overwritten. Choose another file with -o.`
            : `cannot write the key file ${file}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      process.stderr.write(
        `Wrote the private key of witness "${options.name}" to ${file}. Keep it secret and ` +
          'back it up. Give logs and verifiers this verifier key:\n',
      );
      process.stdout.write(`${witnessVkey(key)}\n`);
    });
}

interface ServeOptions {
  key: string;
  log: string[];
  port: number;
  host: string;
  state?: string;
}

function addServeCommand(witness: Command): void {
  witness
    .command('serve')
    .description('run a C2SP tlog-witness: POST /add-checkpoint cosigns consistent checkpoints')
    .requiredOption('--key <key-file>', 'the witness key file, from `vigil ledger witness keygen`')
    .requiredOption(
      '--log <vkey...>',
      "verifier key of each log to follow (its name is the log's origin), as `vigil ledger key` prints it",
    )
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (0: any free port)')
        .default(DEFAULT_WITNESS_PORT)
        .argParser(parseWitnessPort),
    )
    .addOption(new Option('--host <host>', 'address to listen on').default(DEFAULT_WITNESS_HOST))
    .option(
      '--state <file>',
      `the latest cosigned checkpoint per log (default: ${WITNESS_STATE_FILE_NAME} next to the key file)`,
    )
    .action(async (options: ServeOptions) => {
      const keyFile = resolve(options.key);
      const key = readWitnessKey(keyFile);
      const logs = parseLogKeys(options.log);
      const stateFile = resolve(options.state ?? join(dirname(keyFile), WITNESS_STATE_FILE_NAME));
      const state = loadWitnessState(stateFile);
      // Written once now, so that an unwritable state file stops the start, not a cosignature.
      saveWitnessState(stateFile, state);
      const witness = new Witness({ key, logs, state });
      const app = await buildWitnessServer({
        witness,
        logs,
        persist: (s) => {
          saveWitnessState(stateFile, s);
        },
        logger: { level: process.env.LOG_LEVEL ?? 'info' },
      });
      try {
        await app.listen({ port: options.port, host: options.host });
      } catch (e) {
        await app.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new InvalidInputError(
            `port ${options.port} on ${options.host} is already in use; choose another with --port`,
          );
        }
        throw e;
      }
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      const url = `http://${host}:${port}`;
      process.stderr.write(
        `Witness "${key.name}" is listening on ${url} for ${logs.map((l) => l.origin).join(', ')}.\n` +
          `Logs submit to ${url}/add-checkpoint; its verifier key is ${witnessVkey(key)}\n` +
          `State: ${stateFile}. Press Ctrl+C to stop.\n`,
      );
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          app.log.info({ event: 'witness-stopping' }, 'stopping');
          app.close().then(done, (error: unknown) => {
            app.log.error({ event: 'witness-stop-failed', err: error }, 'error while stopping');
            process.exitCode = 1;
            done();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** Adds `witness keygen` and `witness serve` to the `vigil ledger` group. */
export function registerWitnessCommands(ledger: Command): Command {
  const witness = ledger
    .command('witness')
    .description('run a transparency-log witness that cosigns consistent ledger checkpoints');
  addKeygenCommand(witness);
  addServeCommand(witness);
  return witness;
}
