/**
 * Strategy files anywhere (issue 88): a strategy module in any folder imports `kernelbus` and
 * `kernelbus/<subpath>` (each subpath of package.json's "exports") from the RUNNING package, the one
 * whose code loads it, whether or not the file's folder has a node_modules/kernelbus of its own. Always
 * the running package, never another copy: a strategy made by another copy's defineStrategy() would
 * be checked by that copy's rules, throw that copy's StrategyError (instanceof fails here) and read
 * another version's API than the engine running it.
 *
 * A resolve hook of Node's module customization: module.registerHooks() (synchronous, on this thread;
 * Node >= 22.15) where it exists, else module.register() (Node >= 20.6: the hook runs on Node's hooks
 * thread, as a data: URL module). It is installed by loadStrategy() just before the first strategy
 * module is imported, so a command that loads none never has it; every other specifier goes straight
 * on to Node's own resolution (one string comparison).
 */
import module from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The running code's folder (src/ or dist/: this module's folder's parent, bundled into dist/chunks/ or not). */
const CODE = dirname(dirname(fileURLToPath(import.meta.url)));
/** The running package's root (package.json beside src/ and dist/). */
const ROOT = dirname(CODE);

/** The specifier -> file URL table of the running package, and its package.json's URL (resolution of other subpaths). */
export interface PackageTargets {
  targets: Record<string, string>;
  self: string;
}

/**
 * `kernelbus` and `kernelbus/<subpath>` -> the running package's file of each entry of package.json's
 * "exports": dist/ as published; from src/ (tests, tsx) the .ts module beside it where there is one.
 */
export function packageTargets(root = ROOT, code = CODE): PackageTargets {
  const manifest = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, string | { default?: string }> };
  const fromSource = import.meta.url.endsWith('.ts') && code.endsWith('src');
  const targets: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    const path = typeof target === 'string' ? target : target.default;
    if (!path?.startsWith('./')) continue;
    let file = join(root, path);
    if (fromSource && path.startsWith('./dist/')) {
      const source = join(code, path.slice('./dist/'.length)).replace(/\.js$/, '.ts');
      if (existsSync(source)) file = source;
    }
    targets[key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`] = pathToFileURL(file).href;
  }
  return { targets, self: pathToFileURL(manifest).href };
}

/**
 * The hook, as Node's hooks thread loads it (a module of its own, so a data: URL). `resolve` answers
 * the package's specifiers from the table; another subpath of it resolves as the package's own import
 * of itself (Node's "not exported" error names the subpath); anything else goes on unchanged. It works
 * synchronously (registerHooks) and asynchronously (register) alike: it returns what `next` returns.
 */
const HOOK = `let targets = {};
let self;
export function initialize(data) {
  targets = data.targets;
  self = data.self;
}
export function resolve(specifier, context, next) {
  if (specifier === 'kernelbus' || specifier.startsWith('kernelbus/')) {
    const url = targets[specifier];
    return url ? next(url, context) : next(specifier, { ...context, parentURL: self });
  }
  return next(specifier, context);
}
`;

type Resolved = { url: string; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: { parentURL?: string }) => Resolved;

let installed: 'registerHooks' | 'register' | undefined;

/**
 * Whether a module at `path` needs the hook: it does unless `kernelbus` resolves from its folder to the
 * running package already (a file inside the package, or a project whose node_modules/kernelbus is
 * this copy). Checked first because on Node 20 a registered hook costs every later module load of the
 * process a trip to the hooks thread.
 */
export function needsResolveHook(path: string, root = ROOT): boolean {
  try {
    return module.createRequire(path).resolve('kernelbus/package.json') !== join(root, 'package.json');
  } catch {
    return true;
  }
}

/**
 * Installs the hook once (later calls return at once); returns how: 'registerHooks' or 'register'.
 * `registerHooks` is the synchronous form of HOOK's resolve (the same three lines).
 */
export function installResolveHook(): 'registerHooks' | 'register' {
  if (installed) return installed;
  const { targets, self } = packageTargets();
  const m = module as typeof module & {
    registerHooks?: (hooks: { resolve: (s: string, c: { parentURL?: string }, n: NextResolve) => Resolved }) => unknown;
  };
  if (typeof m.registerHooks === 'function') {
    m.registerHooks({
      resolve(specifier, context, next) {
        if (specifier === 'kernelbus' || specifier.startsWith('kernelbus/')) {
          const url = targets[specifier];
          return url ? next(url, context) : next(specifier, { ...context, parentURL: self });
        }
        return next(specifier, context);
      },
    });
    installed = 'registerHooks';
  } else {
    module.register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { targets, self } });
    installed = 'register';
  }
  return installed;
}
