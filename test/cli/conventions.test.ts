/**
 * The `kernelbus` command's conventions (clig.dev, issue 28), checked on real processes by exit code
 * and stream: --version, usage on stderr with exit 2, "did you mean", errors on stderr, CSV through
 * kernelbus/io (quoted fields, --delimiter, a BOM, stdin as '-', ragged rows refused with their line,
 * a quote inside an unquoted field read as text),
 * --json, backends as a table; and the help texts' Redis key names held to keys.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/bus/transports/redis/keys.js';
import { ENGINE_USAGE } from '../../src/cli/engine.js';
import { FEED_USAGE } from '../../src/cli/feed.js';
import { COMMANDS } from '../../src/cli/main.js';

const CLI = fileURLToPath(new URL('../redis-e2e/cli.ts', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kernelbus-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `kernelbus <args>` as a process: exit code, stdout, stderr. */
function kernelbus(
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KERNELBUS_BACKEND: 'reference', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end(stdin ?? '');
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('kernelbus conventions', () => {
  it('--version and -V print the version; no arguments: usage on stderr, exit 2; unknown command or flag: did you mean, exit 2', async () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    const [v, V, none, command, flagged, help] = await Promise.all([
      kernelbus(['--version']),
      kernelbus(['-V']),
      kernelbus([]),
      kernelbus(['vpn', 'x.csv']),
      kernelbus(['risk', join(EXAMPLES, 'returns.csv'), '--confidnce', '0.9']),
      kernelbus(['--help']),
    ]);
    expect(v).toEqual({ code: 0, out: `kernelbus ${version}\n`, err: '' });
    expect(V).toEqual(v);
    expect(none.code).toBe(2);
    expect(none.out).toBe('');
    expect(none.err).toMatch(/^Usage: kernelbus <command> \[options\]/);
    expect(command.code).toBe(2);
    expect(command.out).toBe('');
    expect(command.err).toMatch(/^kernelbus: unknown command 'vpn' \(did you mean vpin\?\)/);
    expect(flagged.code).toBe(2);
    expect(flagged.out).toBe('');
    expect(flagged.err).toMatch(
      /^kernelbus risk: unknown option '--confidnce' \(did you mean --confidence\?\)\nRun 'kernelbus risk --help'/,
    );
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: kernelbus/);
  });

  it('<command> --help prints the usage of every command (doctor included), its option descriptions in one column', async () => {
    const commands = COMMANDS.filter((c) => c !== 'help');
    const helps = await Promise.all(commands.map((c) => kernelbus([c, '--help'])));
    commands.forEach((command, i) => {
      const { code, out, err } = helps[i];
      expect({ command, code, err }).toEqual({ command, code: 0, err: '' });
      expect(out.startsWith(`Usage: kernelbus ${command}`), `${command} --help: ${out.slice(0, 80)}`).toBe(true);
      // the column where each option's description starts (a line `  --flag value  description`)
      const columns = new Set(
        out.split('\n').flatMap((line) => {
          const m = /^( {2}-\S+(?: \S+)?)( {2,})\S/.exec(line);
          return m ? [m[1].length + m[2].length] : [];
        }),
      );
      expect({ command, columns: [...columns].length <= 1 }).toEqual({ command, columns: true });
    });
  });

  it('errors go to stderr: a missing file (exit 1), a bad value (exit 2)', async () => {
    const [missing, bad, engine] = await Promise.all([
      kernelbus(['vpin', join(dir, 'nope.csv')]),
      kernelbus(['vpin', join(EXAMPLES, 'trades.csv'), '--window', 'x']),
      kernelbus(['engine', 'vpin']),
    ]);
    expect([missing.code, missing.out]).toEqual([1, '']);
    expect(missing.err).toMatch(/^kernelbus vpin: ENOENT/);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^kernelbus vpin: --window: expected a number, got "x"/);
    expect([engine.code, engine.out]).toEqual([2, '']);
    expect(engine.err).toMatch(/^kernelbus engine: --redis: expected a redis:\/\/host:port URL, got nothing/);
  });

  it('a port in use (demo --dashboard, demo --metrics-port): one line naming it, exit 1, no stack', async () => {
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const port = String((held.address() as AddressInfo).port);
    try {
      for (const flag of ['--dashboard', '--metrics-port']) {
        const r = await kernelbus(['demo', flag, port, '--seconds', '1']);
        expect([r.code, r.err]).toEqual([1, `kernelbus demo: 127.0.0.1:${port} is in use (port 0 picks a free one)\n`]);
      }
    } finally {
      held.close();
    }
  });

  it('a CSV row whose field count differs from the header is an error naming its line (exit 2): short, long, with quotes and line breaks', async () => {
    const ragged = file('ragged.csv', 'date,A,B\n2025-01-01,0.01,0.02\n2025-01-02,0.01\n2025-01-03,0.01,0.02,0.03\n');
    const long = file('long.csv', 'date,A,B\n2025-01-01,0.01,0.02\n"2025-01-02\nnote",0.01,0.02\n2025-01-03,0.01,0.02,0.03\n');
    const [short, longer, trades] = await Promise.all([
      kernelbus(['risk', ragged]),
      kernelbus(['risk', long]),
      kernelbus(['vpin', file('ragged-trades.csv', 'ts,price,volume\n1,100,5\n2,100\n')]),
    ]);
    expect([short.code, short.out]).toEqual([2, '']);
    expect(short.err).toBe(`kernelbus risk: ${ragged}:3:1: expected 3 fields (as the header), got 2\n`);
    expect([longer.code, longer.out]).toEqual([2, '']);
    expect(longer.err).toBe(`kernelbus risk: ${long}:5:1: expected 3 fields (as the header), got 4\n`);
    expect(trades.code).toBe(2);
    expect(trades.err).toMatch(/ragged-trades\.csv:3:1: expected 3 fields \(as the header\), got 2\n/);
  });

  it("CSV through kernelbus/io: quoted fields with commas, ';' as --delimiter, a BOM, '-' for stdin: the same results as the plain file", async () => {
    const plain = readFileSync(join(EXAMPLES, 'trades.csv'), 'utf8');
    const rows = plain.trim().split('\n');
    const quoted = file('quoted.csv', [`note,${rows[0]}`, ...rows.slice(1).map((r) => `"AAPL, Inc",${r}`)].join('\r\n'));
    const semicolons = file('semi.csv', `\uFEFF${rows.map((r) => r.replaceAll(',', ';')).join('\n')}\n`);
    const returns = readFileSync(join(EXAMPLES, 'returns.csv'), 'utf8');
    const results = await Promise.all([
      kernelbus(['vpin', join(EXAMPLES, 'trades.csv'), '--json', '--bucket-volume', '2000']),
      kernelbus(['vpin', quoted, '--json', '--bucket-volume', '2000']),
      kernelbus(['vpin', semicolons, '--delimiter', ';', '--json', '--bucket-volume', '2000']),
      kernelbus(['vpin', '-', '--json', '--bucket-volume', '2000'], plain),
      kernelbus(['risk', join(EXAMPLES, 'returns.csv'), '--json']),
      kernelbus(['risk', '-', '--json', '--delimiter', '\\t'], returns.replaceAll(',', '\t')),
    ]);
    for (const r of results) expect([r.code, r.err], r.out).toEqual([0, '']);
    const [base, q, s, stdin, risk, riskTab] = results.map((r) => JSON.parse(r.out));
    const same = ({ input: _, ms: __, read: ___, seconds: ____, ...rest }: Record<string, unknown>) => rest;
    expect(base.trades).toBe(rows.length - 1);
    expect(base.buckets).toBeGreaterThan(0);
    expect(base.backend).toBe('reference'); // KERNELBUS_BACKEND (reference here) is --backend's default
    for (const other of [q, s, stdin]) expect(same(other)).toEqual(same(base));
    expect(stdin.input).toBe('stdin');
    expect(risk.columns.map((c: { name: string }) => c.name)).toEqual(['EQUITY', 'BONDS', 'GOLD', 'CREDIT']);
    const fixed = ({ read: _, seconds: __, ...rest }: Record<string, unknown>) => rest;
    expect(fixed(riskTab)).toEqual(fixed(risk));
    expect(base.read).toEqual({
      format: 'csv',
      rows: rows.length - 1,
      skippedRows: 0,
      bytes: plain.length,
      timeUnits: { ts: { unit: 'ms', detected: true } },
      // the trade rule's report: --bad-trades fail (the default) found none
      badTrades: { policy: 'fail', count: 0, byReason: { ts: 0, order: 0, price: 0, volume: 0 } },
    });
    expect(s.read.bytes).toBe(plain.length + 3); // the BOM
  });

  it('a quote inside an unquoted field is text (issue 37); a bad field: its file:line:column, exit 2, no stack trace', async () => {
    const rows = readFileSync(join(EXAMPLES, 'trades.csv'), 'utf8').trim().split('\n');
    const said = file(
      'said.csv',
      [
        `${rows[0].replaceAll(',', ';')};note`,
        ...rows.slice(1).map((r, i) => `${r.replaceAll(',', ';')};${i % 2 ? 'say "hi", then go' : 'plain'}`),
      ].join('\n'),
    );
    const bad = file('bad-field.csv', 'ts,price,volume\n1,100,5\n2,1O0,5\n');
    const [base, quoted, broken, skipped] = await Promise.all([
      kernelbus(['vpin', join(EXAMPLES, 'trades.csv'), '--json', '--bucket-volume', '2000']),
      kernelbus(['vpin', said, '--delimiter', ';', '--json', '--bucket-volume', '2000']),
      kernelbus(['vpin', bad]),
      kernelbus(['vpin', bad, '--skip-bad-rows', '--json', '--bucket-volume', '1']),
    ]);
    expect([quoted.code, quoted.err]).toEqual([0, '']);
    expect(JSON.parse(quoted.out).buckets).toBe(JSON.parse(base.out).buckets);
    expect(JSON.parse(quoted.out).vpin).toEqual(JSON.parse(base.out).vpin);
    expect([broken.code, broken.out]).toEqual([2, '']);
    expect(broken.err).toBe(`kernelbus vpin: ${bad}:3:3: expected a number in column price, got "1O0"\n`);
    expect(skipped.code, skipped.err).toBe(0);
    expect(JSON.parse(skipped.out).read).toMatchObject({ rows: 1, skippedRows: 1 });
  });

  it('--backend given wins over KERNELBUS_BACKEND; a KERNELBUS_BACKEND the engines cannot take is a usage error naming it (exit 2)', async () => {
    const trades = join(EXAMPLES, 'trades.csv');
    const auto = await kernelbus(['vpin', trades, '--json', '--bucket-volume', '2000', '--backend', 'auto']);
    expect(auto.code, auto.err).toBe(0);
    expect(JSON.parse(auto.out).backend).toMatch(/^auto \((native|reference)\)$/);
    const bad = await kernelbus(['demo', '--seconds', '1'], undefined, { KERNELBUS_BACKEND: 'tfjs' });
    expect([bad.code, bad.err]).toEqual([2, `kernelbus demo: KERNELBUS_BACKEND: expected 'auto', 'native' or 'reference', got "tfjs"\n`]);
  });

  it('--json on factor; backends as a table by default and JSON with --json', async () => {
    const [factor, table, json] = await Promise.all([
      kernelbus(['factor', join(EXAMPLES, 'panel.csv'), '--json', '--momentum-window', '10', '--momentum-lag', '1']),
      kernelbus(['backends']),
      kernelbus(['backends', '--json']),
    ]);
    expect(factor.code, factor.err).toBe(0);
    const f = JSON.parse(factor.out);
    expect(f.factors.map((x: { name: string }) => x.name)).toContain('market');
    expect(f.fitted).toBeGreaterThan(0);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^backend\s+available\s+kernels\s+families\s+features \/ why not\nreference\s+yes\s+\d+/);
    const list = JSON.parse(json.out) as { name: string; available: boolean }[];
    expect(list.find((b) => b.name === 'reference')?.available).toBe(true);
  });

  it('the engine and feed help texts name the keys keys.ts makes (kb:{marketdata:<shard>}:TRADE_EXECUTION), never the old layout', () => {
    const keys = new RedisKeys('kb:');
    const pattern = (bus: string, type: string) => keys.stream(`${bus}:${type}:0`).replace(`{${bus}:0}`, `{${bus}:<shard>}`);
    expect(pattern('marketdata', 'TRADE_EXECUTION')).toBe('kb:{marketdata:<shard>}:TRADE_EXECUTION');
    for (const [bus, type] of [
      ['marketdata', 'TRADE_EXECUTION'],
      ['marketdata', 'RETURNS_UPDATE'],
      ['logic', 'PORTFOLIO_UPDATE'],
      ['marketdata', 'FACTOR_INPUT'],
    ])
      expect(ENGINE_USAGE).toContain(pattern(bus, type));
    expect(ENGINE_USAGE).toContain(keys.checkpointIndex('<group>'));
    expect(FEED_USAGE).toContain(pattern('marketdata', 'TRADE_EXECUTION'));
    for (const text of [ENGINE_USAGE, FEED_USAGE]) {
      // Every kb: key named in the text is of the current layout: a prefix, then a hash tag (the warm-up's
      // prefix, kb:warmup:<consumer>:, is a prefix before the same layout)
      for (const [key] of text.matchAll(/kb:\S+/g)) expect(key, key).toMatch(/^kb:(\{|warmup:<consumer>:,$)/);
    }
  });
});
