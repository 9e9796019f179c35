#!/usr/bin/env node
// The `kernelbus` command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of the modules on disk (os.tmpdir()/node-compile-cache;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): later starts skip compiling them (bench/startup.ts).
// Node 20 has no such cache. It must be on before the command's modules load: they are imported below.
module.enableCompileCache?.();
const { run } = await import('../dist/cli/main.js');

// the command, its output flushed, then an exit that connections a stop gave up on cannot hold back
await run(process.argv.slice(2));
