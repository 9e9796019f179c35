/**
 * The 'redis' transport kind as the built package registers it: scripts/bundle.mjs puts this module in
 * place of ./transports/redis/transport.ts where ./index.ts imports it, so that `import 'kernelbus'` and
 * `kernelbus/bus` do not compile the transport's code (110 KB) unless a bus asks for Redis: the planner
 * registered here requires the transport's module (bundled in place, dist/bus/transports/redis/transport.js)
 * at the first `createBus({ redis })`. The module registers its own planner when it loads; both build the
 * same buses. The sources import the transport statically (vitest cannot require a .ts file);
 * test/package/exports.test.ts checks this module in the built package.
 */
import { createRequire } from 'node:module';
import { registerTransport } from './transport-registry.js';
import type * as RedisTransportModule from './transports/redis/transport.js';

const require = createRequire(import.meta.url);

// a path from a file one folder below dist/ (the bundle holds this module's code in dist/chunks/, which
// scripts/bundle.mjs checks)
registerTransport('redis', (options, buses) =>
  (require('../bus/transports/redis/transport.js') as typeof RedisTransportModule).planRedis(options, buses),
);
