/** A plain WebSocket client of the gateway for the tests: every frame it receives, parsed, and waits on them. */
import { WebSocket } from 'ws';

/** A frame the gateway sent. */
export type Frame = { frame: string; [field: string]: unknown };
/** A message inside a messages frame. */
export interface WireMessage {
  type: string;
  key: string;
  ts: number;
  bus: string;
  id: string;
  payload: Record<string, unknown>;
}

export class TestClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  /** Every message received, with the time it arrived (performance clock). */
  readonly messages: (WireMessage & { receivedAt: number })[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}) {
    this.socket = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      if (f.frame === 'messages') {
        const at = performance.now();
        for (const m of f.messages as WireMessage[]) this.messages.push({ ...m, receivedAt: at });
      }
    });
  }

  send(request: unknown): void {
    this.socket.send(typeof request === 'string' ? request : JSON.stringify(request));
  }

  /** The next frame (after the `after`-th) of kind `frame`. */
  async next(frame: string, after = 0, timeoutMs = 10_000): Promise<Frame> {
    const t0 = performance.now();
    for (;;) {
      const f = this.frames.slice(after).find((x) => x.frame === frame);
      if (f) return f;
      if (performance.now() - t0 > timeoutMs)
        throw new Error(`no ${frame} frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Sends a request and waits for its reply (subscribed, unsubscribed or error). */
  async request(request: Record<string, unknown> | string): Promise<Frame> {
    const n = this.frames.length;
    this.send(request);
    const t0 = performance.now();
    for (;;) {
      const f = this.frames.slice(n).find((x) => ['subscribed', 'unsubscribed', 'error'].includes(x.frame));
      if (f) return f;
      if (performance.now() - t0 > 10_000) throw new Error('no reply');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Waits until `test` holds (polling every 10 ms), failing after `timeoutMs` with `what`. */
export async function until(test: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const t0 = performance.now();
  while (!(await test())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
