/**
 * One SVG chart per bench section (bench/results/<section>.svg, shown in README.md): a horizontal bar
 * per row that has a ratio to its baseline, on a log scale with 1x marked, so that speed-ups over the
 * reference, thread scaling and shares of a yardstick read at a glance. Plain SVG text, no library.
 */
import type { BenchRow } from './lib.js';
import { formatRatio, formatValue, machineLine, type SectionResults } from './results.js';

const BAR = 16;
const GAP = 6;
const LABEL = 430;
const PLOT = 360;
const TOP = 44;

/** XML-escapes text for an SVG text node or attribute. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The chart of a section's rows with ratios (an empty string when there are none). */
export function sectionChart({ section, meta, rows }: SectionResults): string {
  const bars = rows.filter(
    (r): r is BenchRow & { ratio: number } => typeof r.ratio === 'number' && r.ratio > 0 && Number.isFinite(r.ratio),
  );
  if (bars.length === 0) return '';
  const logs = bars.map((r) => Math.log10(r.ratio));
  const lo = Math.min(0, Math.floor(Math.min(...logs)));
  const hi = Math.max(1, Math.ceil(Math.max(...logs)));
  const x = (log: number) => Math.round(10 * (LABEL + ((log - lo) / (hi - lo)) * PLOT)) / 10;
  const height = TOP + bars.length * (BAR + GAP) + 40;
  const width = LABEL + PLOT + 90;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(`bench: ${section}`)}</text>`,
    `<text x="8" y="34" fill="#555">${esc(machineLine(meta))}</text>`,
  ];
  for (let d = lo; d <= hi; d++) {
    const gx = x(d);
    out.push(`<line x1="${gx}" y1="${TOP - 4}" x2="${gx}" y2="${height - 30}" stroke="${d === 0 ? '#333' : '#ddd'}"/>`);
    out.push(`<text x="${gx}" y="${height - 16}" text-anchor="middle" fill="#555">${esc(`${formatValue(10 ** d)}x`)}</text>`);
  }
  bars.forEach((r, i) => {
    const y = TOP + i * (BAR + GAP);
    const from = x(0);
    const to = x(Math.log10(r.ratio));
    const label = `${r.case} (${r.subject})`;
    out.push(
      `<text x="${LABEL - 6}" y="${y + BAR - 4}" text-anchor="end">${esc(label.length > 70 ? `${label.slice(0, 67)}...` : label)}</text>`,
    );
    out.push(
      `<rect x="${Math.min(from, to)}" y="${y}" width="${Math.max(Math.round(10 * Math.abs(to - from)) / 10, 1)}" height="${BAR}" fill="${r.ratio >= 1 ? '#2b7bb9' : '#d9822b'}"><title>${esc(`${label}: ${formatRatio(r.ratio)} ${r.baseline ?? ''}`)}</title></rect>`,
    );
    out.push(`<text x="${Math.round(10 * (Math.max(from, to) + 4)) / 10}" y="${y + BAR - 4}">${esc(formatRatio(r.ratio))}</text>`);
  });
  out.push(
    `<text x="${LABEL}" y="${height - 2}" fill="#555">${esc("ratio to each row's baseline (log scale; the baseline is named in the .md table)")}</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
