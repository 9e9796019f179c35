/**
 * A project as a user has it after `npm install kernelbus`: node_modules/kernelbus (a link to this
 * repository, dist/ as built), `npx kernelbus` working, and the package's examples copied in
 * (`cp -r node_modules/kernelbus/examples .`: the files package.json ships). The docs tests write the
 * doc blocks there, type-check them with this repository's TypeScript and run them with tsx.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './blocks.js';

/** The example files the package ships (package.json `files`: examples/*.<ext>). */
export function shippedExamples(): string[] {
  const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const exts = files.flatMap((f) => /^examples\/\*\.(\w+)$/.exec(f)?.[1] ?? []);
  return readdirSync(join(ROOT, 'examples')).filter((f) => exts.some((e) => f.endsWith(`.${e}`)));
}

/** Creates the project; throws when dist/ is not built. */
export function userProject(): string {
  if (!existsSync(join(ROOT, 'dist', 'index.d.ts'))) throw new Error('dist/ is not built: npm run build:ts');
  const dir = mkdtempSync(join(tmpdir(), 'kernelbus-docs-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'docs-user', private: true, type: 'module' }));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'kernelbus'));
  symlinkSync(join(ROOT, 'bin', 'kernelbus.js'), join(dir, 'node_modules', '.bin', 'kernelbus'));
  mkdirSync(join(dir, 'examples'));
  for (const f of shippedExamples()) cpSync(join(ROOT, 'examples', f), join(dir, 'examples', f));
  return dir;
}

/** Removes the project. */
export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** What a process did. */
export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/**
 * Runs `command` with `args` in `cwd` (stdout and stderr together) in a process group of its own; kills
 * the group (SIGTERM) after `timeoutMs`. `until`: a test on the output so far that, once true, sends the
 * group SIGINT `interruptAfterMs` later (default 3 s), as Ctrl-C in a terminal does (a command that
 * runs until interrupted).
 */
export function run(
  command: string,
  args: string[],
  cwd: string,
  options: { timeoutMs?: number; until?: (out: string) => boolean; interruptAfterMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const signal = (s: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, s);
      } catch {
        // the group is gone
      }
    };
    let out = '';
    let interrupted = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!interrupted && options.until?.(out)) {
        interrupted = true;
        // as a user would: a moment after it is up
        setTimeout(() => signal('SIGINT'), options.interruptAfterMs ?? 3000);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => signal('SIGTERM'), options.timeoutMs ?? 120_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}
