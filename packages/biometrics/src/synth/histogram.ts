/**
 * Genuine and impostor score histograms as a hand-written SVG: one panel per data set,
 * side by side, on the same axes, so two sets (synthetic and real) compare at a glance.
 * Bars are shares of each kind's pairs on a log scale (impostor pairs outnumber genuine
 * ones a hundredfold; only a log axis shows both tails where they overlap).
 */

export interface ScorePanel {
  readonly label: string;
  readonly genuine: readonly number[];
  readonly impostor: readonly number[];
  /** Lines of figures printed under the label (EER, pairs...). */
  readonly notes?: readonly string[];
}

export interface HistogramOptions {
  /** Scores at or above this go in the last bin (default 300). */
  readonly maxScore?: number;
  /** Bin width in score units (default 10). */
  readonly binWidth?: number;
}

const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 56, right: 16, top: 64, bottom: 48 };
/** Smallest share drawn: 10^-4, one pair in ten thousand. */
const LOG_FLOOR = -4;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function shares(scores: readonly number[], bins: number, binWidth: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const s of scores) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s / binWidth)));
    counts[b] = counts[b]! + 1;
  }
  return counts.map((c) => (scores.length === 0 ? 0 : c / scores.length));
}

/** The SVG document. */
export function scoreHistogramSvg(
  panels: readonly ScorePanel[],
  options: HistogramOptions = {},
): string {
  const maxScore = options.maxScore ?? 300;
  const binWidth = options.binWidth ?? 10;
  const bins = Math.ceil(maxScore / binWidth) + 1;
  const tick = maxScore > 400 ? 100 : 50;
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const width = PANEL_W * panels.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_H}" viewBox="0 0 ${width} ${PANEL_H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${PANEL_H}" fill="#fff"/>`,
  ];
  const xOf = (bin: number) => MARGIN.left + (bin / bins) * plotW;
  const yOf = (share: number) => {
    if (share <= 0) return MARGIN.top + plotH;
    const l = Math.max(LOG_FLOOR, Math.log10(share));
    return MARGIN.top + (l / LOG_FLOOR) * plotH;
  };
  panels.forEach((panel, p) => {
    out.push(`<g transform="translate(${p * PANEL_W},0)">`);
    out.push(
      `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="bold">${escapeXml(panel.label)}</text>`,
    );
    (panel.notes ?? []).forEach((note, k) => {
      out.push(`<text x="${MARGIN.left}" y="${34 + 13 * k}">${escapeXml(note)}</text>`);
    });
    // Axes and grid: decades on y, every `tick` on x.
    for (let d = 0; d >= LOG_FLOOR; d--) {
      const y = yOf(10 ** d);
      out.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
        `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">1e${d}</text>`,
      );
    }
    for (let s = 0; s <= maxScore; s += tick) {
      const x = xOf(s / binWidth);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#000"/>`,
        `<text x="${x}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${s === maxScore ? `${s}+` : s}</text>`,
      );
    }
    out.push(
      `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#000"/>`,
      `<text x="${MARGIN.left + plotW / 2}" y="${PANEL_H - 8}" text-anchor="middle">match score</text>`,
      `<text transform="translate(14,${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">share of pairs</text>`,
    );
    for (const [scores, colour, name, k] of [
      [panel.impostor, '#d62728', 'impostor', 0],
      [panel.genuine, '#1f77b4', 'genuine', 1],
    ] as const) {
      const h = shares(scores, bins, binWidth);
      // A step outline, so the two kinds stay readable where they overlap.
      let d = `M${xOf(0)},${yOf(0)}`;
      h.forEach((share, b) => {
        d += ` L${xOf(b).toFixed(1)},${yOf(share).toFixed(1)} L${xOf(b + 1).toFixed(1)},${yOf(share).toFixed(1)}`;
      });
      d += ` L${xOf(bins)},${yOf(0)}`;
      out.push(`<path d="${d}" fill="${colour}" fill-opacity="0.18" stroke="${colour}"/>`);
      const lx = MARGIN.left + plotW - 150;
      const ly = MARGIN.top + 14 + 14 * k;
      out.push(
        `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colour}" fill-opacity="0.5"/>`,
        `<text x="${lx + 14}" y="${ly}">${name} (${scores.length} pairs)</text>`,
      );
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
