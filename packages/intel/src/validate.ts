import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseStixPattern } from './pattern.ts';

/**
 * STIX 2.1 validation: the official JSON Schemas (draft 2020-12, through Ajv), then the
 * specification's MUST rules the schemas cannot express (their README lists them):
 * real UTC instants, modified not before created, references to objects of the right
 * type, granular-marking selectors that select something, versions that agree, and
 * indicator patterns that parse (`pattern.ts`).
 */

/** Which rule a problem broke. */
export type StixRule =
  'json' | 'schema' | 'timestamp' | 'reference' | 'marking' | 'version' | 'pattern';

/** One problem, with the object it is in and the path inside that object. */
export interface StixProblem {
  /** The object's id, when it has one. */
  readonly objectId?: string;
  /** The object's position in the bundle or envelope. */
  readonly index?: number;
  /** Dotted path inside the object, e.g. `granular_markings[0].selectors[1]`; '' for the whole. */
  readonly path: string;
  readonly rule: StixRule;
  readonly message: string;
}

/** A STIX object as parsed JSON. */
export type StixObject = Readonly<Record<string, unknown>> & {
  readonly type: string;
  readonly id: string;
};

const SCHEMA_BASE =
  'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

/** The STIX Domain Object types of STIX 2.1 §4. */
export const SDO_TYPES: ReadonlySet<string> = new Set([
  'attack-pattern',
  'campaign',
  'course-of-action',
  'grouping',
  'identity',
  'incident',
  'indicator',
  'infrastructure',
  'intrusion-set',
  'location',
  'malware',
  'malware-analysis',
  'note',
  'observed-data',
  'opinion',
  'report',
  'threat-actor',
  'tool',
  'vulnerability',
]);

/** The STIX Cyber-observable Object types of STIX 2.1 §6. */
export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
]);

const META_TYPES = new Set(['marking-definition', 'language-content', 'extension-definition']);

function schemaIdFor(type: string): string | undefined {
  if (SDO_TYPES.has(type)) return `${SCHEMA_BASE}sdos/${type}.json`;
  if (SCO_TYPES.has(type)) return `${SCHEMA_BASE}observables/${type}.json`;
  if (type === 'relationship' || type === 'sighting') return `${SCHEMA_BASE}sros/${type}.json`;
  if (META_TYPES.has(type)) return `${SCHEMA_BASE}common/${type}.json`;
  return undefined;
}

const anySdo = (t: string) => SDO_TYPES.has(t);
const anySco = (t: string) => SCO_TYPES.has(t) || t.startsWith('x-');
const oneOf =
  (...types: string[]) =>
  (t: string) =>
    types.includes(t);

/**
 * Reference properties whose target type the specification fixes (STIX 2.1 §3.2, §4,
 * §5, §6). A reference not listed here need only be a well-formed identifier.
 */
