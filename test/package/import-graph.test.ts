/**
 * The import graph of src/, read from every src/**\/*.ts's static `import ... from`, `import '...'` and
 * `export ... from` statements. Type-only imports (`import type`, `export type ... from`, `{ type X }`)
 * count as edges too: a circle through types is still two modules that cannot be read, changed or
 * tested one without the other (the transport <-> checkpoint store circle was one). Only relative
 * specifiers are followed (packages cannot import back). Three rules:
 * - No circle anywhere. Dynamic `import()` is left out here: it is how a module loads another lazily,
 *   at run time, on purpose. A failure lists every circle as a path of files.
 * - A kernel family's folders (src/kernels/<family>/, src/backends/reference/<family>/,
 *   native/kernels/<family>/ by its #include lines) import no other family's: what two families share
 *   lives beside the family folders (native/kernels/math/: src/math's twin; generated/). KNOWN_FAMILY
 *   lists the debts.
 * - Folders import one way: MAY_IMPORT below says which top folders of src/ (and its root modules,
 *   index.ts and errors.ts) each may import, dynamic `import('...')` included. A new folder needs a
 *   row; an import outside the table fails as `from -> to`, unless KNOWN lists it as a debt (and
 *   KNOWN fails once the import is gone). And bench/ imports nothing from test/ or src/cli/.
 * - Outside src/backends a backend (src/backends/<name>/) is reached through its front doors only: its
 *   index.ts (the provider) and its public.ts (what else it offers the rest of src/). What two backends
 *   or a backend and the strategy layer share lives outside them (src/simulation, src/kernels).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILY_KERNELS } from '../../src/kernels/families.js';
import { dynamicSpecifiersOf, specifiersOf } from '../helpers/imports.js';

const root = resolve(import.meta.dirname, '..', '..');
const src = join(root, 'src');

/**
 * Which top folders of src/ each may import (a root module by its name: `index`, `errors`; a single
 * file of another folder by its path under src/). Read bottom-up: the numerics and the kernels' specs
 * at the bottom, their backends and the API over them; the bus beside the backends (it carries the
 * kernels' trades, never calls a backend); engines, gateway and replay over the bus; the CLI over
 * everything. Nothing imports cli/ or the root index.ts.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  errors: [],
  math: [],
  kernels: ['errors', 'math'],
  // the simulation core no backend owns: vectorbt's order execution, the simulation loops, records and
  // stats, and the bar makers, run by the reference backend and by the strategy layer alike
  simulation: ['errors', 'math', 'kernels'],
  backends: ['errors', 'math', 'kernels', 'simulation'],
  api: ['errors', 'kernels', 'backends', 'simulation'],
  // the readers reach native code through the one loader, and nothing else of the backends
  io: ['errors', 'kernels', 'backends/native/public.ts'],
  // the bus carries the kernels' trades (Trades, FrameTrades) and checks options with kernels/validate.ts
  bus: ['errors', 'kernels'],
  // what serves metrics: the Prometheus exposition (prom-client) and the HTTP endpoint; the bus never loads it
  ops: ['errors', 'kernels', 'bus'],
  // the strategy API over the kernels: the account executes fills by the simulation core's order rules,
  // the bars come from its bar makers, the days from replay's sessions
  strategy: ['errors', 'kernels', 'simulation', 'api', 'replay', 'ml'],
  // models trained elsewhere (LightGBM text models), read and evaluated on the kernels' matrices
  ml: ['errors', 'kernels', 'api'],
  engines: ['errors', 'kernels', 'api', 'bus', 'ops', 'strategy', 'ml'],
  gateway: ['errors', 'kernels', 'bus', 'ops'],
  replay: ['errors', 'math', 'kernels', 'io', 'bus'],
  redis: ['bus'],
  cli: ['errors', 'math', 'kernels', 'simulation', 'backends', 'api', 'io', 'bus', 'ops', 'engines', 'gateway', 'replay', 'strategy', 'ml'],
  index: ['api', 'bus', 'engines'],
};

/** Imports against MAY_IMPORT that are known debts, `from -> to` under src/, each with what would remove it. */
const KNOWN: Record<string, string> = {
  // backends -> io, while io -> backends (the loader) is the direction: the folders import each other
  'backends/native/binding.ts -> io/types.ts':
    'the CSV block parser types the addon returns (BlockResult) in a module below both, or the binding typing it loosely',
};

