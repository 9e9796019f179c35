// The bench's spawner (bench/spawner.ts): runs each peer command the bench asks for, so that the bench's
// own process never forks while it times. Requests and answers are JSON through two FIFOs: the bench
// writes a request to `requests` (command, args, options), this process runs it with spawnSync and
// writes {status, signal, stdout, stderr, error} to `answers`. It exits when the bench's process is gone
// (the bench also kills it as it exits).
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

// the bench's pid as it gave it (process.ppid is already 1 if the bench died while this one started)
const [requests, answers, parentPid] = process.argv.slice(2);
const parent = Number(parentPid);
// process.exit would wait for the thread blocked opening the requests FIFO (for ever): a signal ends it
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.kill(process.pid, 'SIGKILL');
  }
}, 1000);
const asText = (x) => (x === null || x === undefined ? '' : x.toString());

for (;;) {
  const text = await readFile(requests, 'utf8');
  if (text === '') continue;
  const r = JSON.parse(text);
  const out = spawnSync(r.command, r.args, r.options);
  await writeFile(
    answers,
    JSON.stringify({
      status: out.status,
      signal: out.signal,
      stdout: asText(out.stdout),
      stderr: asText(out.stderr),
      error: out.error?.message,
    }),
  );
}
