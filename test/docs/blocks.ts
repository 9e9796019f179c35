/**
 * The code of README.md and docs/*.md as the docs tests read it: fenced blocks with their language,
 * line and the `<!-- doctest: ... -->` comment right before the fence (hidden from readers), and the
 * `kernelbus` command lines of the shell blocks.
 *
 * A doctest comment holds space-separated words:
 * - `prelude=<name>`: test/docs/preludes/<name>.ts goes before the block (data or setup it needs);
 * - `typecheck-only`: type-checked, not run (it needs a server: run by the Redis e2e tests, or a browser);
 * - `dom`: type-checked with the DOM library (code for a browser page).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** A fenced code block of a doc. */
export interface DocBlock {
  /** The doc, relative to the repository (README.md, docs/redis.md). */
  file: string;
  /** The line of the opening fence (1-based). */
  line: number;
  lang: string;
  code: string;
  /** The words of the doctest comment before the fence. */
  directives: string[];
}

/** README.md and every docs/*.md, relative to the repository. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

/** The fenced blocks of `file`. */
export function blocksOf(file: string): DocBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code block that is not closed`);
    const before = lines[i - 1] ?? '';
    const directive = /^<!-- doctest: (.*) -->$/.exec(before.trim());
    blocks.push({
      file,
      line: i + 1,
      lang: open[1],
      code: lines.slice(i + 1, end).join('\n'),
      directives: directive ? directive[1].split(/\s+/).filter(Boolean) : [],
    });
    i = end;
  }
  return blocks;
}

/** Every TypeScript or JavaScript block of the docs. */
export function codeBlocks(): DocBlock[] {
  return docFiles()
    .flatMap(blocksOf)
    .filter((b) => ['ts', 'js', 'typescript', 'javascript'].includes(b.lang));
}

/** The value of directive `name=value` of a block, or undefined. */
export function directive(block: DocBlock, name: string): string | undefined {
  return block.directives.find((d) => d.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** A `kernelbus` command line of a shell block. */
export interface CommandLine {
  file: string;
  line: number;
  /** The line as written. */
  text: string;
  /** It talks to a server (`--redis`): run by the Redis e2e tests. */
  redis: boolean;
}

/**
 * A line as the tests run it: the simulated market's demo (no --file, no --dashboard) for 2 s, not the
 * 10 s it is written with or defaults to. What the line is run for (it parses, every engine starts and
 * the run ends in its summary, exit 0) is the same; the four such lines took 40 s of CI at 10 s.
 */
export const shortDemo = (text: string): string =>
  !/\bkernelbus demo\b/.test(text) || /--(file|dashboard)\b/.test(text)
    ? text
    : /--seconds \d+/.test(text)
      ? text.replace(/--seconds \d+/, '--seconds 2')
      : text.replace(/\bkernelbus demo\b/, 'kernelbus demo --seconds 2');

/** Every line of the docs' shell blocks that runs `kernelbus` (or `npx kernelbus`). */
export function commandLines(): CommandLine[] {
  return docFiles().flatMap((file) =>
    blocksOf(file)
      .filter((b) => ['sh', 'bash', 'shell'].includes(b.lang))
      .flatMap((b) =>
        b.code
          .split('\n')
          .flatMap((text, i) =>
            /^\s*(npx )?kernelbus\s/.test(text) ? [{ file, line: b.line + 1 + i, text: text.trim(), redis: /--redis\b/.test(text) }] : [],
          ),
      ),
  );
}
