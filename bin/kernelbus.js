#!/usr/bin/env node
// The `kernelbus` command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
// The command is done: connections a stop gave up on (a Redis that does not answer, see --grace-ms)
// must not keep the process alive. The timer is unref'd: a clean exit does not wait for it.
setTimeout(() => process.exit(), 500).unref();
