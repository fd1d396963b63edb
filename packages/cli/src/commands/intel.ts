import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError, type Result } from '@vigil/core';
import { defaultStixValidator, type StixProblem, type Tlp } from '@vigil/intel';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import { hashPassword, ingestStixObjects, newBearerToken } from '@vigil/server';
import type { IntelOrgKind } from '@vigil/store';
import { withStore, withStoreOptions, type StoreOptions } from '../store-options.ts';

/**
 * `vigil intel …`: the intelligence hub from the terminal. `validate` checks a STIX 2.1
 * bundle against the official schemas and the specification's MUST rules.
 */
export function registerIntelCommands(program: Command): Command {
  const intel = program
    .command('intel')
    .description('the intelligence hub: STIX 2.1 validation and TAXII 2.1 sharing');

  intel
    .command('validate')
    .description('check a STIX 2.1 bundle (schemas, MUST rules, patterns); exit 1 when invalid')
    .argument('<bundle>', 'the bundle (a JSON file)')
    .option('--json', 'print the problems as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new Error(
          `Could not read ${file}: ${e instanceof Error ? e.message : String(e)}. Check the path.`,
        );
      }
      const problems = defaultStixValidator().validateText(text);
      if (o.json === true) {
        process.stdout.write(
          `${JSON.stringify({ valid: problems.length === 0, problems }, null, 2)}\n`,
        );
      } else if (problems.length === 0) {
        process.stdout.write(`${file}: valid STIX 2.1\n`);
      } else {
        process.stdout.write(`${file}: ${String(problems.length)} problem(s)\n`);
        for (const p of problems) process.stdout.write(`  ${describeProblem(p)}\n`);
      }
      if (problems.length > 0) process.exitCode = 1;
    });
  registerAdminCommands(intel);
  return intel;
}

/** An id from a name: lowercase letters, digits and hyphens. */
function slug(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  if (s === '') throw new InvalidInputError(`"${name}" gives no usable id; pass --id.`);
  return s;
}

const adminEntry = (subject: string, detail: string): LedgerEntry => ({
  eventId: eventIdOf('intel.group.changed'),
  actorId: 'cli',
  stationId: 'vigil-cli',
  time: new Date().toISOString(),
  disposition: 'success',
  subjects: [subject],
  detail: detail.slice(0, 280),
});

