/** The bench charts (bench/chart.ts): one bar per row with a ratio, log scale, escaped text, valid SVG. */
import { describe, expect, it } from 'vitest';
import { sectionChart } from '../../bench/chart.js';
import type { SectionResults } from '../../bench/results.js';

const meta = { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', date: '2026-11-23T00:00:00Z' } as unknown as SectionResults['meta'];

describe('sectionChart', () => {
  it('draws a bar per row with a ratio, left of 1x below one and right above, and escapes names', () => {
    const svg = sectionChart({
      section: 'risk',
      meta,
      rows: [
        { section: 'risk', case: 'a <b> & c', subject: 'native', value: 1, unit: 'ms', ratio: 20, baseline: 'reference' },
        { section: 'risk', case: 'slow', subject: 'native', value: 1, unit: 'ms', ratio: 0.5, baseline: 'reference' },
        { section: 'risk', case: 'no ratio', subject: 'reference', value: 3, unit: 'ms' },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).toContain('a &lt;b&gt; &amp; c (native)');
    expect(svg).toContain('20.0x');
    expect(svg).toContain('fill="#d9822b"'); // the bar below 1x
    expect(svg).not.toContain('no ratio');
  });

  it('is empty for a section without ratios', () => {
    expect(sectionChart({ section: 'bus', meta, rows: [{ section: 'bus', case: 'x', subject: 'y', value: 1, unit: 'msg/s' }] })).toBe('');
  });
});
