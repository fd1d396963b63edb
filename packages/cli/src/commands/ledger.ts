import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { InvalidInputError, fromHex, toHex } from '@vigil/core';
import { MerkleTree } from '@vigil/ledger';

/**
 * `vigil ledger …`: thin commands over @vigil/ledger. The pure ones here work on a file of
 * leaves and need no database: `root`, `inclusion-proof`, `consistency-proof`. Commands
 * that read the stored ledger (head, verify, export, witness) are added to the same group
 * with `addLedgerSubcommand`-style functions like the ones below.
 *
 * Output is lowercase hex, one value per line. Errors throw InvalidInputError, which
 * main() prints as `vigil: <message>` with exit code 1.
 */

/**
 * Parses a leaves file: one hex-encoded entry per line. An empty line is the empty entry
 * (the first test vector of RFC 6962 implementations is one); blank lines at the end of
 * the file are ignored, and so are CR line endings and spaces around a value.
 */
export function parseLeafLines(text: string, label: string): Uint8Array[] {
  const lines = text.split('\n').map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => {
    try {
      return fromHex(line);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new InvalidInputError(`${label} line ${i + 1}: ${why}`, {
        hint: 'write one hex-encoded entry per line',
      });
    }
  });
}

/** Reads and parses a leaves file, naming the file in every error. */
export async function readLeavesFile(path: string): Promise<Uint8Array[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidInputError(
      code === 'ENOENT'
        ? `cannot read the leaves file ${path}: it does not exist`
        : `cannot read the leaves file ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return parseLeafLines(text, basename(path));
}

/** The in-memory tree over a list of entries. */
export function treeOf(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leaf);
  return tree;
}

/** A commander argument parser for a whole number (an index or a size). */
export function wholeNumber(value: string): number {
  if (!/^(?:0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('It must be a whole number such as 0, 7 or 1024.');
  }
  return Number(value);
}

/** The tree size a command works at: `--size`, or every entry in the file. */
export function sizeWithin(size: number | undefined, leaves: number, file: string): number {
  if (size === undefined) return leaves;
  if (size > leaves) {
    throw new InvalidInputError(
      `--size ${size} is larger than the ${leaves} entries in ${basename(file)}`,
    );
  }
  return size;
}

/** Prints values one per line. */
export function printLines(values: readonly string[]): void {
  process.stdout.write(values.map((v) => `${v}\n`).join(''));
}

/** Prints hashes as lowercase hex, one per line. */
export function printHashes(hashes: readonly Uint8Array[]): void {
  printLines(hashes.map(toHex));
}

function addRootCommand(ledger: Command): void {
  ledger
    .command('root')
    .description('print the RFC 9162 tree head (root hash) of the entries in a file')
    .argument('<leaves-file>', 'one hex-encoded entry per line')
    .option('--size <N>', 'use only the first N entries', wholeNumber)
    .action(async (file: string, opts: { size?: number }) => {
      const leaves = await readLeavesFile(file);
      const tree = treeOf(leaves);
      printHashes([tree.root(sizeWithin(opts.size, leaves.length, file))]);
    });
}

function addInclusionProofCommand(ledger: Command): void {
  ledger
    .command('inclusion-proof')
    .description('print the inclusion proof of one entry, one hash per line (RFC 9162 §2.1.3)')
    .argument('<leaves-file>', 'one hex-encoded entry per line')
    .requiredOption('--index <I>', 'index of the entry, from 0', wholeNumber)
    .option('--size <N>', 'tree size (default: every entry in the file)', wholeNumber)
    .action(async (file: string, opts: { index: number; size?: number }) => {
      const leaves = await readLeavesFile(file);
      const size = sizeWithin(opts.size, leaves.length, file);
      printHashes(treeOf(leaves.slice(0, size)).inclusionProof(opts.index, size));
    });
}

function addConsistencyProofCommand(ledger: Command): void {
  ledger
    .command('consistency-proof')
    .description(
      'print the consistency proof between two tree sizes, one hash per line (RFC 9162 §2.1.4)',
    )
    .argument('<leaves-file>', 'one hex-encoded entry per line')
    .requiredOption('--old <M>', 'the older tree size', wholeNumber)
    .option('--size <N>', 'the newer tree size (default: every entry in the file)', wholeNumber)
    .action(async (file: string, opts: { old: number; size?: number }) => {
      const leaves = await readLeavesFile(file);
      const size = sizeWithin(opts.size, leaves.length, file);
      printHashes(treeOf(leaves.slice(0, size)).consistencyProof(opts.old, size));
    });
}

/** Creates the `ledger` command group on the program and returns it. */
export function ledgerCommand(program: Command): Command {
  return program
    .command('ledger')
    .description('the tamper-evident ledger: tree heads and proofs (RFC 9162)');
}

/** Registers `vigil ledger` and its subcommands; returns the group for more subcommands. */
export function registerLedgerCommands(program: Command): Command {
  const ledger = ledgerCommand(program);
  addRootCommand(ledger);
  addInclusionProofCommand(ledger);
  addConsistencyProofCommand(ledger);
  return ledger;
}
