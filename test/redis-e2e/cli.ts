/** Runs `kernelbus <args>` from the sources, as bin/kernelbus.js does from dist/: `node --import tsx cli.ts <args>`. */
import { run } from '../../src/cli/main.js';

await run(process.argv.slice(2));
