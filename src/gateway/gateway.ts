/**
 * createGateway(bus, options): a bus subscriber that serves the bus's messages to WebSocket clients
 * (the `ws` package) and the live dashboard page, on one HTTP server: `/` (the page), `/ws` (the
 * WebSocket), `/metrics` (Prometheus: the gateway's own metrics and its bus's), `/healthz`, `/readyz`.
 * The protocol is ./protocol.ts (docs/gateway.md); each client's bounded queue and backpressure is
 * ./client.ts; the stats frame ./stats.ts. A message becomes JSON once and is queued for every client
 * that subscribed to its (type, key); queues are flushed every `flushMs`. The bus handler only
 * queues: a slow client never slows the bus or the other clients.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Bus, Subscription } from '../bus/bus.js';
import { capabilitiesOf } from '../bus/transports/types.js';
import { Histogram } from '../bus/histogram.js';
import type { BusMessage } from '../bus/messages.js';
import { type MetricsServer, serveMetrics } from '../ops/prometheus.js';
import { refusal, refuse } from './access.js';
import { CLOSE_SLOW, Client } from './client.js';
import { type GatewayMetrics, gatewayRegistry } from './metrics.js';

export type { GatewayMetrics } from './metrics.js';
import { controlFrame, errorFrame, messageJson, messagesFrame, parseRequest, PROTOCOL_VERSION, RequestError } from './protocol.js';
import { type GatewayOptions, resolveOptions } from './options.js';
import { dashboardPage } from './page.js';
import { History } from './history.js';
import { Stats } from './stats.js';

export { GATEWAY_TYPES, type GatewayOptions } from './options.js';

/** The last frame built in a flush, with the queue it was built from. */
interface FrameCache {
  parts: readonly string[];
  frame: Buffer | undefined;
}

/** Whether two queues hold the same strings (the same objects: a message's JSON is made once). */
function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A running gateway. */
export interface Gateway {
  /** The bound port. */
  readonly port: number;
  /** `http://host:port/` (the page). */
  readonly url: string;
  /** `ws://host:port/ws`. */
  readonly wsUrl: string;
  metrics(): GatewayMetrics;
  /** Bus delivery to the socket accepting the frame, per message sent (ms). */
  sendLatency(): Histogram;
  /** Closes every client (1001), the subscriptions (their groups deleted) and the server; leaves the bus open. */
  close(): Promise<void>;
}

/**
 * Starts a gateway on `bus`: subscribes to the served types (its own consumer group per type, deleted
 * when it closes; over Redis it starts from the messages appended from now on) and listens. Resolves
 * once listening.
 */
