import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataDir } from '@vigil/intel';
import { buildServer } from '@vigil/server';
import { openStore } from '@vigil/store';
import { repoRoot, runVigil, vigilBin } from '../testing.ts';

const examples = join(sharedDataDir(), 'stix', 'examples');
const present = existsSync(examples);
if (!present)
  console.warn(`STIX examples not found in ${examples}; set VIGIL_SHARED_DATA. Skipped.`);

describe.skipIf(!present)('vigil intel validate', () => {
  it('accepts a valid bundle', async () => {
    const run = await runVigil([
      'intel',
      'validate',
      join(examples, 'cti-documentation', 'poisonivy.json'),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid STIX 2.1');
  });

  it('prints each problem with object id and path, and exits 1', async () => {
    const file = join(examples, 'cti-stix-validator-test-examples', 'invalid_timestamp.json');
    const run = await runVigil(['intel', 'validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'identity--8c6af861-7b20-41ef-9b59-6344fd872a8f modified: must be no earlier than created',
    );
    const json = await runVigil(['intel', 'validate', file, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      problems: [
        {
          objectId: 'identity--8c6af861-7b20-41ef-9b59-6344fd872a8f',
          path: 'modified',
          rule: 'timestamp',
        },
      ],
    });
  });

  it('says when the file is not JSON or not there', async () => {
    const run = await runVigil([
      'intel',
      'validate',
      join(examples, 'cti-stix-validator-test-examples', 'invalid_comma.json'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is not valid JSON');
    const missing = await runVigil(['intel', 'validate', '/nonexistent/bundle.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not read /nonexistent/bundle.json');
  });
});

/** Runs vigil with `input` on stdin. */
function runWithStdin(
  args: readonly string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [vigilBin, ...args],
      { cwd: repoRoot },
      (error, stdout, stderr) => {
        done({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        });
      },
    );
    child.stdin?.end(input);
  });
}

describe.skipIf(!present)('vigil intel administration', () => {
  it('adds organisations, a sharing group, a person and a collection, imports ATT&CK for ICS, and serves it over TAXII', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-intel-cli-'));
    const db = ['--data-dir', dir];
    try {
      const ohio = await runVigil([
        'intel',
        'org',
        'add',
        '--name',
        'Ohio Secretary of State',
        '--kind',
        'state',
        '--id',
        'ohio',
        ...db,
      ]);
      expect(ohio.code, ohio.stderr).toBe(0);
      const county = await runVigil([
        'intel',
        'org',
        'add',
        '--name',
        'Franklin County',
        '--kind',
        'county',
        '--parent',
        'ohio',
        ...db,
      ]);
      expect(county.stdout.trim()).toBe('franklin-county');
      expect(
        (await runVigil(['intel', 'org', 'add', '--name', 'X', '--kind', 'city', ...db])).code,
      ).toBe(1);
      const group = await runVigil([
        'intel',
        'group',
        'add',
        '--name',
        'Ohio counties',
        '--members',
        'ohio,franklin-county',
        ...db,
      ]);
      expect(group.code, group.stderr).toBe(0);
      const user = await runWithStdin(
        [
          'intel',
          'user',
          'add',
          '--org',
          'franklin-county',
          '--name',
          'Clerk',
          '--id',
          'clerk',
          '--password-stdin',
          ...db,
        ],
        'a long enough password\n',
      );
      expect(user.code, user.stderr).toBe(0);
      expect(user.stdout).toMatch(/^clerk\ntoken: vgl_/);
      const collection = await runVigil([
        'intel',
        'collection',
        'add',
        '--title',
        'ATT&CK for ICS',
        '--read',
        'ohio,franklin-county',
        '--write',
        'ohio',
        '--default-tlp',
        'clear',
        ...db,
      ]);
      expect(collection.stdout.trim()).toBe('att-ck-for-ics');
      const bundle = join(examples, 'mitre-attack-ics', 'ics-attack-18.1.json');
      const imported = await runVigil([
        'intel',
        'import',
        bundle,
        '--collection',
        'att-ck-for-ics',
        '--org',
        'ohio',
        ...db,
      ]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('1826 stored or already present, 0 refused');

      const store = await openStore({ dataDir: dir });
      const app = await buildServer({ store, webDistDir: join(dir, 'no-web') });
      try {
        const res = await app.inject({
          method: 'GET',
          url: '/taxii2/vigil/collections/att-ck-for-ics/manifest/?limit=1000&match[version]=all',
          headers: {
            accept: 'application/taxii+json;version=2.1',
            authorization: `Basic ${Buffer.from('clerk:a long enough password').toString('base64')}`,
          },
        });
        expect(res.statusCode).toBe(200);
        const body = res.json<{ more: boolean; objects: unknown[] }>();
        expect(body.objects).toHaveLength(1000);
        expect(body.more).toBe(true);
      } finally {
        await app.close();
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
