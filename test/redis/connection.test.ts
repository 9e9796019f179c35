/** Connection options against real redis-servers: ACL credentials (and keeping them secret), TLS, db. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { VpinEngine } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { RedisTransport, TransportError } from '../../src/bus/transports/redis/index.js';
import { client, closeAll, expectNoOpenHandles, transport, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { seqs, tradeEntry } from './helpers.js';

const USER = 'kb-engine';
const PASSWORD = 's3cret-Passw0rd!';
const WRONG = 'wr0ng-Passw0rd#';

/** True when openssl is on PATH (to make a CA and a server certificate for the TLS test). */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describeRedis('RedisTransport connection options', () => {
  const servers: RedisServer[] = [];
  const dirs: string[] = [];
  afterEach(closeAll);
  afterAll(async () => {
    await closeAll();
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await expectNoOpenHandles();
  });

  it('a user without INFO permission (ACL +@all -@dangerous) gets no warning from ioredis: its ready check is off', async () => {
    const server = await RedisServer.start({
      args: ['--user', 'default', 'off', '--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all', '-@dangerous'],
    });
    servers.push(server);
    const warned: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      const logs: string[] = [];
      const limited = transport(server.url({ username: USER, password: PASSWORD }), { log: (line) => logs.push(line) });
      const got: number[] = [];
      limited.subscribe('s', 'g', 'c', (e) => void got.push(...seqs(e)));
      await limited.publish('s', [tradeEntry('k', 0), tradeEntry('k', 1)]);
      await limited.idle();
      expect(got).toEqual([0, 1]);
      expect(logs.filter((l) => /ready check|INFO/.test(l))).toEqual([]);
    } finally {
      console.warn = warn;
    }
    expect(warned.filter((args) => /ready check/.test(String(args[0])))).toEqual([]);
  });

  it('ACL username/password from the URL work; a wrong password gives a clear typed error, and no credential appears in errors or logs', async () => {
    const server = await RedisServer.start({
      args: ['--user', 'default', 'off', '--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'],
    });
    servers.push(server);
    const good = transport(server.url({ username: USER, password: PASSWORD }));
    const got: number[] = [];
    good.subscribe('s', 'g', 'c', (e) => void got.push(...seqs(e)));
    await good.publish('s', [tradeEntry('k', 0), tradeEntry('k', 1)]);
    await good.idle();
    expect(got).toEqual([0, 1]);

    const logs: string[] = [];
    const bad = transport(server.url({ username: USER, password: WRONG }), { log: (line) => logs.push(line) });
    const error = await bad.ready(2000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'auth', retryable: false, target: `redis://127.0.0.1:${server.port}/0` });
    expect((error as Error).message).toBe(
      `redis://127.0.0.1:${server.port}/0: authentication failed: WRONGPASS invalid username-password pair or user is disabled.`,
    );
    const published = await bad.publish('s', [tradeEntry('k', 2)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(published).toMatchObject({ name: 'TransportError', code: 'auth' });
    const anonymous = transport(server.url());
    await expect(anonymous.ready(2000)).rejects.toThrow(/authentication failed: NOAUTH/);

    await until(() => logs.length > 0, 'a log line');
    const everything = [
      ...logs,
      inspect(error, { depth: 10, showHidden: true }),
      inspect(published, { depth: 10, showHidden: true }),
      JSON.stringify(error),
      (error as Error).stack ?? '',
      inspect(bad.metrics()),
    ].join('\n');
    for (const secret of [WRONG, PASSWORD, encodeURIComponent(WRONG), encodeURIComponent(PASSWORD), USER])
      expect(everything).not.toContain(secret);
  });

  it('a URL that does not parse is refused without echoing it (it may hold a password)', () => {
    let error: unknown;
    try {
      new RedisTransport({ url: `redis://${USER}:${PASSWORD}@bad host:port` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelInputError);
    expect(inspect(error)).not.toContain(PASSWORD);
    expect(() => new RedisTransport({ url: 'http://127.0.0.1:6379' })).toThrow(
      'options.url: expected a redis://, rediss:// or unix:// URL, got protocol http:',
    );
  });

  it('unix:///path?db=N: a server by its Unix socket, the database from ?db; credentials kept out of the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-sock-'));
    dirs.push(dir);
    const socket = join(dir, 'redis.sock');
    const server = await RedisServer.start({ args: ['--unixsocket', socket, '--unixsocketperm', '700'] });
    servers.push(server);
    const t = transport(`unix://${socket}?db=3`, { prefix: 'kb:sock:' });
    expect(t.target).toBe(`unix://${socket}?db=3`);
    await t.publish('s', [tradeEntry('k', 0), tradeEntry('k', 1)]);
    // stored in database 3 of that server (read over TCP), not in 0
    expect(await client(`${server.url()}/3`).xlen(t.streamKey('s'))).toBe(2);
    expect(await client(server.url()).exists(t.streamKey('s'))).toBe(0);
    // the socket's connection is the one the server sees (CLIENT LIST: addr of a Unix socket is /path:0)
    const clients = await client(server.url()).client('LIST');
    expect(String(clients)).toMatch(new RegExp(`addr=${socket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:0 .*name=kernelbus-`));
    const withUser = new RedisTransport({ url: `unix://${USER}:${encodeURIComponent(PASSWORD)}@localhost${socket}` });
    expect(withUser.target).toBe(`unix://${socket}?db=0`);
  });

  it('console.log / util.inspect of a transport, and of a bus on it, show no credential of its URL', async () => {
    const url = `redis://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/2`;
    const t = new RedisTransport({ url, prefix: 'kb:x:' });
    expect(inspect(t)).toBe('RedisTransport { name: "redis", target: "redis://127.0.0.1:1/2", prefix: "kb:x:" }');
    // the dialer holds the connection options and the secrets themselves (to clean logs of them)
    expect(inspect((t as unknown as { dialer: object }).dialer, { depth: 10, showHidden: true })).toBe(
      'Dialer { target: "redis://127.0.0.1:1/2" }',
    );
    const bus = createBus({ redis: { url } });
    const shown = inspect(bus, { depth: 10 });
    expect(shown).toContain('target: "redis://127.0.0.1:1/2"');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD)]) expect(shown).not.toContain(secret);
    await Promise.all([t.close(), bus.close()]);
  });

  it('util.inspect of a running engine (its checkpoint store, readers and subscriptions hold connections) shows no credential', async () => {
    const server = await RedisServer.start({
      args: ['--user', 'default', 'off', '--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'],
    });
    servers.push(server);
    const bus = createBus({ redis: { url: server.url({ username: USER, password: PASSWORD }) } });
    const engine = new VpinEngine(bus, { vpin: { bucketVolume: 100 }, backend: 'reference', heartbeatMs: 0, checkpointMs: 100 }).start();
    const sub = bus.subscribe('VPIN_CALCULATION', () => {}, { group: 'reader' });
    await engine.ready();
    for (const ts of [1, 2]) await bus.publish('TRADE_EXECUTION', { key: 'AAPL', ts, price: 10 + ts, volume: 60 });
    await until(() => engine.metrics().processed === 2, 'the engine to process the trades');
    await engine.checkpoint();
    const shown = [engine, sub, bus].map((held) => inspect(held, { depth: 12, showHidden: true }));
    // the engine's reaches its connections (its checkpoint store's): each shows its role and server
    expect(shown[0]).toMatch(/Redis \{ role: "[^"]+", target: "redis:\/\/127\.0\.0\.1:\d+\/0" \}/);
    for (const text of shown) for (const secret of [PASSWORD, encodeURIComponent(PASSWORD)]) expect(text).not.toContain(secret);
    await engine.stop();
    await bus.close();
  });

  it('unix:// URLs that name no socket on this machine, or a bad database, are refused naming the option', () => {
    const refused = (url: string) => () => new RedisTransport({ url });
    expect(refused('unix://10.0.0.1/tmp/r.sock')).toThrow(
      'options.url: expected unix:///path/to/redis.sock (a socket on this machine: no host), got host 10.0.0.1',
    );
    expect(refused('unix:///tmp/r.sock?db=x')).toThrow('options.url: expected a database number as ?db=N, got db=x');
    expect(refused('unix://')).toThrow('options.url: expected unix:///path/to/redis.sock, got no path');
    expect(() => new RedisTransport({ cluster: ['redis://127.0.0.1:7000', 'unix:///tmp/r.sock'] })).toThrow(
      'options.cluster[1]: expected a redis:// or rediss:// node (a cluster is reached over TCP), got a unix:// socket',
    );
  });

  it('the database from the URL path is used', async () => {
    const server = await RedisServer.start();
    servers.push(server);
    const t = transport(`${server.url()}/3`, { prefix: 'kb:db:' });
    expect(t.target).toBe(`redis://127.0.0.1:${server.port}/3`);
    await t.publish('s', [tradeEntry('k', 0)]);
    const redis = client(`${server.url()}/3`);
    expect(await redis.xlen(t.streamKey('s'))).toBe(1);
    expect(await client(server.url()).exists(t.streamKey('s'))).toBe(0);
  });

  it.skipIf(!hasOpenssl())('rediss:// (TLS) with a private CA passed through the ioredis options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-tls-'));
    dirs.push(dir);
    const f = (name: string) => join(dir, name);
    const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=kernelbus test CA',
    );
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    ssl(
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('server.crt'),
      '-days',
      '1',
      '-extfile',
      f('san.cnf'),
    );
    const server = await RedisServer.start({
      tls: true,
      args: [
        '--tls-cert-file',
        f('server.crt'),
        '--tls-key-file',
        f('server.key'),
        '--tls-ca-cert-file',
        f('ca.crt'),
        '--tls-auth-clients',
        'no',
      ],
    });
    servers.push(server);
    expect(server.url()).toMatch(/^rediss:/);
    const t = transport(server.url(), { redis: { tls: { ca: readFileSync(f('ca.crt')) } } });
    const got: number[] = [];
    t.subscribe('s', 'g', 'c', (e) => void got.push(...seqs(e)));
    await t.publish('s', [tradeEntry('k', 0)]);
    await t.idle();
    expect(got).toEqual([0]);
    expect(t.healthy).toBe(true);
    // Without the CA the certificate is rejected: a clear error, not a hang.
    const untrusted = transport(server.url(), { publishTimeoutMs: 500 });
    await expect(untrusted.ready()).rejects.toThrow(/not connected within 500 ms \(.*(certificate|self.signed)/i);
  });
});
