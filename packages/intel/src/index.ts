/**
 * @vigil/intel: the intelligence pillar's pure library. STIX 2.1 validation (official
 * schemas plus the MUST rules), the STIX patterning language, and TLP 2.0 access rules.
 */
export * from './pattern.ts';
export * from './validate.ts';
export * from './schema-files.ts';
export * from './tlp.ts';
export * from './sightings.ts';
export * from './alerts.ts';
export * from './tearline.ts';
