/** Runs `kernelbus <args>` from the sources, as bin/kernelbus.js does from dist/: `node --import tsx cli.ts <args>`. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
// As bin/kernelbus.js: connections a stop gave up on must not keep the process alive.
setTimeout(() => process.exit(), 500).unref();
