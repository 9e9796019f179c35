/** Runs `kernelbus <args>` from the sources, as bin/kernelbus.js does from dist/: `node --import tsx cli.ts <args>`. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
