/**
 * The docs' Redis parts as written, against a real redis-server (test/docs/docs.test.ts runs the rest):
 * the README's `createBus({ redis: { url }, ... })` block under tsx (the transport registers there
 * as under node), and every `kernelbus ... --redis URL` line of README.md and docs/*.md, in order, from a
 * project holding the package, with the server's URL for the docs' placeholder addresses (and free ports
 * for fixed ones). Each shell block runs as a terminal session: a line that runs until stopped (an
 * engine, the gateway, one ending in `&`) in the background (the next line once it prints `ready`, 4 s
 * at most), the others in order, each exiting 0; at
 * the end the background ones get Ctrl-C and must exit 0. Lines for a Redis Cluster are left to
 * test/redis-cluster.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blocksOf, commandLines, directive, docFiles, ROOT, shortDemo } from '../docs/blocks.js';
import { removeProject, run, userProject } from '../docs/project.js';
import { client, closeAll, describeRedis, RedisServer } from '../helpers/redis.js';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * Fixed ports as free ones: the docs' --metrics-port and --port (and the gateway's default) would
 * collide with the other test files running at the same time.
 */
const portsFree = (text: string) => {
  const t = text.replace(/--(metrics-port|port) \d+/g, '--$1 0');
  return /kernelbus gateway\b/.test(t) && !/--port\b/.test(t) ? t.replace(/kernelbus gateway/, 'kernelbus gateway --port 0') : t;
};

/** A docs line with the test server's URL for the docs' example addresses (`redis://10.0.0.1:6379`, `URL`). */
const withUrl = (text: string, url: string) =>
  text.replace(/redis:\/\/(127\.0\.0\.1|10\.0\.0\.1):6379/g, url).replace(/--redis URL\b/g, `--redis ${url}`);

describeRedis('the docs over Redis', () => {
  let server: RedisServer;
  let url = '';
  let dir = '';
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
    dir = userProject();
  });
  afterAll(async () => {
    await closeAll();
    removeProject(dir);
    await server?.stop();
  });

  it("README's createBus({ redis: { url }, ... }) block runs under tsx: the engine gets ready, then closes", async () => {
    const block = blocksOf('README.md').find((b) => b.code.includes('createBus({ redis: { url:'));
    if (!block) throw new Error('README.md has no createBus({ redis: { url } }) block');
    const prelude = readFileSync(join(ROOT, 'test', 'docs', 'preludes', `${directive(block, 'prelude')}.ts`), 'utf8');
    const code = `${prelude}\n${withUrl(block.code, url)}\nawait engine.close();\nawait bus.close();\nconsole.log('closed');\n`;
    writeFileSync(join(dir, 'readme-redis.ts'), code);
    const r = await run(process.execPath, [TSX, 'readme-redis.ts'], dir, { timeoutMs: 60_000 });
    expect({ code: r.code, out: r.out.trim() }).toEqual({ code: 0, out: 'closed' });
  });

  // Each shell block as a terminal session: what runs until stopped (an engine, the gateway, a line
  // ending in `&`) in the background, the rest in order, each exiting 0; then Ctrl-C to the background.
  const blocks = docFiles()
    .flatMap(blocksOf)
    .filter((b) => ['sh', 'bash', 'shell'].includes(b.lang))
    .map((b) => ({
      b,
      lines: commandLines().filter((l) => l.redis && l.file === b.file && l.line > b.line && l.line <= b.line + b.code.split('\n').length),
    }))
    .filter(({ lines }) => lines.length > 0);
  it.each(blocks.map(({ b, lines }) => [`${b.file}:${b.line} (${lines.length} lines)`, lines] as const))(
    '%s',
    async (_, lines) => {
      // each block is a session of its own, as a reader runs it: a fresh Redis (a group's checkpoints
      // of another block's configuration would be refused, as they should be)
      const redis = client(url);
      await redis.flushall();
      const script = ['fail=0', 'pids=""'];
      for (const l of lines) {
        // a Redis Cluster's lines run in test/redis-cluster; a redrive of one entry id needs that dead letter (test/redis-e2e/replay-dlq.test.ts)
        if (/redis\+cluster:/.test(l.text) || /\b\d{13}-\d+\b/.test(l.text)) continue;
        const text = shortDemo(portsFree(withUrl(l.text, url)))
          .replace(/\s+#.*$/, '')
          .replace(/&\s*$/, '');
        if (/&\s*(#.*)?$/.test(l.text) || /kernelbus (engine|gateway)\b/.test(l.text)) {
          // in a process group of its own (setsid), so that Ctrl-C (SIGINT to the group) reaches npx's children too
          const quoted = `'${text.replaceAll("'", "'\\''")}'`;
          // then on once it says it is ready (engines and the gateway print a `ready` line), 4 s at most
          script.push(
            'n=$(echo "$pids" | wc -w)',
            `setsid sh -c ${quoted} > bg$$.$n.log 2>&1 &`,
            'pids="$pids $!"',
            'for i in $(seq 40); do grep -q ready bg$$.$n.log 2>/dev/null && break; sleep 0.1; done',
          );
        } else {
          script.push(`${text} > fg.log 2>&1 || { echo "FAILED ($?): ${l.file}:${l.line}"; tail -c 1500 fg.log; fail=1; }`);
        }
      }
      script.push(
        'for p in $pids; do /bin/kill -s INT -- -$p; done',
        // 20 s to stop after Ctrl-C, then SIGTERM (and a failure)
        'for i in $(seq 40); do alive=0; for p in $pids; do kill -0 $p 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.5; done',
        'for p in $pids; do kill -0 $p 2>/dev/null && { echo "background $p still running 20 s after Ctrl-C"; /bin/kill -s TERM -- -$p; fail=1; }; done',
        // 130: stopped by Ctrl-C, as a shell reports it (npx's exit after its child's SIGINT)
        'for p in $pids; do wait $p; c=$?; [ $c = 0 ] || [ $c = 130 ] || { echo "background $p exited $c"; fail=1; }; done',
      );
      script.push('[ $fail = 0 ] || cat bg*.log | tail -c 3000', 'exit $fail');
      const env = { PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}` };
      const r = await run('sh', ['-c', script.join('\n')], dir, { timeoutMs: 200_000, env });
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: '' });
    },
    240_000,
  );
});
