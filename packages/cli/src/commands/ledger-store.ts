import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { InvalidInputError, toHex } from '@vigil/core';
import {
  asCosignatureKey,
  decodeEntry,
  noteVerifierKey,
  parseVerifierKey,
  toNistEventLog,
  type CheckpointPolicy,
  type IndexedEntry,
  type VerifierKey,
} from '@vigil/ledger';
import { auditLedger, loadLogKey, requestCosignatures, signLedgerHead } from '@vigil/server';
import { printLines, wholeNumber } from './ledger.ts';
import { databaseOption, dataDirOption, withStore, type StoreOptions } from '../store-options.ts';

/**
 * `vigil ledger head | checkpoint | verify | export | key`: the stored ledger, on the
 * store named by `--database` (PostgreSQL) or the SQLite file in the data folder.
 */

function parseKeyOption(vkey: string, what: string): VerifierKey {
  const parsed = parseVerifierKey(vkey.trim());
  if (!parsed.ok) {
    throw new InvalidInputError(`${what} is not a verifier key: ${parsed.error.message}`, {
      hint: 'give it as <name>+<key id>+<base64 key>, as `vigil ledger key` prints it',
    });
  }
  return parsed.value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function addHeadCommand(ledger: Command): void {
  ledger
    .command('head')
    .description('print the latest signed tree head: its size, then its root hash (hex)')
    .option('--note', 'print the whole signed checkpoint note instead, with cosignatures')
    .addOption(databaseOption())
    .addOption(dataDirOption())
    .action(async (opts: StoreOptions & { note?: boolean }) => {
      await withStore(opts, async (store) => {
        const head = await store.latestLedgerHead();
        if (head === undefined) {
          throw new InvalidInputError('the ledger has no signed head yet', {
            hint: 'run `vigil ledger checkpoint` (or start the server) to sign one',
          });
        }
        if (opts.note === true) process.stdout.write(head.checkpoint);
        else printLines([String(head.size), toHex(head.rootHash)]);
      });
    });
}

function addCheckpointCommand(ledger: Command): void {
  ledger
    .command('checkpoint')
    .description('sign a tree head over the ledger as it is now, and ask witnesses to cosign it')
    .option('--witness <url>', 'a witness to ask for a cosignature (repeatable)', collect)
    .addOption(databaseOption())
    .addOption(dataDirOption())
    .action(async (opts: StoreOptions & { witness?: string[] }) => {
      const logKey = loadLogKey({
        ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
        create: true,
      });
      await withStore(opts, async (store) => {
        const head = await signLedgerHead(store, logKey.key);
        if (opts.witness !== undefined && opts.witness.length > 0) {
          const outcomes = await requestCosignatures(
            store,
            head,
            opts.witness.map((url) => ({ url })),
          );
          for (const o of outcomes) process.stderr.write(`witness ${o.url}: ${o.message}\n`);
        }
        printLines([String(head.size), toHex(head.rootHash)]);
      });
    });
}

function addKeyCommand(ledger: Command): void {
  ledger
    .command('key')
    .description("print the log's public verifier key, for witnesses and auditors")
    .addOption(dataDirOption())
    .action((opts: StoreOptions) => {
      const logKey = loadLogKey(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
      printLines([logKey.vkey]);
    });
}

function addVerifyCommand(ledger: Command): void {
  ledger
    .command('verify')
    .description(
      'recompute the whole stored ledger and check every entry, node, signed head and cosignature',
    )
    .option('--log-key <vkey>', "the log's verifier key (default: from the local key file)")
    .option('--witness-key <vkey>', 'a trusted witness key (repeatable)', collect)
    .option('--quorum <k>', 'cosignatures each head needs from trusted witnesses', wholeNumber)
    .option('--json', 'print the report as JSON')
    .addOption(databaseOption())
    .addOption(dataDirOption())
    .action(
      async (
        opts: StoreOptions & {
          logKey?: string;
          witnessKey?: string[];
          quorum?: number;
          json?: boolean;
        },
      ) => {
        const logKey =
          opts.logKey === undefined
            ? noteVerifierKey(
                loadLogKey(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }).key,
              )
            : parseKeyOption(opts.logKey, '--log-key');
        const witnessKeys = (opts.witnessKey ?? []).map((k) => {
          const key = parseKeyOption(k, '--witness-key');
          // Accept a witness's plain note key too: its cosignatures use the 0x04 form.
          return key.type === 0x04 ? key : asCosignatureKey(key);
        });
        const quorum = opts.quorum ?? 0;
        if (quorum > witnessKeys.length) {
          throw new InvalidInputError(
            `--quorum ${quorum} cannot be met by ${witnessKeys.length} --witness-key values`,
          );
        }
        const policy: CheckpointPolicy = { logKey, witnessKeys, quorum };
        const report = await withStore(opts, (store) => auditLedger(store, policy));
        if (opts.json === true) {
          process.stdout.write(
            `${JSON.stringify({ ...report, root: toHex(report.root), ok: report.problems.length === 0 }, null, 2)}\n`,
          );
        } else {
          printLines([String(report.size), toHex(report.root)]);
          process.stderr.write(
            `checked ${report.entriesChecked} entries, ${report.nodesChecked} nodes, ` +
              `${report.headsChecked} signed heads (quorum ${quorum})\n`,
          );
          for (const p of report.problems) process.stderr.write(`problem: ${p}\n`);
          process.stderr.write(
            report.problems.length === 0 ? 'ledger verified\n' : 'ledger FAILED verification\n',
          );
        }
        if (report.problems.length > 0) process.exitCode = 1;
      },
    );
}

function addExportCommand(ledger: Command): void {
  ledger
    .command('export')
    .description('export the ledger as NIST SP 1500-101 election event log JSON')
    .addOption(
      new Option('--format <format>', 'export format')
        .choices(['nist-1500-101'])
        .default('nist-1500-101'),
    )
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--election <id>', 'the election id to name in the log')
    .addOption(databaseOption())
    .addOption(dataDirOption())
    .action(async (opts: StoreOptions & { output?: string; election?: string }) => {
      const log = await withStore(opts, async (store) => {
        const size = await store.ledgerSize();
        const entries: IndexedEntry[] = [];
        for (let from = 0; from < size; from += 10_000) {
          for (const stored of await store.ledgerEntries(from, Math.min(from + 10_000, size))) {
            const decoded = decodeEntry(stored.bytes);
            if (!decoded.ok) {
              throw new InvalidInputError(
                `ledger entry ${stored.index} cannot be exported: ${decoded.error.message}`,
                { hint: 'run `vigil ledger verify` to see what is wrong with the stored ledger' },
              );
            }
            entries.push({ index: stored.index, entry: decoded.value });
          }
        }
        return toNistEventLog(entries, {
          generatedTime: new Date(),
          ...(opts.election === undefined ? {} : { electionId: opts.election }),
        });
      });
      const text = `${JSON.stringify(log, null, 2)}\n`;
      if (opts.output === undefined) process.stdout.write(text);
      else await writeFile(opts.output, text, { mode: 0o644 });
    });
}

/** Adds the commands over the stored ledger to the `ledger` group. */
export function registerStoredLedgerCommands(ledger: Command): void {
  addHeadCommand(ledger);
  addCheckpointCommand(ledger);
  addKeyCommand(ledger);
  addVerifyCommand(ledger);
  addExportCommand(ledger);
}
