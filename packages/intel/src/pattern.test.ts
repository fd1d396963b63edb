import { describe, expect, it } from 'vitest';
import { parseStixPattern } from './pattern.ts';

describe('parseStixPattern', () => {
  it.each([
    "[ipv4-addr:value = '198.51.100.1/32']",
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[file:size > 10 AND file:name NOT LIKE 'x%'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    "([ipv4-addr:value = '1.2.3.4'] AND [domain-name:value != 'x']) FOLLOWEDBY [url:value IN ('a', 'b')] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'",
    "[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' MATCHES '^gzip']",
    "[email-message:to_refs[*].value = 'a@b.example' OR EXISTS email-message:subject]",
    "[artifact:payload_bin = b'SGVsbG8=' AND artifact:hashes.MD5 = h'0aff']",
    '[process:pid = -5 AND process:is_hidden = true AND x-custom:score >= 0.5]',
    "[user-account:account_login ISSUBSET '10.0.0.0/8'] OR [ipv4-addr:value ISSUPERSET '10.1.0.0/16']",
    "[file:name = 'it\\'s']",
    "[file:name = 'x'] OR [file:name = 'y'] AND [file:name = 'z']",
  ])('accepts %s', (pattern) => {
    const parsed = parseStixPattern(pattern);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
  });

  it('builds the tree with FOLLOWEDBY loosest and qualifiers on observations', () => {
    const parsed = parseStixPattern(
      '[a-b:c = 1] AND [a-b:c = 2] FOLLOWEDBY [a-b:c = 3] WITHIN 5 SECONDS',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.kind).toBe('followedby');
    if (parsed.value.kind !== 'followedby') return;
    expect(parsed.value.operands[0]?.kind).toBe('and');
    expect(parsed.value.operands[1]).toMatchObject({
      kind: 'observation',
      qualifiers: [{ kind: 'within', seconds: 5 }],
    });
  });

  it.each([
    ["[file:name = 'x'", 'ended too soon'],
    ["file:name = 'x'", ''],
    ["[file:name == 'x' and file:size = 3]", ''],
    ["[file:name = 'x'] WITHIN -5 SECONDS", 'positive'],
    ["[file:name = 'x'] REPEATS 0 TIMES", 'positive'],
    [
      "[ipv4-addr:value = '1'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'",
      'later than',
    ],
    ["[x-y:z = t'2016-13-01T00:00:00Z']", ''],
    ['[file:name LIKE 5]', ''],
    ['[Foo:bar = 1]', 'not a valid STIX object type'],
    ["[file:name = 'x'] within 5 seconds", ''],
    ["[artifact:payload_bin = b'abc']", ''],
    ["[artifact:hashes.MD5 = h'abc']", ''],
    ["[file:name MATCHES '(']", 'regular expression'],
    ['', ''],
  ])('refuses %s', (pattern, why) => {
    const parsed = parseStixPattern(pattern);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.length).toBeGreaterThan(0);
    expect(parsed.error.map((p) => p.message).join('\n')).toContain(why);
  });
});