/** Imports of one kernel family's folder into another's, `from -> to` under the root, that are known debts. */
const KNOWN_FAMILY: Record<string, string> = {
  'src/backends/reference/portfolio/portfolio-hrp.ts -> src/backends/reference/risk/risk.ts':
    "hrp estimates its covariance from returns with the risk family's kernel: a covariance estimator shared by both would pay it",
  'native/kernels/portfolio/portfolio_hrp.cpp -> native/kernels/risk/risk.hpp': 'the same in C++',
  'src/backends/reference/margin/margin.ts -> src/backends/reference/volatility/volatility.ts':
    "the 'garch' scenarios are each column's GARCH(1,1) fit and forecast by the volatility family (issue 92's definition): a fit both families reach from shared code would pay it",
  'src/backends/reference/margin/margin.ts -> src/kernels/volatility/volatility.ts': "the same: the fit's model and layouts",
  'native/kernels/margin/scenarios.cpp -> native/kernels/volatility/volatility.hpp': 'the same in C++',
};

/** The folders that hold one folder per kernel family. */
const FAMILY_ROOTS = ['src/kernels', 'src/backends/reference', 'native/kernels'];
/** Their folders that are no family's: what the families share (the packed parameters; C++'s twin of src/math). */
const SHARED_FOLDERS = new Set(['generated', 'math']);

/** The family of a repository path inside a family folder (`<root>/<family>/...`), else undefined. */
function familyOf(path: string): string | undefined {
  const root = FAMILY_ROOTS.find((r) => path.startsWith(`${r}/`));
  const parts = root === undefined ? [] : path.slice(root.length + 1).split('/');
  return parts.length > 1 && !SHARED_FOLDERS.has(parts[0]) ? parts[0] : undefined;
}

/** Imports (TS) and #include lines (C++) from a family folder into another family's, `from -> to` under the root. */
function familyCrossings(): string[] {
  const out: string[] = [];
  const rel = (f: string) => relative(root, f).split(sep).join('/');
  const tsKnown = new Set(tsFiles(src));
  for (const file of tsKnown) {
    const from = familyOf(rel(file));
    if (from === undefined) continue;
    const source = readFileSync(file, 'utf8');
    for (const s of [...specifiersOf(source), ...dynamicSpecifiersOf(source)]) {
      const target = resolveSpecifier(file, s, tsKnown);
      const to = target === undefined ? undefined : familyOf(rel(target));
      if (to !== undefined && to !== from) out.push(`${rel(file)} -> ${rel(target!)}`);
    }
  }
  const kernels = join(root, 'native', 'kernels');
  for (const family of readdirSync(kernels).filter((d) => !SHARED_FOLDERS.has(d) && statSync(join(kernels, d)).isDirectory())) {
    for (const name of readdirSync(join(kernels, family))) {
      const file = join(kernels, family, name);
      for (const [, header] of readFileSync(file, 'utf8').matchAll(/^#include "([^"]+)"/gm)) {
        const other = header.split('/')[0];
        if (header.includes('/') && other !== family && !SHARED_FOLDERS.has(other)) {
          out.push(`${rel(file)} -> native/kernels/${header}`);
        }
      }
    }
  }
  return [...new Set(out)].sort();
}

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

/** A file's top folder under src/ (a root module: its name without .ts). */
function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

/** The imports of src/ from one top folder into another that MAY_IMPORT does not allow, as `from -> to` under src/. */
function crossings(): string[] {
  const files = tsFiles(src);
  const known = new Set(files);
  const out: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const s of [...specifiersOf(source), ...dynamicSpecifiersOf(source)]) {
      const target = resolveSpecifier(file, s, known);
      if (target === undefined || folderOf(target) === folderOf(file)) continue;
      const allowed = MAY_IMPORT[folderOf(file)] ?? [];
      const to = relative(src, target).split(sep).join('/');
      if (!allowed.includes(folderOf(target)) && !allowed.includes(to)) out.push(`${relative(src, file).split(sep).join('/')} -> ${to}`);
    }
  }
  return [...new Set(out)].sort();
}

