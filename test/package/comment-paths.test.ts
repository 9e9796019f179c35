/**
 * Every repository path named in a comment exists: a pointer such as `native/kernels/vpin.cpp`,
 * `src/index.ts:1`, `reference/portfolio/portfolio.ts` (from src/backends/) or `../helpers/imports.ts` in a comment
 * of src/, native/, bench/, scripts/ or test/ names a file (or folder) that is there, and a `:line`
 * suffix a line it has.
 *
 * A comment is a line that starts with `//`, `/*`, `*` (`#` in shell, Python and CMake), or the rest of a
 * line after ` // ` (` # `). A path is a token with a `/` whose first part names something in the
 * repository, read from the comment's folder, any folder above it (so `reference/portfolio/portfolio.ts` in
 * src/backends/native/ is src/backends/reference/portfolio/portfolio.ts) or src/ (`kernels/vpin/vpin.ts` anywhere);
 * `./` and `../` read from the comment's folder only. Bare file names, URLs, `owner/repo#123`, other
 * projects' paths (`pypfopt/base.py`: no such folder here), patterns (`bench/results/<section>.json`,
 * `test/**`) and built output (dist/, build/, prebuilds/, node_modules/) are left out. Two words joined
 * by a slash read as a path where the first names a folder here (write "native over reference", not
 * the two with a slash). A failure lists `file:line: path`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** The folders whose comments are read, and what is left out of them (vendored code, data). */
const SCANNED = ['src', 'native', 'bench', 'scripts', 'test'];
const SKIPPED = [
  'native/third_party',
  'test/fixtures',
  'bench/results',
  'test/docs/preludes',
  // this file: its examples are path-like on purpose
  'test/package/comment-paths.test.ts',
];
const SOURCE = /(\.(ts|mts|mjs|cjs|js|cpp|hpp|h|cc|mm|metal|sh|py)|CMakeLists\.txt)$/;
/** Files whose comments start with `#`. */
const HASH = /(\.(sh|py)|CMakeLists\.txt)$/;
/** Built or installed folders: a path into them names no file of the repository. */
const BUILT = new Set(['dist', 'build', 'prebuilds', 'node_modules', 'coverage']);

/** The source files under the scanned folders. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const rel = relative(root, path).split(sep).join('/');
    if (SKIPPED.includes(rel)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

/** The comment text of each line of a source (empty where the line has none), by the rules above. */
function commentLines(source: string, hash: boolean): string[] {
  return source.split('\n').map((line) => {
    const t = line.trimStart();
    if (hash) {
      if (t.startsWith('#!')) return '';
      if (t.startsWith('#')) return t;
      const at = line.indexOf(' # ');
      return at >= 0 ? line.slice(at) : '';
    }
    if (t.startsWith('//') || t.startsWith('/*') || t.startsWith('*')) return t;
    const at = line.indexOf(' // ');
    return at >= 0 ? line.slice(at) : '';
  });
}

/** The path-like tokens of a comment, with their `:line` suffix when there is one. */
function pathTokens(comment: string): { path: string; line?: number }[] {
  const out: { path: string; line?: number }[] = [];
  // a run of path characters, not inside a longer word, URL, variable or pattern (checked after it)
  const token = /(?<![\w.\-/<>*{}$@~:\\])(?:\.{1,2}\/)?[\w.-]+(?:\/[\w.-]+)*\/?/g;
  for (const m of comment.matchAll(token)) {
    const after = comment.slice(m.index + m[0].length);
    if (/^([<>*{}$\\]|#\d)/.test(after)) continue; // a pattern, or an issue of another repository (redis/redis#11116)
    const path = m[0].replace(/[.,;:]+$/, '').replace(/(.)\/$/, '$1');
    if (!path.includes('/') || path.endsWith('..')) continue;
    const line = /^:(\d+)/.exec(after)?.[1];
    out.push(line === undefined ? { path } : { path, line: Number(line) });
  }
  return out;
}

/** The folders a path in a comment of `file` may be read from (see the module comment). */
function bases(file: string, path: string): string[] {
  const dir = dirname(file);
  if (path.startsWith('./') || path.startsWith('../')) return [dir];
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (d === root || d === dirname(d)) break;
  }
  return [...out, join(root, 'src')];
}

/** What a path in `file`'s comments names: 'ours' (a file or folder here), 'foreign' (no path of this repository), or why it is stale. */
function check(file: string, path: string, line: number | undefined): string {
  const first = path.split('/').find((part) => part !== '.' && part !== '..');
  if (first === undefined || BUILT.has(first)) return 'foreign';
  const from = bases(file, path);
  const relativeToDir = path.startsWith('./') || path.startsWith('../');
  // a path of another project: its first folder is nowhere here
  if (!relativeToDir && !from.some((b) => existsSync(join(b, first)))) return 'foreign';
  const found = from.map((b) => join(b, path)).find((p) => existsSync(p));
  if (found === undefined) return 'no such file';
  if (line !== undefined && statSync(found).isFile()) {
    const lines = readFileSync(found, 'utf8').split('\n').length;
    if (line > lines) return `it has ${lines} lines`;
  }
  return 'ours';
}

describe('paths named in comments', () => {
  it('reads comments and the paths in them', () => {
    expect(commentLines('const a = 1; // see src/index.ts\n * src/errors.ts:3\nconst url = "a/b.ts";', false)).toEqual([
      ' // see src/index.ts',
      '* src/errors.ts:3',
      '',
    ]);
    expect(commentLines('#!/bin/sh\n# scripts/x.sh\necho a/b # c/d', true)).toEqual(['', '# scripts/x.sh', ' # c/d']);
    const tokens = (s: string) => pathTokens(s).map((t) => (t.line === undefined ? t.path : `${t.path}:${t.line}`));
    expect(tokens('see `src/index.ts:1`, native/kernels/ and (reference/portfolio/portfolio.ts).')).toEqual([
      'src/index.ts:1',
      'native/kernels',
      'reference/portfolio/portfolio.ts',
    ]);
    expect(tokens('./comment-paths.test.ts and ../helpers/imports.ts; special.hpp alone; docs/redis.md#keys')).toEqual([
      './comment-paths.test.ts',
      '../helpers/imports.ts',
      'docs/redis.md',
    ]);
    expect(
      tokens('https://github.com/a/b.ts redis/redis#11116 bench/results/<section>.json test/**/*.ts ~/.cache/x/y $OUT/a/b {dir}/c.ts'),
    ).toEqual([]);
  });

  it('names only files and lines that exist', () => {
    const files = SCANNED.flatMap((d) => sourceFiles(join(root, d)));
    expect(files.length).toBeGreaterThan(500);
    const found: string[] = [];
    let ours = 0;
    for (const file of files) {
      const comments = commentLines(readFileSync(file, 'utf8'), HASH.test(file));
      comments.forEach((comment, i) => {
        for (const { path, line } of pathTokens(comment)) {
          const what = check(file, path, line);
          if (what === 'ours') ours++;
          else if (what !== 'foreign')
            found.push(`${relative(root, file)}:${i + 1}: ${path}${line === undefined ? '' : `:${line}`} (${what})`);
        }
      });
    }
    expect(found).toEqual([]);
    expect(ours).toBeGreaterThan(400);
  });
});