export async function createGateway(bus: Bus, options: GatewayOptions = {}): Promise<Gateway> {
  const { port, host, token, origins, types, lastValues, history, flushMs, statsMs, maxClients, limits } = resolveOptions(options);
  const page = dashboardPage();

  const clients = new Set<Client>();
  const counts: Omit<GatewayMetrics, 'clients'> = {
    received: 0,
    sent: 0,
    frames: 0,
    coalesced: 0,
    dropped: 0,
    slowDisconnects: 0,
    refused: { token: 0, origin: 0, full: 0 },
    badRequests: 0,
  };
  const receivedPerBus: Record<string, number> = {};
  const sendLatency = new Histogram(0.001);
  /** type -> key -> the last message's JSON, in update order (oldest first). */
  const last = new Map<string, Map<string, string>>(types.map((t) => [t, new Map()]));
  const kept = new History(history);

  // Over a transport that keeps history (Redis) the gateway's groups start at the newest entry, and
  // their names are its own (two gateways on one Redis each get every message); they go when it closes.
  const durable = bus.buses.every((b) => capabilitiesOf(bus.transport(b)).durableOffsets);
  const group = `gateway.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
  let timer: NodeJS.Timeout | undefined;
  const onMessage = (m: BusMessage) => {
    counts.received++;
    receivedPerBus[m.bus] = (receivedPerBus[m.bus] ?? 0) + 1;
    const json = messageJson(m);
    const values = last.get(m.type)!;
    values.delete(m.key);
    values.set(m.key, json);
    if (values.size > lastValues) values.delete(values.keys().next().value!);
    kept.add(m.type, m.key, json);
    const at = performance.now();
    const pair = `${m.type}\u0000${m.key}`;
    for (const c of clients) {
      if (c.closed || !c.wants(m.type, m.key)) continue;
      // A full queue is sent at once (or, congested, coalesced) rather than waiting for the timer.
      if (c.queued >= limits.maxQueue) sendQueue(c, at);
      if (c.closed) continue;
      const r = c.enqueue(json, pair, at);
      if (r < 0) disconnectSlow(c, `more than ${limits.maxQueue} distinct (type, key) pairs queued`);
      else counts.coalesced += r;
    }
    timer ??= setTimeout(flush, flushMs);
  };
  const subscriptions: Subscription[] = types.map((type) =>
    bus.subscribe(type, onMessage, durable ? { group: `${group}.${type}`, consumer: 'gateway', from: 'last', temporary: true } : {}),
  );

  /** Sends every client's queue that its socket can take; congested clients keep theirs, coalesced. */
  function flush(): void {
    timer = undefined;
    const now = performance.now();
    let waiting = false;
    // Clients subscribed alike have queues of the very same strings: their frame is built and encoded once.
    const shared: FrameCache = { parts: [], frame: undefined };
    for (const c of clients) if (!c.closed && c.queued > 0 && !sendQueue(c, now, shared)) waiting = true;
    // A congested client is looked at again until its socket drains (or it is disconnected).
    if (waiting) timer ??= setTimeout(flush, Math.max(flushMs, 50));
  }

  /** Sends a client's queue as one frame if its socket can take it; false when it is congested (and still connected). */
  function sendQueue(c: Client, now: number, shared: FrameCache = { parts: [], frame: undefined }): boolean {
    const state = c.writable(now);
    counts.coalesced += state.coalesced;
    if (state.stalled) {
      disconnectSlow(c, `congested for more than ${limits.maxStallMs} ms`);
      return true;
    }
    if (!state.ok) return false;
    const { parts, arrivals } = c.take();
    if (!(shared.frame && sameParts(parts, shared.parts))) {
      shared.parts = parts;
      shared.frame = Buffer.from(messagesFrame(parts));
    }
    counts.sent += parts.length;
    counts.frames++;
    c.socket.send(shared.frame, { binary: false }, (error) => {
      if (error) return;
      const done = performance.now();
      for (const a of arrivals) sendLatency.record(done - a);
    });
    return true;
  }

  function disconnectSlow(c: Client, why: string): void {
    if (c.closed) return;
    c.closed = true;
    counts.slowDisconnects++;
    counts.dropped += c.take().parts.length;
    clients.delete(c);
    c.socket.close(CLOSE_SLOW, `slow consumer: ${why}`.slice(0, 120));
    // A client that reads nothing never answers the close handshake.
    setTimeout(() => c.socket.terminate(), 1000).unref();
  }

  const metrics = (): GatewayMetrics => ({ clients: clients.size, ...counts, refused: { ...counts.refused } });
  const stats = new Stats({
    published: () => Object.fromEntries(Object.entries(bus.metrics().buses).map(([name, lane]) => [name, lane.messages])),
    received: () => receivedPerBus,
    latency: () => bus.histograms().deliveryLatencyMs,
    sendLatency: () => sendLatency.buckets(),
    gateway: () => {
      const m = metrics();
      return {
        clients: m.clients,
        received: m.received,
        sent: m.sent,
        coalesced: m.coalesced,
        dropped: m.dropped,
        slowDisconnects: m.slowDisconnects,
      };
    },
    groups: options.lag,
  });
  const statsTimer = setInterval(() => {
    const listeners = [...clients].filter((c) => c.stats && !c.closed);
    const frame = stats.tick();
    kept.addStats(frame);
    if (listeners.length === 0) return;
    const text = controlFrame('stats', frame as unknown as Record<string, unknown>);
    for (const c of listeners) if (c.socket.bufferedAmount < limits.highWaterBytes) c.socket.send(text);
  }, statsMs);
  statsTimer.unref();

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  wss.on('connection', (socket: WebSocket) => {
    const c = new Client(socket, limits);
    clients.add(c);
    socket.send(
      controlFrame('hello', { version: PROTOCOL_VERSION, types, buses: bus.buses, limits: { ...limits, lastValues, history, flushMs } }),
    );
    socket.on('message', (data, isBinary) => {
      if (c.closed) return;
      try {
        if (isBinary) throw new RequestError('frame', 'a text frame (JSON)', 'a binary frame');
        const req = parseRequest(data.toString(), types);
        c.update(req.subscribe, req.types, req.keys);
        if (req.stats !== undefined) c.stats = req.stats;
        const id = req.id === undefined ? {} : { id: req.id };
        socket.send(
          controlFrame(req.subscribe ? 'subscribed' : 'unsubscribed', { ...id, subscriptions: c.subscriptions(), stats: c.stats }),
        );
        if (req.history) {
          // the past first: the stats frames, then every kept message in the order it came
          socket.send(controlFrame('history', { stats: kept.stats() }));
          const parts = kept.select(req.types, req.keys);
          counts.sent += parts.length;
          socket.send(messagesFrame(parts, 'history'));
        }
        if (req.snapshot) {
          // the last values (those the history did not just send)
          const parts: string[] = [];
          for (const type of req.types) {
            for (const [key, json] of last.get(type)!) {
              if ((req.keys === undefined || req.keys.includes(key)) && !(req.history && kept.has(type, key))) parts.push(json);
            }
          }
          counts.sent += parts.length;
          socket.send(messagesFrame(parts, 'snapshot'));
        }
      } catch (error) {
        // A client's frame never takes the process down: anything unexpected is answered like a bad request.
        counts.badRequests++;
        socket.send(
          errorFrame(error instanceof RequestError ? error : new RequestError('frame', 'a request the gateway can handle', String(error))),
        );
      }
    });
    socket.on('close', () => {
      c.closed = true;
      clients.delete(c);
    });
    socket.on('error', () => undefined);
  });

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const no = refusal(req, { token, origins });
    if (no) {
      if (no.reason !== 'path') counts.refused[no.reason]++;
      return refuse(socket, no.status, no.text);
    }
    if (clients.size >= maxClients) {
      counts.refused.full++;
      return refuse(socket, 503, 'Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  const servePage = (_req: IncomingMessage, res: ServerResponse) => {
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
        'x-content-type-options': 'nosniff',
      })
      .end(page);
  };

  let server: MetricsServer;
  try {
    const registry = gatewayRegistry({ bus, metrics, sendLatency: () => sendLatency.buckets(), lag: options.lag, build: options.build });
    server = await serveMetrics(registry, {
      port,
      host,
      ready: options.ready,
      routes: { '/': servePage, '/index.html': servePage },
      upgrade,
    });
  } catch (error) {
    clearInterval(statsTimer);
    await Promise.all(subscriptions.map((s) => s.close()));
    throw error;
  }
  const base = server.base;
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    url: `${base}/`,
    wsUrl: `${base.replace(/^http/, 'ws')}/ws`,
    metrics,
    sendLatency: () => sendLatency,
    close: () =>
      (closing ??= (async () => {
        clearInterval(statsTimer);
        if (timer) clearTimeout(timer);
        for (const c of clients) {
          c.closed = true;
          c.socket.close(1001, 'gateway closing');
        }
        const sockets = [...wss.clients];
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        for (const s of sockets) s.terminate();
        clients.clear();
        await Promise.all(subscriptions.map((s) => s.close()));
        await server.close();
      })()),
  };
}
