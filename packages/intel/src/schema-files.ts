import { VigilError } from '@vigil/core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStixValidator, type StixValidator } from './validate.ts';

/**
 * The shared reference data folder: `$VIGIL_SHARED_DATA`, else `../shared/data` beside
 * the repository. The STIX schemas are read from there, never copied into the repository.
 */
export function sharedDataDir(): string {
  return (
    process.env.VIGIL_SHARED_DATA ??
    resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data')
  );
}

/** The folder of the official STIX 2.1 schemas (cti-stix2-json-schemas' `schemas/`). */
export function stixSchemaDir(dataDir = sharedDataDir()): string {
  return join(dataDir, 'stix', 'schemas', 'schemas');
}

/** Reads every schema file of the official STIX 2.1 set. */
export function loadStixSchemas(dir = stixSchemaDir()): object[] {
  if (!existsSync(dir)) {
    // A deployment problem, not the client's: the server answers 503 with this message.
    throw new VigilError(
      'stix-schemas-missing',
      `The STIX 2.1 schemas are not in ${dir}, so objects cannot be validated and none are accepted.`,
      {
        hint: 'set VIGIL_SHARED_DATA to the folder holding stix/schemas (the official OASIS schemas)',
      },
    );
  }
  const schemas: object[] = [];
  for (const sub of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(join(dir, sub)).sort()) {
      if (file.endsWith('.json')) {
        schemas.push(JSON.parse(readFileSync(join(dir, sub, file), 'utf8')) as object);
      }
    }
  }
  return schemas;
}

let shared: StixValidator | undefined;

/** A validator over the schemas in the shared data folder, built once per process. */
export function defaultStixValidator(): StixValidator {
  shared ??= createStixValidator(loadStixSchemas());
  return shared;
}
