import { randomUUID } from 'node:crypto';
import { TLP_MARKING_IDS, tlpOf, stricterTlp, type Tlp } from './tlp.ts';

/**
 * Tear-lines (issue 10, point 4): a releasable version of an object at a lower TLP, for
 * readers who may not see the original. The releasable copy is a new object (its own
 * id) without the properties the analyst tears off; a `derived-from` relationship links
 * it to the original, marked like the original, so only those cleared for the original
 * learn that the two are connected.
 */
export function tearLine(
  original: Readonly<Record<string, unknown>>,
  options: {
    readonly tlp: Tlp;
    /** Properties to leave out of the releasable copy (e.g. description, object_refs). */
    readonly remove: readonly string[];
    /** Property values to set on the releasable copy (e.g. a shorter description). */
    readonly replace?: Readonly<Record<string, unknown>>;
    readonly now: Date;
    /** Who the tear-line is for (AMBER recipients); default none. */
    readonly recipients?: readonly string[];
  },
): { releasable: Record<string, unknown>; link: Record<string, unknown> } {
  const originalTlp = tlpOf(original, 'amber');
  if (!stricterTlp(originalTlp, options.tlp)) {
    throw new RangeError(
      `a tear-line must be released at a lower TLP than the original (TLP:${originalTlp.toUpperCase()})`,
    );
  }
  const type = String(original.type);
  const now = options.now.toISOString();
  const releasable: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(original)) {
    if (options.remove.includes(k)) continue;
    if (k === 'granular_markings' || k === 'x_vigil_recipients') continue;
    releasable[k] = v;
  }
  Object.assign(releasable, options.replace ?? {}, {
    id: `${type}--${randomUUID()}`,
    created: now,
    modified: now,
    object_marking_refs: [TLP_MARKING_IDS[options.tlp]],
    ...(options.recipients === undefined ? {} : { x_vigil_recipients: [...options.recipients] }),
  });
  const link = {
    type: 'relationship',
    spec_version: '2.1',
    id: `relationship--${randomUUID()}`,
    created: now,
    modified: now,
    relationship_type: 'derived-from',
    source_ref: releasable.id,
    target_ref: original.id,
    description: 'Releasable version (tear-line) of the original.',
    object_marking_refs: [TLP_MARKING_IDS[originalTlp]],
    ...(Array.isArray(original.x_vigil_recipients)
      ? { x_vigil_recipients: original.x_vigil_recipients }
      : {}),
  };
  return { releasable, link };
}