const REFERENCE_TYPES: Readonly<Record<string, { allowed: (t: string) => boolean; what: string }>> =
  {
    created_by_ref: { allowed: oneOf('identity'), what: 'an identity' },
    object_marking_refs: { allowed: oneOf('marking-definition'), what: 'a marking-definition' },
    marking_ref: { allowed: oneOf('marking-definition'), what: 'a marking-definition' },
    sighting_of_ref: { allowed: anySdo, what: 'a STIX Domain Object' },
    observed_data_refs: { allowed: oneOf('observed-data'), what: 'an observed-data' },
    where_sighted_refs: { allowed: oneOf('identity', 'location'), what: 'an identity or location' },
    sample_refs: { allowed: oneOf('file', 'artifact'), what: 'a file or artifact' },
    sample_ref: { allowed: oneOf('file', 'artifact'), what: 'a file or artifact' },
    operating_system_refs: { allowed: oneOf('software'), what: 'a software' },
    installed_software_refs: { allowed: oneOf('software'), what: 'a software' },
    host_vm_ref: { allowed: oneOf('software'), what: 'a software' },
    operating_system_ref: { allowed: oneOf('software'), what: 'a software' },
    analysis_sco_refs: { allowed: anySco, what: 'a cyber-observable' },
    belongs_to_refs: { allowed: oneOf('autonomous-system'), what: 'an autonomous-system' },
    from_ref: { allowed: oneOf('email-addr'), what: 'an email-addr' },
    sender_ref: { allowed: oneOf('email-addr'), what: 'an email-addr' },
    to_refs: { allowed: oneOf('email-addr'), what: 'an email-addr' },
    cc_refs: { allowed: oneOf('email-addr'), what: 'an email-addr' },
    bcc_refs: { allowed: oneOf('email-addr'), what: 'an email-addr' },
    raw_email_ref: { allowed: oneOf('artifact'), what: 'an artifact' },
    body_raw_ref: { allowed: oneOf('artifact', 'file'), what: 'an artifact or file' },
    parent_directory_ref: { allowed: oneOf('directory'), what: 'a directory' },
    content_ref: { allowed: oneOf('artifact'), what: 'an artifact' },
    creator_user_ref: { allowed: oneOf('user-account'), what: 'a user-account' },
    image_ref: { allowed: oneOf('file'), what: 'a file' },
    parent_ref: { allowed: oneOf('process'), what: 'a process' },
    child_refs: { allowed: oneOf('process'), what: 'a process' },
    opened_connection_refs: { allowed: oneOf('network-traffic'), what: 'a network-traffic' },
    encapsulates_refs: { allowed: oneOf('network-traffic'), what: 'a network-traffic' },
    encapsulated_by_ref: { allowed: oneOf('network-traffic'), what: 'a network-traffic' },
    src_payload_ref: { allowed: oneOf('artifact'), what: 'an artifact' },
    dst_payload_ref: { allowed: oneOf('artifact'), what: 'an artifact' },
    message_body_data_ref: { allowed: oneOf('artifact'), what: 'an artifact' },
    src_ref: {
      allowed: oneOf('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
      what: 'an ipv4-addr, ipv6-addr, mac-addr or domain-name',
    },
    dst_ref: {
      allowed: oneOf('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
      what: 'an ipv4-addr, ipv6-addr, mac-addr or domain-name',
    },
  };

/** source_ref / target_ref of a relationship: an SDO or SCO (§5.1), never a meta object. */
const RELATIONSHIP_ENDS = (t: string) =>
  !META_TYPES.has(t) && t !== 'bundle' && t !== 'relationship' && t !== 'sighting';

/** Pairs (earlier, later) that must be in order; `strict` when equal is not allowed. */
const ORDERED_TIMES: readonly { earlier: string; later: string; strict: boolean }[] = [
  { earlier: 'created', later: 'modified', strict: false },
  { earlier: 'first_seen', later: 'last_seen', strict: false },
  { earlier: 'first_observed', later: 'last_observed', strict: false },
  { earlier: 'valid_from', later: 'valid_until', strict: true },
  { earlier: 'start_time', later: 'stop_time', strict: true },
];

const TIMESTAMP_PROPS = new Set([
  'created',
  'modified',
  'first_seen',
  'last_seen',
  'first_observed',
  'last_observed',
  'valid_from',
  'valid_until',
  'start_time',
  'stop_time',
  'published',
  'analysis_started',
  'analysis_ended',
  'submitted',
]);

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/**
 * Parses a STIX timestamp (§3.2: RFC 3339, UTC, with Z) into a sortable key with nine
 * fraction digits, or undefined when it is not a real instant in that form.
 */
export function timestampKey(value: string): string | undefined {
  const m = TIMESTAMP.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  // Date.UTC rolls 31 February into March; a real date survives the round trip.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  if (Number(s) > 60) return undefined;
  const fraction = (frac ?? '.').slice(1).padEnd(9, '0');
  if (fraction.length > 9) return undefined;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction}Z`;
}

function pathFromPointer(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (acc, part) =>
        /^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`,
      '',
    );
}

