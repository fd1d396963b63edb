import type { FingerprintTemplate } from '../template.ts';

/**
 * Templates packed into a few flat typed arrays, to cross a worker-thread boundary in one
 * transfer instead of a structured clone of thousands of small objects.
 */
export interface PackedTemplates {
  readonly count: number;
  /** Template t's minutiae are start[t] .. start[t+1]-1. */
  readonly start: Uint32Array;
  /** width, height, quality per template. */
  readonly header: Uint16Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly direction: Float32Array;
  readonly kind: Uint8Array;
  readonly reliability: Float32Array;
}

export function packTemplates(templates: readonly FingerprintTemplate[]): PackedTemplates {
  const start = new Uint32Array(templates.length + 1);
  for (let t = 0; t < templates.length; t++) start[t + 1] = start[t]! + templates[t]!.x.length;
  const m = start[templates.length]!;
  const packed: PackedTemplates = {
    count: templates.length,
    start,
    header: new Uint16Array(templates.length * 3),
    x: new Float32Array(m),
    y: new Float32Array(m),
    direction: new Float32Array(m),
    kind: new Uint8Array(m),
    reliability: new Float32Array(m),
  };
  templates.forEach((t, i) => {
    packed.header.set([t.width, t.height, t.quality], i * 3);
    const at = start[i]!;
    packed.x.set(t.x, at);
    packed.y.set(t.y, at);
    packed.direction.set(t.direction, at);
    packed.kind.set(t.kind, at);
    packed.reliability.set(t.reliability, at);
  });
  return packed;
}

/** Template `t` of a pack, as views into the pack's arrays (no copy). */
export function unpackTemplate(p: PackedTemplates, t: number): FingerprintTemplate {
  const a = p.start[t]!;
  const b = p.start[t + 1]!;
  return {
    width: p.header[t * 3]!,
    height: p.header[t * 3 + 1]!,
    quality: p.header[t * 3 + 2]!,
    x: p.x.subarray(a, b),
    y: p.y.subarray(a, b),
    direction: p.direction.subarray(a, b),
    kind: p.kind.subarray(a, b),
    reliability: p.reliability.subarray(a, b),
  };
}

/** The buffers of a pack, for `postMessage`'s transfer list. */
export function packBuffers(p: PackedTemplates): ArrayBuffer[] {
  return [p.start, p.header, p.x, p.y, p.direction, p.kind, p.reliability].map(
    (a) => a.buffer as ArrayBuffer,
  );
}