/** Imports from outside src/backends into a backend's files other than its index.ts and public.ts, as `from -> to` under src/. */
function backendInternals(): string[] {
  const files = tsFiles(src);
  const known = new Set(files);
  const out: string[] = [];
  for (const file of files) {
    if (folderOf(file) === 'backends') continue;
    const source = readFileSync(file, 'utf8');
    for (const s of [...specifiersOf(source), ...dynamicSpecifiersOf(source)]) {
      const target = resolveSpecifier(file, s, known);
      const to = target === undefined ? '' : relative(src, target).split(sep).join('/');
      const parts = to.split('/');
      if (parts[0] === 'backends' && parts.length > 2 && !(parts.length === 3 && ['index.ts', 'public.ts'].includes(parts[2]))) {
        out.push(`${relative(src, file).split(sep).join('/')} -> ${to}`);
      }
    }
  }
  return [...new Set(out)].sort();
}

/** The relative imports of the .ts files of `dir` (under the root) that lead into `banned` folders, as `file: specifier`. */
function importsInto(dir: string, banned: string[]): string[] {
  return tsFiles(join(root, dir)).flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    return [...specifiersOf(source), ...dynamicSpecifiersOf(source)]
      .filter((s) => {
        const to = relative(root, resolve(dirname(file), s))
          .split(sep)
          .join('/');
        return s.startsWith('.') && banned.some((b) => to.startsWith(`${b}/`));
      })
      .map((s) => `${relative(root, file)}: ${s}`);
  });
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

  it('reads dynamic imports with a literal specifier', () => {
    const source = "const a = await import('./a.js');\n// await import('./comment.js');\nawait import(name);\nimport('../b/c.js').then(f);";
    expect(dynamicSpecifiersOf(source)).toEqual(['./a.js', '../b/c.js']);
  });

  it('has a row of the folder table for every top folder and root module', () => {
    const folders = [...new Set(tsFiles(src).map(folderOf))].sort();
    expect(folders.filter((f) => !(f in MAY_IMPORT))).toEqual([]);
    expect(Object.keys(MAY_IMPORT).filter((f) => !folders.includes(f))).toEqual([]);
  });

  it('imports from folder to folder only as the table allows (known debts apart)', () => {
    const found = crossings();
    expect(found.filter((c) => !(c in KNOWN))).toEqual([]);
    // a debt paid: remove it from KNOWN
    expect(Object.keys(KNOWN).filter((c) => !found.includes(c))).toEqual([]);
  });

  it('reaches a backend from outside src/backends through its index.ts or public.ts only', () => {
    expect(backendInternals()).toEqual([]);
    // the rule reads the imports it names: the strategy layer reaches the simulation core, not a backend
    expect(specifiersOf(readFileSync(join(src, 'strategy', 'account.ts'), 'utf8'))).toContain('../simulation/orders.js');
  });

  it("src/kernels' shared files import no family but the catalogue (families.ts)", () => {
    const shared = readdirSync(join(src, 'kernels')).filter((f) => f.endsWith('.ts') && f !== 'families.ts');
    const found = shared.flatMap((f) =>
      specifiersOf(readFileSync(join(src, 'kernels', f), 'utf8'))
        .filter((s) => s.startsWith('./') && s.slice(2).includes('/'))
        .map((s) => `src/kernels/${f} -> ${s}`),
    );
    expect(shared.length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });

  it("no kernel family's folder imports another's (known debts apart)", () => {
    const found = familyCrossings();
    expect(found.filter((c) => !(c in KNOWN_FAMILY))).toEqual([]);
    expect(Object.keys(KNOWN_FAMILY).filter((c) => !found.includes(c))).toEqual([]);
    // the folders are there: one per family of FAMILY_KERNELS under each root
    expect(familyOf('src/kernels/risk/risk.ts')).toBe('risk');
    for (const familyRoot of FAMILY_ROOTS) {
      const dir = join(root, familyRoot);
      const folders = readdirSync(dir).filter((d) => !SHARED_FOLDERS.has(d) && statSync(join(dir, d)).isDirectory());
      expect(folders.sort(), familyRoot).toEqual(Object.keys(FAMILY_KERNELS).sort());
    }
  });

  it('bench/ imports nothing from test/ or src/cli/', () => {
    expect(importsInto('bench', ['test', 'src/cli'])).toEqual([]);
  });
});
