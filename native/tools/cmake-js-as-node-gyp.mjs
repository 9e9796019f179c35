#!/usr/bin/env node
// prebuildify has no cmake-js backend: it runs this script as its `--node-gyp`, with node-gyp's
// arguments (`rebuild --target=X --devdir=D --arch=A --release`). We build with cmake-js for the
// requested architecture; prebuildify then collects build/Release/*.node. N-API binaries do not
// depend on the Node version, so --target and --devdir are not needed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arch = args.find((a) => a.startsWith('--arch='))?.slice('--arch='.length);
const debug = args.includes('--debug');

const cmakeArgs = ['rebuild', ...(arch ? ['--arch', arch] : []), ...(debug ? ['--debug'] : [])];
const result = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...cmakeArgs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
