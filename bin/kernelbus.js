#!/usr/bin/env node
// The `kernelbus` command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of the modules on disk (os.tmpdir()/node-compile-cache;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): later starts skip compiling them (bench/startup.ts).
// Node 20 has no such cache. It must be on before the command's modules load: they are imported below.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
// The command is done: connections a stop gave up on (a Redis that does not answer, see --grace-ms)
// must not keep the process alive. The timer is unref'd: a clean exit does not wait for it.
setTimeout(() => process.exit(), 500).unref();