function describeAjvError(e: ErrorObject): { path: string; message: string } {
  let path = pathFromPointer(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    path = path === '' ? params.missingProperty : `${path}.${params.missingProperty}`;
    return { path, message: 'is required' };
  }
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return {
      path,
      message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  return { path, message: e.message ?? 'is invalid' };
}

/** The type of the object an identifier names (`indicator--…` → `indicator`). */
export function typeOfId(id: string): string {
  const at = id.indexOf('--');
  return at < 0 ? '' : id.slice(0, at);
}

/**
 * Resolves a granular-marking selector (§7.2.3.1) against an object: dotted property
 * names and `[n]` list indexes. Returns whether it selects something.
 */
export function selectorResolves(
  object: Readonly<Record<string, unknown>>,
  selector: string,
): boolean {
  let current: unknown = object;
  for (const part of selector.split('.')) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index !== null) {
      if (!Array.isArray(current)) return false;
      current = current[Number(index[1])];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return false;
      if (!Object.hasOwn(current, part)) return false;
      current = (current as Record<string, unknown>)[part];
    }
    if (current === undefined) return false;
  }
  return true;
}

export interface StixValidator {
  /** Every problem of one object (schema and MUST rules); [] when it is valid. */
  validateObject(value: unknown, index?: number): StixProblem[];
  /** Every problem of a bundle: its own shape, each object, and versions that disagree. */
  validateBundle(value: unknown): StixProblem[];
  /** Every problem of a list of objects (a TAXII envelope's), with cross-object checks. */
  validateObjects(objects: readonly unknown[]): StixProblem[];
  /** Parses JSON text and validates it as a bundle, a single object, or an envelope. */
  validateText(text: string): StixProblem[];
}

/**
 * Builds a validator from the official STIX 2.1 schemas (every file of
 * cti-stix2-json-schemas' `schemas/` folder, parsed). See `loadStixSchemas`.
 */
