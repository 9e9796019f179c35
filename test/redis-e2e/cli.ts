/**
 * Runs `kernelbus <args>` from the sources, as bin/kernelbus.js does from dist/: `node --import tsx cli.ts
 * <args>`. A trade engine (`engine vpin | features | strategy`) started without --warmup-trades runs
 * none here (`--warmup-trades 0`): the suites' engines are not timed, and a warm-up through Redis adds
 * about a second a start; the warm-up's own tests (cli.test.ts, warmup.test.ts) run it.
 */
import { run } from '../../src/cli/main.js';

const args = process.argv.slice(2);
const warms = args[0] === 'engine' && ['vpin', 'features', 'strategy'].includes(args[1]);
await run(warms && !args.some((a) => a.startsWith('--warmup-trades')) ? [...args, '--warmup-trades', '0'] : args);
