/**
 * The HTTP endpoint of a long-running process: `/metrics` (a prom-client registry in the text
 * format), `/healthz` (the process answers: 200) and `/readyz` (200 when its readiness check passes,
 * else 503 with the reason), bound to 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { KernelInputError, describeValue } from '../errors.js';

/** What serveMetrics() needs of a registry (prom-client's Registry has it). */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** A readiness check: true (ready), or the reason it is not (a string), or false. */
export type Readiness = () => true | false | string | Promise<true | false | string>;

/** Options of serveMetrics(). */
export interface MetricsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** `/readyz`: without it, ready as soon as it listens. */
  ready?: Readiness;
  /** More GET paths served beside these (the gateway's page at `/`). */
  routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>>;
  /** Handles HTTP upgrades (the gateway's WebSocket); without it they are refused. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** `http://host:port/metrics`. */
  url: string;
  /** `http://host:port` (the health endpoints are `/healthz` and `/readyz` under it). */
  base: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `registry` in the Prometheus text format at `/metrics`, and `/healthz` and `/readyz`, on
 * `host` (default 127.0.0.1) and `port` (0 picks a free one).
 */
export async function serveMetrics(registry: MetricsRegistry, options: MetricsServerOptions): Promise<MetricsServer> {
  const { port, host = '127.0.0.1', ready, routes = {}, upgrade } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KernelInputError('options.port', 'an integer in [0, 65535]', describeValue(port));
  }
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...text, allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (error: unknown) => res.writeHead(500, text).end(`${String(error)}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, text).end('ok\n');
    } else if (path === '/readyz') {
      Promise.resolve()
        .then(() => (ready ? ready() : true))
        .then(
          (state) => {
            if (state === true) res.writeHead(200, text).end('ready\n');
            else res.writeHead(503, text).end(`not ready${typeof state === 'string' ? `: ${state}` : ''}\n`);
          },
          (error: unknown) => res.writeHead(503, text).end(`not ready: ${error instanceof Error ? error.message : String(error)}\n`),
        );
    } else if (path !== undefined && Object.hasOwn(routes, path)) {
      routes[path](req, res);
    } else {
      res.writeHead(404, text).end(`not found; try ${[...Object.keys(routes), '/metrics', '/healthz', '/readyz'].join(', ')}\n`);
    }
  });
  if (upgrade) server.on('upgrade', upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  return {
    port: bound,
    url: `${base}/metrics`,
    base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
