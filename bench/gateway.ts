/**
 * Gateway under load: `kernelbus demo --dashboard` (the whole demo pipeline at its default 200,000
 * trades/s: VPIN, risk and factor engines, and the gateway, in one process) watched by 200 WebSocket
 * clients subscribed to every served type, for 60 s. Reports the gateway's send latency (its
 * /metrics histogram over the run, and the median and worst of the per-second p99 its stats frames
 * give), whether it kept up (messages sent to clients against received x clients; coalesced, dropped),
 * the demo's achieved trade rate, and the demo process's RSS after 10 s and after 60 s (target: within
 * 20 %). The clients run in this process; one of them parses every frame, the others count bytes.
 * Run alone with `npx tsx bench/gateway.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import type { HistogramBuckets } from '../src/bus/histogram.js';
import { intervalQuantile } from '../src/gateway/stats.js';
import { median, withRatios, type BenchRow, type BenchSection } from './lib.js';

const CLIENTS = 200;
const SECONDS = 60;
const RATE = 200_000;
const BIN = fileURLToPath(new URL('../bin/kernelbus.js', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** A Prometheus text exposition's unlabelled sample `name` (NaN when absent). */
function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} ([-+0-9.e]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** The buckets of an unlabelled histogram `name` in a Prometheus text exposition (seconds). */
function histogram(text: string, name: string): HistogramBuckets {
  const bounds: number[] = [];
  const cumulative: number[] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    if (m[1] === '+Inf') continue;
    bounds.push(Number(m[1]));
    cumulative.push(Number(m[2]));
  }
  return { bounds, cumulative, count: sample(text, `${name}_count`), sum: sample(text, `${name}_sum`) };
}

/** Runs the demo with the dashboard and the clients; returns the rows. */
async function measure(): Promise<BenchRow[]> {
  // The built CLI when there is one (as a user runs it), else the sources through tsx.
  const args = ['demo', '--dashboard', '0', '--rate', String(RATE), '--seconds', String(SECONDS + 8)];
  const built = existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));
  const child = built
    ? spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(
        process.execPath,
        ['--import', 'tsx', '-e', `import(${JSON.stringify(pathToFileURL(CLI_SOURCE).href)}).then((m) => m.main(${JSON.stringify(args)}))`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
  let out = '';
  const page = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^dashboard: (http:\/\/\S+\/) /m.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`demo exited (${code}) before serving the dashboard:\n${out}`)));
  });
  const metrics = async () => await (await fetch(`${page}metrics`)).text();
  const ws = `${page.replace('http', 'ws')}ws`;
  let bytes = 0;
  const perSecondP99: number[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const socket = new WebSocket(ws);
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ subscribe: '*', stats: i === 0 }));
    socket.on('message', (data: Buffer) => {
      bytes += data.length;
      if (i !== 0) return;
      const f = JSON.parse(data.toString()) as { frame: string; gateway?: { sendLatencyMs: { p99: number | null } } };
      if (f.frame === 'stats' && f.gateway?.sendLatencyMs.p99 != null) perSecondP99.push(f.gateway.sendLatencyMs.p99);
    });
  }
  const t0 = performance.now();
  const first = await metrics();
  // RSS and V8 heap in use every 10 s: a bounded gateway levels off.
  const samples: { rss: number; heap: number }[] = [];
  const texts: string[] = [];
  for (let k = 1; k <= SECONDS / 10; k++) {
    await new Promise((resolve) => setTimeout(resolve, t0 + k * 10_000 - performance.now()));
    const text = await metrics();
    texts.push(text);
    samples.push({
      rss: sample(text, 'process_resident_memory_bytes') / 2 ** 20,
      heap: sample(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    });
  }
  const at60 = texts[texts.length - 1];
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sockets) s.terminate();
  await new Promise((resolve) => child.once('exit', resolve));

  const send = histogram(at60, 'kernelbus_gateway_send_latency_seconds');
  const sendBefore = histogram(first, 'kernelbus_gateway_send_latency_seconds');
  const received = sample(at60, 'kernelbus_gateway_messages_received_total') - sample(first, 'kernelbus_gateway_messages_received_total');
  const sent = sample(at60, 'kernelbus_gateway_messages_sent_total') - sample(first, 'kernelbus_gateway_messages_sent_total');
  const trades = sample(at60, 'kernelbus_bus_published_total') - sample(first, 'kernelbus_bus_published_total');
  const rss10 = samples[0].rss;
  const rss60 = samples[samples.length - 1].rss;
  const every10 = `every 10 s: RSS ${samples.map((x) => x.rss.toFixed(0)).join(', ')} MiB; V8 heap used ${samples.map((x) => x.heap.toFixed(0)).join(', ')} MiB`;
  const c = `200 clients x every served type, demo at ${RATE.toLocaleString('en-US')} trades/s, ${SECONDS} s`;
  const note = `messages the gateway received ${Math.round(received / seconds).toLocaleString('en-US')}/s; ${(bytes / seconds / 2 ** 20).toFixed(1)} MiB/s to the clients`;
  const rows: BenchRow[] = [
    {
      section: 'gateway',
      case: `send latency (ms), ${c}`,
      subject: 'p50 (run)',
      value: 1000 * intervalQuantile(0.5, send, sendBefore),
      unit: 'ms',
    },
    {
      section: 'gateway',
      case: `send latency (ms), ${c}`,
      subject: 'p99 (run)',
      value: 1000 * intervalQuantile(0.99, send, sendBefore),
      unit: 'ms',
      note,
    },
    { section: 'gateway', case: `send latency (ms), ${c}`, subject: 'p99 per second, median', value: median(perSecondP99), unit: 'ms' },
    { section: 'gateway', case: `send latency (ms), ${c}`, subject: 'p99 per second, worst', value: Math.max(...perSecondP99), unit: 'ms' },
    {
      section: 'gateway',
      case: `kept up, ${c}`,
      subject: 'messages sent / (received x clients)',
      value: sent / (received * CLIENTS),
      unit: 'x',
      note: `coalesced ${sample(at60, 'kernelbus_gateway_messages_coalesced_total')}, dropped ${sample(at60, 'kernelbus_gateway_messages_dropped_total')}, slow disconnects ${sample(at60, 'kernelbus_gateway_slow_disconnects_total')}`,
    },
    {
      section: 'gateway',
      case: `kept up, ${c}`,
      subject: 'demo trades published',
      value: trades / seconds,
      unit: 'trades/s',
      note: `target ${RATE.toLocaleString('en-US')}`,
    },
    { section: 'gateway', case: `demo process RSS (MiB), ${c}`, subject: 'after 10 s', value: rss10, unit: 'MiB' },
    {
      section: 'gateway',
      case: `demo process RSS (MiB), ${c}`,
      subject: 'after 60 s',
      value: rss60,
      unit: 'MiB',
      note: `target: within 20 % of after 10 s; ${every10}`,
    },
  ];
  return withRatios(rows, 'after 10 s');
}

export const gatewaySection: BenchSection = { name: 'gateway', run: measure };

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.table(await measure());
