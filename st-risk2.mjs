import { kernels } from './dist/api/index.js';
import { readReturns } from './dist/io/index.js';
const r = await readReturns('/tmp/kernelbus-bench-io-v1/returns-2520x500.csv');
const panel = r.returns;
const k = kernels({ backend: 'native' });
const sync = () => { k.performanceStats(panel, {}); for (const m of ['historical','gaussian','cornish-fisher']) k.valueAtRisk(panel, { method: m }); };
const par = () => Promise.all([k.performanceStatsAsync(panel, {}), ...['historical','gaussian','cornish-fisher'].map((m) => k.valueAtRiskAsync(panel, { method: m }))]);
const res = { sync: [], par: [] };
for (let i = 0; i < 15; i++) {
  for (const [name, f] of i % 2 ? [['sync', sync], ['par', par]] : [['par', par], ['sync', sync]]) { const a = performance.now(); await f(); res[name].push(performance.now() - a); }
}
for (const [n, t] of Object.entries(res)) console.log(n, t.sort((a, b) => a - b)[7].toFixed(1));
