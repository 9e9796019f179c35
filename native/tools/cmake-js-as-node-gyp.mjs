#!/usr/bin/env node
// prebuildify has no cmake-js backend: it runs this script as its `--node-gyp`, with node-gyp's
// arguments (`rebuild --target=X --devdir=D --arch=A --release`). We build with cmake-js for the
// requested architecture; prebuildify then collects build/Release/*.node. N-API binaries do not
// depend on the Node version, so --target and --devdir are not needed.
// Another platform than this one (prebuildify --platform, which it hands on as PREBUILD_PLATFORM):
// win32 from Linux is cross-compiled with MinGW-w64 (scripts/build-win32.sh, `npm run prebuild:win32`);
// any other is refused, so that no binary of this platform is filed under another's name.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arch = args.find((a) => a.startsWith('--arch='))?.slice('--arch='.length);
const debug = args.includes('--debug');

const target = process.env.PREBUILD_PLATFORM ?? process.platform;
if (target !== process.platform) {
  // only through `npm run prebuild:win32`: `npm run prebuild`'s --tag-libc would name the DLL *.glibc.node
  if (
    target === 'win32' &&
    process.platform === 'linux' &&
    (arch ?? 'x64') === 'x64' &&
    process.env.npm_lifecycle_event === 'prebuild:win32'
  ) {
    const script = fileURLToPath(new URL('../../scripts/build-win32.sh', import.meta.url));
    const result = spawnSync('bash', [script, 'build/Release'], { stdio: 'inherit' });
    process.exit(result.status ?? 1);
  }
  console.error(
    `cmake-js-as-node-gyp: cannot build for ${target}-${arch ?? process.arch} on ${process.platform} (win32-x64 from Linux: npm run prebuild:win32)`,
  );
  process.exit(1);
}

const cmakeArgs = ['rebuild', ...(arch ? ['--arch', arch] : []), ...(debug ? ['--debug'] : [])];
const result = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...cmakeArgs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
