/** The Prometheus text format, parsed for the tests: samples by name and labels, types, histogram checks. */
import { expect } from 'vitest';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
  /** The value of the one sample of `name` whose labels include `labels` (undefined when none). */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` whose labels include `labels`. */
  all(name: string, labels?: Record<string, string>): Sample[];
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses an exposition; fails the test on a line that is not a comment, a sample or blank. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = LINE.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of m![2]?.matchAll(LABEL) ?? []) labels[k] = v.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const raw = m![3];
    samples.push({ name: m![1], labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  const matches = (s: Sample, name: string, labels: Record<string, string>) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    samples,
    types,
    all: (name, labels = {}) => samples.filter((s) => matches(s, name, labels)),
    value: (name, labels = {}) => samples.find((s) => matches(s, name, labels))?.value,
  };
}

/**
 * Checks every histogram of the exposition: buckets per label set ascending in `le` with counts
 * monotone, a +Inf bucket equal to `_count`, a `_sum`; and no `quantile` label anywhere (summaries of
 * prom-client's default metrics aside: there are none). Returns the histogram families seen.
 */
export function expectWellFormedHistograms(e: Exposition): string[] {
  expect(e.samples.some((s) => 'quantile' in s.labels)).toBe(false);
  const families = [...e.types].filter(([, type]) => type === 'histogram').map(([name]) => name);
  for (const family of families) {
    const series = new Map<string, Sample[]>();
    for (const s of e.all(`${family}_bucket`)) {
      const { le: _, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const labels = JSON.parse(key) as Record<string, string>;
      const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
      for (let i = 1; i < buckets.length; i++) {
        expect(les[i], `${family}${key} le ascending`).toBeGreaterThan(les[i - 1]);
        expect(buckets[i].value, `${family}${key} buckets monotone`).toBeGreaterThanOrEqual(buckets[i - 1].value);
      }
      expect(les[les.length - 1]).toBe(Infinity);
      const count = e.value(`${family}_count`, labels);
      expect(count, `${family}${key}_count`).toBe(buckets[buckets.length - 1].value);
      expect(e.value(`${family}_sum`, labels)).toBeGreaterThanOrEqual(0);
    }
  }
  return families;
}

/** GETs `url`: status and body. */
export async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
