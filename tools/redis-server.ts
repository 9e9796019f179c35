/**
 * A redis-server for the tests and the bench: started from PATH on a free 127.0.0.1 port with a
 * temporary dir, stopped by its PID (never by name). Plain Node, no vitest: the Redis test fixture
 * (test/helpers/redis.ts, which decides when the suites are skipped) and bench/redis.ts both import it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Path of redis-server on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, 'redis-server');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** redis-server from PATH, if installed. */
export const REDIS_SERVER = findRedisServer();

/**
 * Ports are picked below Linux's ephemeral range (32768-60999, where the OS puts every outgoing
 * connection's local port), so a client socket of this or another test process never takes one between
 * its pick and the server's bind; the test workers running beside each other pick at random in it, and a
 * server whose port was taken all the same starts again on new ones (RedisServer.start).
 */
const PORTS_FROM = 16384;
const PORTS_TO = 32768;

/** True when `port` can be bound on 127.0.0.1 now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1, below the ephemeral range (see PORTS_FROM). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const port = PORTS_FROM + Math.floor(Math.random() * (PORTS_TO - PORTS_FROM));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${PORTS_FROM}-${PORTS_TO - 1} on 127.0.0.1`);
}

/** Options of RedisServer.start(). */
export interface RedisServerOptions {
  /** appendonly yes with appendfsync always (durable across a kill); default: no persistence at all. */
  appendonly?: boolean;
  /** Extra redis-server arguments, e.g. ACL users or TLS settings. */
  args?: string[];
  /** Serve TLS only on this port (the plain port is disabled); args must hold the certificate options. */
  tls?: boolean;
  /** A Redis Cluster node: a free cluster-bus port of its own too (`--cluster-port`, RedisServer.busPort). */
  clusterBus?: boolean;
}

/** One redis-server process. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    /** 127.0.0.1 port it listens on (TLS port when started with tls). */
    readonly port: number,
    /** Its working dir (AOF files): removed by stop(). */
    readonly dir: string,
    private readonly options: RedisServerOptions,
    /** Its cluster-bus port (options.clusterBus), else undefined. */
    readonly busPort: number | undefined,
  ) {}

  /**
   * Starts a server on a free port (and bus port) with a new temporary dir and waits until it answers;
   * again on new ports when one was taken between its pick and the bind (up to 5 times).
   */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const busPort = options.clusterBus ? await freePort() : undefined;
      const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'kb-redis-')), options, busPort);
      try {
        await server.launch();
        return server;
      } catch (error) {
        rmSync(server.dir, { recursive: true, force: true });
        if (!/Address already in use/.test(String(error)) || attempt === 5) throw error;
      }
    }
  }

  /** `redis://127.0.0.1:<port>` (or rediss://), with credentials when given. */
  url(auth?: { username?: string; password: string }): string {
    const scheme = this.options.tls ? 'rediss' : 'redis';
    const cred = auth ? `${encodeURIComponent(auth.username ?? '')}:${encodeURIComponent(auth.password)}@` : '';
    return `${scheme}://${cred}127.0.0.1:${this.port}`;
  }

  /** PID of the running process. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(): Promise<void> {
    const bin = REDIS_SERVER;
    if (!bin) throw new Error('redis-server not found on PATH (install it: apt-get install -y redis-server)');
    const persistence = this.options.appendonly
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
    const ports = this.options.tls ? ['--port', '0', '--tls-port', String(this.port)] : ['--port', String(this.port)];
    if (this.busPort !== undefined) ports.push('--cluster-port', String(this.busPort));
    const args = [...ports, '--bind', '127.0.0.1', '--dir', this.dir, '--daemonize', 'no', ...persistence, ...(this.options.args ?? [])];
    this.output = '';
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    child.stderr!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await this.answers())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        this.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${this.port}:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** True once the port answers (a plain PING gets +PONG or -NOAUTH; with TLS, the log says it is ready). */
  private answers(): Promise<boolean> {
    if (this.options.tls) return Promise.resolve(this.output.includes('Ready to accept connections'));
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => done(d.length > 0 && !d.toString().startsWith('-LOADING')));
    });
  }

  /** Sends a signal to the process by PID. */
  kill(signal: NodeJS.Signals): void {
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, signal);
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a network partition. */
  pause(): void {
    this.kill('SIGSTOP');
  }

  /** Resumes a paused process (SIGCONT). */
  resume(): void {
    this.kill('SIGCONT');
  }

  /** Stops the process (SIGTERM, graceful: the AOF is flushed; or SIGKILL) and waits for it to exit; the dir is kept. */
  async halt(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child) return;
    this.kill('SIGCONT');
    this.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  /** Starts it again on the same port and dir (after halt()). */
  async restart(): Promise<void> {
    await this.halt();
    await this.launch();
  }

  /** Stops it (SIGKILL when SIGTERM has no effect within 5 s) and removes its dir. */
  async stop(): Promise<void> {
    if (this.child) {
      const timer = setTimeout(() => this.kill('SIGKILL'), 5000);
      await this.halt('SIGTERM');
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
