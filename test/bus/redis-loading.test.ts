/**
 * A server still loading its data when the transport connects: Redis restarted with appendonly (or an
 * RDB) answers every command `-LOADING` until its data is read back. The transport confirms a new
 * connection with a PING (ioredis's own ready check is off: options.ts); that PING answered LOADING is
 * sent again until answered. Before, the connection stayed unconfirmed, so not ready, until the next
 * reconnect, which never came: an engine said Redis "stopped answering" and /readyz 503 for good
 * (seen in CI, test/redis-e2e/outages.test.ts 'killed and restarted', and reproduced with a 160 MB
 * AOF). A stand-in server that speaks just enough RESP makes the loading phase exact here.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { RedisTransport } from '../../src/bus/transports/redis/index.js';

/** The command names in `data` (RESP arrays of bulk strings), and the bytes left over from an incomplete one. */
function commands(data: string): { names: string[]; rest: string } {
  const names: string[] = [];
  let at = 0;
  for (;;) {
    const head = /^\*(\d+)\r\n/.exec(data.slice(at));
    if (!head) break;
    let p = at + head[0].length;
    const args: string[] = [];
    for (let i = 0; i < Number(head[1]); i++) {
      const bulk = /^\$(\d+)\r\n/.exec(data.slice(p));
      if (!bulk || data.length < p + bulk[0].length + Number(bulk[1]) + 2) return { names, rest: data.slice(at) };
      args.push(data.slice(p + bulk[0].length, p + bulk[0].length + Number(bulk[1])));
      p += bulk[0].length + Number(bulk[1]) + 2;
    }
    names.push(args[0].toUpperCase());
    at = p;
  }
  return { names, rest: data.slice(at) };
}

/**
 * A stand-in server: each PING answered `ping(n)` (n: the PINGs so far, from 1), CLIENT and QUIT `+OK`,
 * anything else an error; `pings()` counts the PINGs.
 */
function standIn(ping: (n: number) => string): Promise<{ server: Server; url: string; pings: () => number }> {
  let pings = 0;
  const server = createServer((socket: Socket) => {
    let buffered = '';
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      const { names, rest } = commands(buffered + chunk);
      buffered = rest;
      for (const name of names) {
        if (name === 'PING') socket.write(ping(++pings));
        else if (name === 'CLIENT' || name === 'QUIT') socket.write('+OK\r\n');
        else socket.write(`-ERR unknown command '${name}'\r\n`);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `redis://127.0.0.1:${port}`, pings: () => pings });
    }),
  );
}

const open: { transport: RedisTransport; server: Server }[] = [];
afterEach(async () => {
  for (const { transport, server } of open.splice(0)) {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

it('a server answering LOADING at connect: the confirming PING is sent again, and the transport is ready once loaded', async () => {
  const { server, url, pings } = await standIn((n) => (n <= 5 ? '-LOADING Redis is loading the dataset in memory\r\n' : '+PONG\r\n'));
  const transport = new RedisTransport({ url });
  open.push({ transport, server });
  const started = performance.now();
  await transport.ready(5000);
  // the 5 PINGs refused, then the one answered (100 ms apart: about half a second)
  expect(pings()).toBe(6);
  expect(performance.now() - started).toBeLessThan(3000);
  expect(transport.healthy).toBe(true);
});

it('a refusal that is not transient is not asked again: ready() times out naming it', async () => {
  const { server, url, pings } = await standIn(() => '-ERR not today\r\n');
  const transport = new RedisTransport({ url });
  open.push({ transport, server });
  await expect(transport.ready(600)).rejects.toThrow(/not connected within 600 ms .*not today/); // the wait asked, not publishTimeoutMs (2000)
  expect(pings()).toBe(1);
  expect(transport.healthy).toBe(false);
});