function unwrap<T>(result: Result<T, Error>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

const ORG_KINDS: readonly IntelOrgKind[] = ['federal', 'state', 'county', 'partner'];
const TLPS: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `vigil intel org|group|user|collection add` and `vigil intel import`. */
function registerAdminCommands(intel: Command): void {
  const org = intel.command('org').description('organisations of the hub');
  withStoreOptions(
    org
      .command('add')
      .description('add an organisation')
      .requiredOption('--name <name>', 'its name, e.g. "Ohio Secretary of State"')
      .requiredOption('--kind <kind>', 'federal, state, county or partner')
      .option('--parent <org>', "the organisation it belongs to (a county's state)")
      .option('--id <id>', 'its id (default: from the name)'),
  ).action(
    async (o: StoreOptions & { name: string; kind: string; parent?: string; id?: string }) => {
      if (!ORG_KINDS.includes(o.kind as IntelOrgKind)) {
        throw new InvalidInputError(
          `--kind must be one of ${ORG_KINDS.join(', ')}; it was "${o.kind}".`,
        );
      }
      const orgId = o.id ?? slug(o.name);
      await withStore(o, async (store) => {
        unwrap(
          await store.addIntelOrganisation(
            {
              orgId,
              name: o.name,
              kind: o.kind as IntelOrgKind,
              ...(o.parent === undefined ? {} : { parentId: o.parent }),
            },
            adminEntry(`org:${orgId}`, `organisation added (${o.kind})`),
          ),
        );
      });
      process.stdout.write(`${orgId}\n`);
    },
  );

  const group = intel.command('group').description('sharing groups');
  withStoreOptions(
    group
      .command('add')
      .description('add a sharing group (a state with its counties; a joint unit)')
      .requiredOption('--name <name>', 'its name')
      .requiredOption('--members <orgs>', 'member organisation ids, comma-separated')
      .option('--id <id>', 'its id (default: from the name)'),
  ).action(async (o: StoreOptions & { name: string; members: string; id?: string }) => {
    const groupId = o.id ?? slug(o.name);
    await withStore(o, async (store) => {
      unwrap(
        await store.addIntelGroup(
          { groupId, name: o.name, members: list(o.members) },
          adminEntry(`group:${groupId}`, `sharing group added: ${o.members}`),
        ),
      );
    });
    process.stdout.write(`${groupId}\n`);
  });

  const user = intel.command('user').description('people of the hub');
  withStoreOptions(
    user
      .command('add')
      .description('add a person; prints their id and a bearer token (shown once)')
      .requiredOption('--org <org>', 'their organisation')
      .requiredOption('--name <name>', 'their name')
      .option('--id <id>', 'their user id for HTTP Basic (default: from the name)')
      .option('--password-stdin', 'read their password (12 characters or more) from stdin'),
  ).action(
    async (
      o: StoreOptions & { org: string; name: string; id?: string; passwordStdin?: boolean },
    ) => {
      const userId = o.id ?? slug(o.name);
      const passwordHash =
        o.passwordStdin === true ? await hashPassword(await readStdin()) : undefined;
      const { token, tokenHash } = newBearerToken();
      await withStore(o, async (store) => {
        unwrap(
          await store.addIntelUser(
            {
              userId,
              orgId: o.org,
              name: o.name,
              tokenHash,
              ...(passwordHash === undefined ? {} : { passwordHash }),
            },
            adminEntry(`user:${userId}`, `person added to ${o.org}`),
          ),
        );
      });
      process.stdout.write(`${userId}\ntoken: ${token}\n`);
    },
  );

  const collection = intel.command('collection').description('TAXII collections');
  withStoreOptions(
    collection
      .command('add')
      .description('add a TAXII collection with the organisations that may read and write it')
      .requiredOption('--title <title>', 'its title')
      .option('--read <orgs>', 'organisations that may read, comma-separated', '')
      .option('--write <orgs>', 'organisations that may write, comma-separated', '')
      .option('--description <text>', 'what it holds', '')
      .option('--default-tlp <tlp>', 'TLP of objects that carry none', 'amber')
      .option('--id <id>', 'its id (default: from the title)'),
  ).action(
    async (
      o: StoreOptions & {
        title: string;
        read: string;
        write: string;
        description: string;
        defaultTlp: string;
        id?: string;
      },
    ) => {
      if (!TLPS.includes(o.defaultTlp as Tlp)) {
        throw new InvalidInputError(`--default-tlp must be one of ${TLPS.join(', ')}.`);
      }
      const collectionId = o.id ?? slug(o.title);
      const readers = list(o.read);
      const writers = list(o.write);
      const orgs = [...new Set([...readers, ...writers])];
      await withStore(o, async (store) => {
        unwrap(
          await store.addIntelCollection(
            {
              collectionId,
              title: o.title,
              description: o.description,
              defaultTlp: o.defaultTlp,
              rights: orgs.map((orgId) => ({
                orgId,
                canRead: readers.includes(orgId),
                canWrite: writers.includes(orgId),
              })),
            },
            adminEntry(
              `collection:${collectionId}`,
              `collection added; read ${o.read}; write ${o.write}`,
            ),
          ),
        );
      });
      process.stdout.write(`${collectionId}\n`);
    },
  );

  withStoreOptions(
    intel
      .command('import')
      .description(
        'import a STIX 2.1 bundle into a collection (invalid objects are reported, not stored)',
      )
      .argument('<bundle>', 'the bundle (a JSON file)')
      .requiredOption('--collection <id>', 'the collection')
      .option('--org <org>', 'the organisation sharing it (TLP owner)', 'hub')
      .option('--json', 'print the TAXII status as JSON'),
  ).action(
    async (file: string, o: StoreOptions & { collection: string; org: string; json?: boolean }) => {
      const text = await readFile(file, 'utf8');
      let bundle: unknown;
      try {
        bundle = JSON.parse(text);
      } catch (e) {
        throw new InvalidInputError(
          `${file} is not JSON: ${e instanceof Error ? e.message : String(e)}.`,
        );
      }
      const objects = (bundle as { objects?: unknown } | null)?.objects;
      if (!Array.isArray(objects)) {
        throw new InvalidInputError(`${file} is not a STIX bundle: it has no "objects" list.`);
      }
      const status = await withStore(o, async (store) => {
        const target = await store.getIntelCollection(o.collection);
        if (target === undefined) {
          throw new InvalidInputError(
            `There is no collection "${o.collection}"; add it with vigil intel collection add.`,
          );
        }
        return ingestStixObjects(store, {
          collection: target,
          user: { userId: 'cli-import', orgId: o.org },
          objects,
          now: new Date(),
          validator: defaultStixValidator(),
          stationId: 'vigil-cli',
        });
      });
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify(status.status, null, 2)}\n`);
      } else {
        process.stdout.write(
          `${file}: ${String(status.status.success_count)} stored or already present, ${String(status.status.failure_count)} refused\n`,
        );
        for (const f of status.status.failures) process.stdout.write(`  ${f.id}: ${f.message}\n`);
      }
      if (status.status.failure_count > 0) process.exitCode = 1;
    },
  );
}

function describeProblem(p: StixProblem): string {
  const where = [
    p.objectId ?? (p.index === undefined ? undefined : `objects[${String(p.index)}]`),
    p.path === '' ? undefined : p.path,
  ]
    .filter((x) => x !== undefined)
    .join(' ');
  return `${where === '' ? '(document)' : where}: ${p.message} [${p.rule}]`;
}
