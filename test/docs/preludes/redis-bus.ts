// The Redis blocks: the names the README's bus block imports (they run against a server in test/redis-e2e/docs.test.ts).
import { createBus, VpinEngine } from 'kernelbus';