export function createStixValidator(schemas: readonly object[]): StixValidator {
  // The schemas' regular expressions use escapes (`\-`) that the `u` flag refuses.
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  // Internationalised host names (domain-name SCOs) are not checked by ajv-formats.
  ajv.addFormat('idn-hostname', true);
  for (const schema of schemas) ajv.addSchema(schema);
  const cache = new Map<string, ValidateFunction>();
  const schemaFor = (id: string): ValidateFunction => {
    let fn = cache.get(id);
    if (fn === undefined) {
      fn = ajv.getSchema(id);
      if (fn === undefined) throw new Error(`the STIX schema ${id} is missing from the schema set`);
      cache.set(id, fn);
    }
    return fn;
  };

  const validateObject = (value: unknown, index?: number): StixProblem[] => {
    const at = index === undefined ? {} : { index };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [
        { ...at, path: '', rule: 'schema', message: 'must be a JSON object (a STIX object)' },
      ];
    }
    const object = value as Record<string, unknown>;
    const objectId = typeof object.id === 'string' ? object.id : undefined;
    const where = { ...at, ...(objectId === undefined ? {} : { objectId }) };
    const problems: StixProblem[] = [];
    const add = (rule: StixRule, path: string, message: string) =>
      problems.push({ ...where, rule, path, message });

    const type = typeof object.type === 'string' ? object.type : '';
    const known = schemaIdFor(type);
    // Custom objects (§11.2) are checked against the common properties: an SCO's when
    // they have no `created`, an SDO's otherwise.
    const schemaId =
      known ??
      (Object.hasOwn(object, 'created')
        ? `${SCHEMA_BASE}common/core.json`
        : `${SCHEMA_BASE}common/cyber-observable-core.json`);
    const validate = schemaFor(schemaId);
    if (!validate(object)) {
      const seen = new Set<string>();
      for (const e of validate.errors ?? []) {
        // allOf/oneOf wrappers repeat their branches' errors; keep the informative ones.
        if (
          e.keyword === 'allOf' ||
          e.keyword === 'if' ||
          e.keyword === 'oneOf' ||
          e.keyword === 'anyOf'
        )
          continue;
        const { path, message } = describeAjvError(e);
        // Timestamps get one clearer sentence from the timestamp rule below.
        if (e.keyword === 'pattern' && TIMESTAMP_PROPS.has(path)) continue;
        const key = `${path} ${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        add('schema', path, message);
      }
    }

    // Timestamps: real UTC instants with Z (§3.2), in order.
    const keys = new Map<string, string>();
    for (const prop of TIMESTAMP_PROPS) {
      const v = object[prop];
      if (v === undefined) continue;
      const key = typeof v === 'string' ? timestampKey(v) : undefined;
      if (key === undefined) {
        add(
          'timestamp',
          prop,
          `must be a UTC timestamp ending in Z, like 2026-11-03T14:05:00.000Z; it is ${JSON.stringify(v)}`,
        );
      } else {
        keys.set(prop, key);
      }
    }
    for (const { earlier, later, strict } of ORDERED_TIMES) {
      const a = keys.get(earlier);
      const b = keys.get(later);
      if (a !== undefined && b !== undefined && (strict ? b <= a : b < a)) {
        add(
          'timestamp',
          later,
          `must be ${strict ? 'later than' : 'no earlier than'} ${earlier} (${String(object[earlier])}); it is ${String(object[later])}`,
        );
      }
    }

    // References of the right type.
    const checkRef = (path: string, prop: string, ref: unknown) => {
      if (typeof ref !== 'string') return;
      const target = typeOfId(ref);
      const rule =
        (type === 'relationship' && (prop === 'source_ref' || prop === 'target_ref')) ||
        (type === 'sighting' && prop === 'sighting_of_ref')
          ? {
              allowed: prop === 'sighting_of_ref' ? anySdo : RELATIONSHIP_ENDS,
              what:
                prop === 'sighting_of_ref'
                  ? 'a STIX Domain Object'
                  : 'a STIX Domain or Cyber-observable Object',
            }
          : REFERENCE_TYPES[prop];
      if (
        rule !== undefined &&
        !rule.allowed(target) &&
        !(target.startsWith('x-') && prop !== 'created_by_ref' && !prop.includes('marking'))
      ) {
        add('reference', path, `must refer to ${rule.what}, not to ${ref}`);
      }
    };
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => {
          walk(item, `${path}[${i}]`);
        });
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      for (const [prop, v] of Object.entries(node as Record<string, unknown>)) {
        const p = path === '' ? prop : `${path}.${prop}`;
        if (prop.endsWith('_ref')) checkRef(p, prop, v);
        else if (prop.endsWith('_refs') && Array.isArray(v))
          v.forEach((r, i) => {
            checkRef(`${p}[${i}]`, prop, r);
          });
        else if (typeof v === 'object') walk(v, p);
      }
    };
    walk(object, '');

    // Granular markings: each selector must select something in this object (§7.2.3.1).
    if (Array.isArray(object.granular_markings)) {
      object.granular_markings.forEach((gm: unknown, i) => {
        const selectors = (gm as { selectors?: unknown } | null)?.selectors;
        if (!Array.isArray(selectors)) return;
        selectors.forEach((s: unknown, j) => {
          if (typeof s === 'string' && !selectorResolves(object, s)) {
            add(
              'marking',
              `granular_markings[${i}].selectors[${j}]`,
              `selects nothing in this object: "${s}"`,
            );
          }
        });
      });
    }
    // A marking definition must not mark itself (§7.2.1: no circular references).
    if (
      type === 'marking-definition' &&
      objectId !== undefined &&
      Array.isArray(object.object_marking_refs) &&
      object.object_marking_refs.includes(objectId)
    ) {
      add('marking', 'object_marking_refs', 'a marking definition must not refer to itself');
    }

    // Patterns (§9) when the indicator says they are STIX patterns.
    if (
      type === 'indicator' &&
      object.pattern_type === 'stix' &&
      typeof object.pattern === 'string'
    ) {
      const parsed = parseStixPattern(object.pattern);
      if (!parsed.ok) {
        for (const p of parsed.error) {
          add(
            'pattern',
            'pattern',
            `does not parse${p.column > 0 ? ` at column ${p.column}` : ''}: ${p.message}`,
          );
        }
      }
    }
    return problems;
  };

  const validateObjects = (objects: readonly unknown[]): StixProblem[] => {
    const problems = objects.flatMap((o, i) => validateObject(o, i));
    // Versioning (§3.6): versions of one object share `created`; one version (id and
    // modified) is one content; marking definitions are never versioned (§7.2.1).
    const byId = new Map<string, { index: number; object: Record<string, unknown> }[]>();
    objects.forEach((o, index) => {
      if (typeof o !== 'object' || o === null) return;
      const object = o as Record<string, unknown>;
      if (typeof object.id !== 'string') return;
      const list = byId.get(object.id) ?? [];
      list.push({ index, object });
      byId.set(object.id, list);
    });
    for (const [id, versions] of byId) {
      const [first, ...rest] = versions;
      if (first === undefined) continue;
      for (const v of rest) {
        const add = (path: string, message: string) =>
          problems.push({ objectId: id, index: v.index, rule: 'version', path, message });
        if (
          typeOfId(id) === 'marking-definition' &&
          JSON.stringify(v.object) !== JSON.stringify(first.object)
        ) {
          add(
            '',
            'marking definitions cannot be versioned; this one appears twice with different content',
          );
        } else if (first.object.created !== v.object.created) {
          add(
            'created',
            `every version of an object keeps its created time (${String(first.object.created)}); this one has ${String(v.object.created)}`,
          );
        } else if (
          first.object.modified === v.object.modified &&
          JSON.stringify(v.object) !== JSON.stringify(first.object)
        ) {
          add(
            'modified',
            `two different versions have the same modified time ${String(v.object.modified)}; a new version needs a later modified`,
          );
        }
      }
    }
    return problems;
  };

  const validateBundle = (value: unknown): StixProblem[] => {
    const validate = schemaFor(`${SCHEMA_BASE}common/bundle.json`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [{ path: '', rule: 'schema', message: 'must be a JSON object (a STIX bundle)' }];
    }
    const bundle = value as Record<string, unknown>;
    const problems: StixProblem[] = [];
    // Check the bundle's own properties; its objects are checked one by one below.
    const { objects, ...shell } = bundle;
    if (!validate(shell)) {
      for (const e of validate.errors ?? []) {
        const { path, message } = describeAjvError(e);
        problems.push({
          ...(typeof bundle.id === 'string' ? { objectId: bundle.id } : {}),
          rule: 'schema',
          path,
          message,
        });
      }
    }
    if (objects === undefined) return problems;
    if (!Array.isArray(objects)) {
      problems.push({ path: 'objects', rule: 'schema', message: 'must be a list of STIX objects' });
      return problems;
    }
    return [...problems, ...validateObjects(objects)];
  };

  return {
    validateObject,
    validateBundle,
    validateObjects,
    validateText(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        return [
          {
            path: '',
            rule: 'json',
            message: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
          },
        ];
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        // A bundle that forgot its type is still a bundle (it has an id): report it as one.
        if (v.type === 'bundle' || (typeof v.id === 'string' && Array.isArray(v.objects))) {
          return validateBundle(v);
        }
        if (v.type === undefined && Array.isArray(v.objects)) return validateObjects(v.objects);
      }
      return validateObject(value);
    },
  };
}
