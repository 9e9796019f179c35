/**
 * `node --import ./module-log.mjs ...` (test/cli/startup.test.ts): writes the modules the process loaded
 * to the file $KERNELBUS_MODULE_LOG when it exits, one URL or path a line: every ES module (a load hook,
 * run on node's hooks thread, posts each URL back) and every CommonJS module (require.cache).
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isMainThread, MessageChannel } from 'node:worker_threads';

let port;

/** The load hook (on the hooks thread): each module's URL to the main thread. */
export function initialize(data) {
  port = data.port;
}
export async function load(url, context, next) {
  port.postMessage(url);
  return next(url, context);
}

if (isMainThread) {
  const urls = [];
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => urls.push(url));
  port1.unref();
  register(import.meta.url, { data: { port: port2 }, transferList: [port2] });
  process.on('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    appendFileSync(process.env.KERNELBUS_MODULE_LOG, [...urls, ...cjs].join('\n'));
  });
}
