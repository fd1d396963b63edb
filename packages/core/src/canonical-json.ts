import { createRequire } from 'node:module';

// `canonicalize` is CommonJS whose typings declare an ES default export; under NodeNext
// that default is not callable, so load it through require with its real signature.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (
  input: unknown,
) => string | undefined;

/**
 * RFC 8785 JSON Canonicalization Scheme, through `canonicalize` (by the RFC's author).
 * Used wherever bytes must be the same for every party that hashes or signs a value.
 *
 * Throws a TypeError for values JSON cannot carry faithfully (undefined at the top
 * level, non-finite numbers), since signing such a value would be ambiguous.
 */
export function canonicalJson(value: unknown): string {
  assertCanonicalizable(value, '$');
  const text = canonicalize(value);
  if (text === undefined) {
    throw new TypeError('value cannot be canonicalized: it has no JSON representation');
  }
  return text;
}

/** UTF-8 bytes of the RFC 8785 form. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function assertCanonicalizable(value: unknown, path: string): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${path} is ${String(value)}; RFC 8785 allows only finite numbers`);
  }
  if (typeof value === 'bigint') {
    throw new TypeError(`${path} is a bigint; encode it as a string before canonicalizing`);
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertCanonicalizable(v, `${path}[${i}]`);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertCanonicalizable(v, `${path}.${k}`);
  }
}
