/**
 * docs/grafana/kernelbus.json and docs/prometheus/alerts.yml (issue 28): every PromQL expression is
 * balanced and names only metrics the processes export (prometheusRegistry with every source an engine
 * or feed process gives it: a bus, engines, a Redis transport's counters, consumer-group lag, watched
 * figures, build info, the default process/nodejs metrics), or Prometheus's own `up`. promtool is not
 * in Debian's base image here: the expressions are parsed by hand (names, brackets).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { prometheusRegistry } from '../../src/ops/prometheus.js';
import { newCounters } from '../../src/bus/transports/redis/counters.js';
import { RiskEngine } from '../../src/engines/risk.js';
import { VpinEngine } from '../../src/engines/vpin.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The PromQL expressions of the dashboard (every panel's targets) and of the rules (each `expr:` line). */
function expressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const dashboard = JSON.parse(read('docs/grafana/kernelbus.json')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  for (const panel of dashboard.panels) for (const t of panel.targets ?? []) out.push({ where: `dashboard: ${panel.title}`, expr: t.expr });
  const rules = read('docs/prometheus/alerts.yml');
  let alert = '';
  for (const line of rules.split('\n')) {
    const a = /^\s*- alert: (\S+)/.exec(line);
    if (a) alert = a[1];
    const e = /^\s*expr: (.+)$/.exec(line);
    if (e) out.push({ where: `alert ${alert}`, expr: e[1].trim() });
  }
  return out;
}

/** The metric names a process exports: every family's name (histograms with _bucket, _sum, _count). */
async function exported(): Promise<Set<string>> {
  const bus = createBus();
  const vpin = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0 }).start();
  const risk = new RiskEngine(bus, { heartbeatMs: 0 }).start();
  const registry = prometheusRegistry({
    bus: {
      metrics: () => bus.metrics(),
      histograms: () => bus.histograms(),
      buses: bus.buses,
      transport: (b) => ({ name: `redis:${b}`, metrics: () => ({ ...newCounters(), backlog: 0, possibleLoss: false }) }),
    },
    engines: [vpin, risk],
    lag: async () => [
      {
        bus: 'marketdata',
        stream: 'marketdata:TRADE_EXECUTION:0',
        group: 'vpin',
        lag: 1,
        pending: 2,
        oldestPendingSeconds: 3,
        deadLetters: 4,
      },
    ],
    watched: () => ({
      vpin: [{ engine: 'vpin', symbol: 'AAPL', vpin: 0.3, cdf: 0.9 }],
      portfolios: [{ engine: 'risk', portfolio: 'p', historicalVar: 0.02, gaussianVar: 0.021, volatility: 0.01 }],
    }),
    build: { version: '0', backend: 'reference' },
  });
  const text = await registry.metrics();
  await vpin.close();
  await risk.close();
  await bus.close();
  const names = new Set<string>(['up']);
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

describe('dashboards and alerts', () => {
  it('every PromQL expression is balanced and names only exported metrics; every panel and alert has one', async () => {
    const names = await exported();
    const all = expressions();
    expect(all.length).toBeGreaterThan(25);
    const used = new Set<string>();
    for (const { where, expr } of all) {
      for (const [open, close] of ['()', '{}', '[]']) {
        expect(expr.split(open).length, `${where}: ${open}${close} balanced in ${expr}`).toBe(expr.split(close).length);
      }
      const metrics = [...expr.matchAll(/\b(?:kernelbus|process|nodejs)_[a-z0-9_]+|\bup(?=\{)/g)].map((m) => m[0]);
      expect(metrics.length, `${where}: names a metric`).toBeGreaterThan(0);
      for (const m of metrics) {
        expect(names.has(m), `${where}: ${m} is exported`).toBe(true);
        used.add(m);
      }
    }
    // What the issue asks the dashboard and the alerts to cover.
    for (const m of [
      'kernelbus_engine_processed_total',
      'kernelbus_engine_latency_seconds_bucket',
      'kernelbus_bus_delivery_latency_seconds_bucket',
      'kernelbus_consumer_group_lag',
      'kernelbus_consumer_group_pending',
      'kernelbus_dead_letters',
      'kernelbus_bus_possible_loss',
      'kernelbus_vpin_cdf',
      'kernelbus_portfolio_var',
      'up',
    ])
      expect(used.has(m), m).toBe(true);
    const alerts = read('docs/prometheus/alerts.yml');
    for (const alert of [
      'KernelbusProcessDown',
      'KernelbusConsumerLagGrowing',
      'KernelbusDeadLetters',
      'KernelbusEngineLatencyP99OverBudget',
      'KernelbusPossibleLoss',
    ])
      expect(alerts).toContain(`- alert: ${alert}`);
  });
});
