import type { Command } from 'commander';
import type { Result, VigilError } from '@vigil/core';
import {
  createOfficial,
  disableOfficial,
  registerStation,
  revokeStation,
  unlockOfficial,
  type Actor,
} from '@vigil/server';
import { OFFICIAL_ROLES, type Official, type OfficialRole, type Station } from '@vigil/store';
import { reportFailure } from '../output.ts';
import { withStore, withStoreOptions, type StoreOptions } from '../store-options.ts';

/**
 * `vigil officials …` and `vigil stations …`: the administrator's accounts of election
 * staff and polling-station devices. Whoever can run these against the data folder or
 * database is an administrator by definition, so they take no sign-in; every change is a
 * ledger entry by actor `cli`. Passwords and station tokens are generated, printed once
 * and stored only as hashes.
 */
export function registerOfficialsCommands(program: Command): void {
  registerOfficials(program);
  registerStations(program);
}

const cliActor = (): Actor => ({ actorId: 'cli', stationId: 'vigil-cli', now: new Date() });

/** Prints an expected failure (message, then hint) and sets exit code 1; else the value. */
function settle<T>(result: Result<T, VigilError>): T | undefined {
  if (result.ok) return result.value;
  reportFailure(result.error);
  return undefined;
}

function parseRole(value: string): OfficialRole | undefined {
  const role = value.trim().toLowerCase().replaceAll('-', '_');
  return OFFICIAL_ROLES.find((r) => r === role);
}

function officialLine(o: Official): string {
  const places = o.pollingPlaces.length === 0 ? '-' : o.pollingPlaces.join(',');
  const locked =
    o.lockedUntil !== undefined && o.lockedUntil.getTime() > Date.now()
      ? ` locked-until=${o.lockedUntil.toISOString()}`
      : '';
  return `${o.officialId}\t${o.role}\t${o.status}\t${places}\t${o.displayName}${locked}`;
}

function stationLine(s: Station): string {
  return `${s.stationId}\t${s.pollingPlace}\t${s.status}\t${s.registeredAt.toISOString()}`;
}

function registerOfficials(program: Command): void {
  const officials = program
    .command('officials')
    .description('election officials: poll workers, supervisors, registrars, administrators');

  withStoreOptions(
    officials
      .command('add')
      .description('add an official; prints their id and a generated password (shown once)')
      .requiredOption('--id <id>', 'their official id (letters, digits, . _ -)')
      .requiredOption('--name <name>', 'their display name')
      .requiredOption('--role <role>', `one of ${OFFICIAL_ROLES.join(', ')}`)
      .option(
        '--precinct <precinct...>',
        'polling places (precinct ids) they serve; required for poll workers and supervisors',
        [],
      ),
  ).action(
    async (o: StoreOptions & { id: string; name: string; role: string; precinct: string[] }) => {
      const role = parseRole(o.role);
      if (role === undefined) {
        process.exitCode = 1;
        process.stderr.write(
          `--role must be one of ${OFFICIAL_ROLES.join(', ')}; it was "${o.role}".\n`,
        );
        return;
      }
      await withStore(o, async (store) => {
        const created = settle(
          await createOfficial(
            store,
            { officialId: o.id, displayName: o.name, role, pollingPlaces: o.precinct },
            cliActor(),
          ),
        );
        if (created === undefined) return;
        process.stdout.write(
          `${created.official.officialId}\npassword: ${created.password}\n` +
            '(shown once: hand it to the official; it is stored only as a hash)\n',
        );
      });
    },
  );

  withStoreOptions(
    officials
      .command('list')
      .description('list officials: id, role, status, polling places, name')
      .option('--json', 'print JSON'),
  ).action(async (o: StoreOptions & { json?: boolean }) => {
    await withStore(o, async (store) => {
      const list = await store.listOfficials();
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify({ officials: list }, null, 2)}\n`);
      } else {
        for (const official of list) process.stdout.write(`${officialLine(official)}\n`);
      }
    });
  });

  withStoreOptions(
    officials
      .command('disable')
      .description('disable an official and end their sessions')
      .argument('<id>', 'the official id'),
  ).action(async (id: string, o: StoreOptions) => {
    await withStore(o, async (store) => {
      const disabled = settle(await disableOfficial(store, id, cliActor()));
      if (disabled !== undefined) process.stdout.write(`${officialLine(disabled)}\n`);
    });
  });

  withStoreOptions(
    officials
      .command('unlock')
      .description('lift the lockout after too many failed sign-ins')
      .argument('<id>', 'the official id')
      .option('--reset-password', 'also give them a new generated password (shown once)'),
  ).action(async (id: string, o: StoreOptions & { resetPassword?: boolean }) => {
    await withStore(o, async (store) => {
      const unlocked = settle(
        await unlockOfficial(store, id, cliActor(), { resetPassword: o.resetPassword === true }),
      );
      if (unlocked === undefined) return;
      process.stdout.write(`${officialLine(unlocked.official)}\n`);
      if (unlocked.password !== undefined) {
        process.stdout.write(`password: ${unlocked.password}\n`);
      }
    });
  });
}

function registerStations(program: Command): void {
  const stations = program
    .command('stations')
    .description('polling-station devices, each registered for one polling place');

  withStoreOptions(
    stations
      .command('add')
      .description('register a station; prints its id and bearer token (shown once)')
      .requiredOption('--id <id>', 'the station id')
      .requiredOption('--polling-place <precinct>', 'the precinct id of its polling place'),
  ).action(async (o: StoreOptions & { id: string; pollingPlace: string }) => {
    await withStore(o, async (store) => {
      const registered = settle(
        await registerStation(store, { stationId: o.id, pollingPlace: o.pollingPlace }, cliActor()),
      );
      if (registered === undefined) return;
      process.stdout.write(
        `${registered.station.stationId}\ntoken: ${registered.token}\n` +
          '(shown once: install it on the station, which sends it as Vigil-Station-Token)\n',
      );
    });
  });

  withStoreOptions(
    stations
      .command('list')
      .description('list stations: id, polling place, status, registered at')
      .option('--json', 'print JSON'),
  ).action(async (o: StoreOptions & { json?: boolean }) => {
    await withStore(o, async (store) => {
      const list = await store.listStations();
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify({ stations: list }, null, 2)}\n`);
      } else {
        for (const station of list) process.stdout.write(`${stationLine(station)}\n`);
      }
    });
  });

  withStoreOptions(
    stations
      .command('revoke')
      .description('revoke a station and end the sessions opened on it')
      .argument('<id>', 'the station id'),
  ).action(async (id: string, o: StoreOptions) => {
    await withStore(o, async (store) => {
      const revoked = settle(await revokeStation(store, id, cliActor()));
      if (revoked !== undefined) process.stdout.write(`${stationLine(revoked)}\n`);
    });
  });
}
