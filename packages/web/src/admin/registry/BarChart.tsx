import { useId } from 'react';

/**
 * A bar chart as inline SVG, with its figures as a table for those who cannot see it
 * (WCAG 2.2 1.1.1: the SVG is one image with a text summary, and the table holds every
 * number). Bars of several series stand side by side per category; each series has its
 * own colour and pattern class, all with at least 3:1 contrast on white (1.4.11).
 * No chart library: three simple charts do not justify the bytes.
 */

export interface ChartSeries {
  readonly name: string;
  /** A class of styles.css (`chart-series-1` … `chart-series-3`). */
  readonly className: string;
}

export interface ChartRow {
  readonly label: string;
  readonly values: readonly number[];
}

interface BarChartProps {
  readonly title: string;
  /** One sentence saying what the chart shows and what stands out, for screen readers. */
  readonly summary: string;
  readonly series: readonly ChartSeries[];
  readonly rows: readonly ChartRow[];
  /** Heading of the table's first column (what a row is: an hour, a precinct, a station). */
  readonly rowHeading: string;
  /** Extra columns of the table only (e.g. a percentage). */
  readonly extraColumns?: readonly { heading: string; cells: readonly string[] }[];
  /** The heading level of the title (the panel's h2 is above). */
  readonly level?: 3 | 4;
}

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 56, left: 44 };

/** A round step for the value axis: 1, 2 or 5 times a power of ten. */
function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  return { top: Math.max(step, Math.ceil(max / step) * step), step: Math.max(1, step) };
}

export function BarChart({
  title,
  summary,
  series,
  rows,
  rowHeading,
  extraColumns = [],
  level = 3,
}: BarChartProps) {
  const id = useId();
  const Heading = level === 3 ? 'h3' : 'h4';
  const max = Math.max(0, ...rows.flatMap((r) => r.values));
  const { top, step } = niceMax(max);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = rows.length === 0 ? plotWidth : plotWidth / rows.length;
  const barWidth = Math.max(2, Math.min(36, (band * 0.8) / Math.max(1, series.length)));
  const y = (v: number) => MARGIN.top + plotHeight - (v / top) * plotHeight;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <Heading id={`${id}-title`}>{title}</Heading>
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.name}>
              <span className={`chart-swatch ${s.className}`} /> {s.name}
            </li>
          ))}
        </ul>
      )}
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${title}. ${summary}`}
        className="chart-svg"
        preserveAspectRatio="xMinYMin meet"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line
              x1={MARGIN.left}
              x2={WIDTH - MARGIN.right}
              y1={y(t)}
              y2={y(t)}
              className="chart-grid"
            />
            <text x={MARGIN.left - 6} y={y(t) + 4} textAnchor="end" className="chart-tick">
              {t}
            </text>
          </g>
        ))}
        {rows.map((row, i) => {
          const x0 = MARGIN.left + i * band + (band - barWidth * series.length) / 2;
          return (
            <g key={row.label}>
              {series.map((s, j) => {
                const v = row.values[j] ?? 0;
                return (
                  <rect
                    key={s.name}
                    x={x0 + j * barWidth}
                    y={y(v)}
                    width={barWidth - 1}
                    height={Math.max(0, y(0) - y(v))}
                    className={s.className}
                  />
                );
              })}
              <text
                x={MARGIN.left + i * band + band / 2}
                y={HEIGHT - MARGIN.bottom + 16}
                textAnchor="middle"
                className="chart-label"
              >
                {row.label.length > 14 ? `${row.label.slice(0, 13)}…` : row.label}
              </text>
            </g>
          );
        })}
        <line
          x1={MARGIN.left}
          x2={WIDTH - MARGIN.right}
          y1={y(0)}
          y2={y(0)}
          className="chart-axis"
        />
      </svg>
      <details className="chart-data">
        <summary>{title}: the figures as a table</summary>
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{rowHeading}</th>
              {series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
              {extraColumns.map((c) => (
                <th scope="col" key={c.heading}>
                  {c.heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                {series.map((s, j) => (
                  <td key={s.name}>{row.values[j] ?? 0}</td>
                ))}
                {extraColumns.map((c) => (
                  <td key={c.heading}>{c.cells[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
