/**
 * No import circle anywhere under src/: the module graph of every src/**\/*.ts, read from its static
 * `import ... from`, `import '...'` and `export ... from` statements, has no cycle. Type-only imports
 * (`import type`, `export type ... from`, `{ type X }`) count as edges too: a circle through types is
 * still two modules that cannot be read, changed or tested one without the other (the transport <->
 * checkpoint store circle was one). Dynamic `import()` is left out: it is how a module loads another
 * lazily, at run time, on purpose. Only relative specifiers are followed (packages cannot import
 * back). A failure lists every circle as a path of files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specifiersOf } from '../helpers/imports.js';

const root = resolve(import.meta.dirname, '..', '..');
const src = join(root, 'src');

/** Every .ts file under `dir` (declaration files included: they may import too). */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (a `.js` specifier -> its `.ts` file, a folder -> its index.ts), or undefined. */
function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.d.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => files.has(c));
}

/** The module graph of src/: file -> the files it imports. */
function graph(): Map<string, string[]> {
  const files = tsFiles(src);
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiersOf(readFileSync(file, 'utf8'))
      .map((s) => resolveSpecifier(file, s, known))
      .filter((t): t is string => t !== undefined);
    edges.set(file, [...new Set(targets)]);
  }
  return edges;
}

/** The strongly connected components with a cycle (Tarjan), each as one cycle through it, as paths relative to src/. */
function cycles(edges: Map<string, string[]>): string[] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of edges.keys()) if (!indices.has(v)) visit(v);
  return found.map((component) => describeCycle(component, edges));
}

/** One cycle through a component, `a.ts -> b.ts -> a.ts` (breadth-first from its first file back to it). */
function describeCycle(component: string[], edges: Map<string, string[]>): string {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  let end: string | undefined;
  while (queue.length > 0 && end === undefined) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        end = v;
        break;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  const path = [start];
  for (let v = end; v !== undefined && v !== start; v = previous.get(v)) path.splice(1, 0, v);
  path.push(start);
  const rel = (f: string) => relative(src, f);
  return `${path.map(rel).join(' -> ')}${component.length > path.length - 1 ? ` (component of ${component.length}: ${component.map(rel).sort().join(', ')})` : ''}`;
}

describe('import graph of src/', () => {
  it('reads import, export-from and side-effect imports, type-only ones included', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c, type C } from './c.js';",
      "export type { D } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "import {\n  g,\n  h,\n} from './g.js';",
      "// import { no } from './comment.js';",
      "const lazy = await import('./lazy.js');",
    ].join('\n');
    expect(specifiersOf(source)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });

  it('has no cycle', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(50);
    expect(cycles(edges)).toEqual([]);
  });
});
