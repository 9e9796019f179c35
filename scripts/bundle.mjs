#!/usr/bin/env node
/**
 * Bundles dist/ after tsc (`npm run build:ts`): every entry point of package.json's "exports" and the
 * command's dist/cli/main.js are rewritten by esbuild into a few files each, with the code they share
 * in dist/chunks/ (one copy of every class for all entry points: `instanceof` holds across subpaths).
 * Node 20 spends ~0.6 ms on each ES module it loads (resolve, read, compile, link): the root imported
 * 157 modules; bundled, `import 'kernelbus'` costs about half as much over `node -e 0` (bench/startup.ts).
 * Dynamic imports stay dynamic (Parquet, Arrow, Redis, each CLI command load when used) and packages
 * stay external. The .d.ts files and the other modules tsc wrote are left as they are.
 *
 * Three modules load when first used rather than with the entry points (Node >= 20.19 requires ES
 * modules synchronously): the reference and tfjs backends, which the entry points that install every
 * backend (src/api/every-backend.ts) get from src/api/deferred-backends.ts, and the Redis transport,
 * which kernelbus/bus (src/bus/index.ts) registers through src/bus/deferred-redis.ts. The modules they
 * require are bundled as entries of their own, in place (the paths they require).
 *
 * Runs on tsc's output only: an entry it already bundled (the banner) means tsc did not run since, and
 * bundling it again would read the chunks it is about to replace.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const BANNER = '// bundled by scripts/bundle.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = [
  ...Object.values(pkg.exports)
    .map((target) => (typeof target === 'object' ? target.default : undefined))
    .filter((path) => path?.startsWith('./dist/') && path.endsWith('.js')),
  './dist/cli/main.js',
  // required by src/api/deferred-backends.ts and src/bus/deferred-redis.ts, by these paths
  './dist/backends/reference/index.js',
  './dist/backends/tfjs/index.js',
  './dist/bus/transports/redis/transport.js',
].map((path) => join(root, path));

/** [importer, the imports of it to replace, the module put in their place] (under dist/). */
const DEFERRED = [
  ['api/every-backend.js', /^\.\.\/backends\/(reference|tfjs)\/index\.js$/, 'api/deferred-backends.js'],
  ['bus/index.js', /^\.\/transports\/redis\/transport\.js$/, 'bus/deferred-redis.js'],
].map(([importer, specifier, module]) => ({ importer: join(dist, importer), specifier, module: join(dist, module) }));
const defer = {
  name: 'defer',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const d = DEFERRED.find((d) => d.importer === args.importer && d.specifier.test(args.path));
      return d ? { path: d.module } : undefined;
    });
  },
};

for (const entry of entries) {
  if (!existsSync(entry)) throw new Error(`bundle: ${relative(root, entry)} is missing: run tsc -p tsconfig.build.json first`);
  if (readFileSync(entry, 'utf8').startsWith(BANNER))
    throw new Error(`bundle: ${relative(root, entry)} is bundled already: run tsc -p tsconfig.build.json first`);
}

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: entries,
  outdir: dist,
  outbase: dist,
  // dist/chunks/ is two levels below the package root, as every dist/<folder>/ is: the paths modules
  // take relative to import.meta.url (package.json, web/) still reach; the addon's loader looks upward
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  banner: { js: BANNER },
  logLevel: 'warning',
  plugins: [defer],
  metafile: true,
  absWorkingDir: root,
});

// the deferred modules require by paths from a file one folder below dist/
for (const { module } of DEFERRED) {
  const name = relative(root, module).replaceAll('\\', '/'); // the metafile's paths: from absWorkingDir, with /
  const holders = Object.keys(metafile.outputs).filter((file) => Object.hasOwn(metafile.outputs[file].inputs, name));
  if (holders.length === 0) throw new Error(`bundle: ${name} is in no output: its importer no longer imports what it defers`);
  for (const file of holders)
    if (relative(dist, join(root, file)).split(/[\\/]/).length !== 2)
      throw new Error(`bundle: ${file} holds ${name}, whose require() paths need a file one folder below dist/`);
}
