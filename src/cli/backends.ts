/** `kernelbus backends [--json]`: which backends load on this machine, as a table or JSON. */
import { installEveryBackend } from '../api/every-backend.js';
import { backends, type BackendInfo } from '../backends/registry.js';
import { flag, parseCommand } from './options.js';
import { table } from './summary.js';

installEveryBackend(); // it reports every backend

/** `kernelbus backends --help`. */
export const BACKENDS_USAGE = `Usage: kernelbus backends [--json]

Lists every backend: whether it loads here (and why not), the families and how many kernels it
implements, and what it runs on (threads, BLAS vendor, GPU). --json prints backends() as JSON.
`;

const FLAGS = { json: flag.boolean() };

/** One backend's features as `key=value` pairs. */
function features(b: BackendInfo): string {
  if (!b.available) return b.reason?.split('\n')[0] ?? '';
  return Object.entries(b.features ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** The lines of the backends table. */
export function backendsTable(list: readonly BackendInfo[]): string[] {
  const rows = list.map((b) => [b.name, b.available ? 'yes' : 'no', String(b.kernels.length), b.families.join(',') || '-', features(b)]);
  // the names, families and features are text: left-aligned; the count right-aligned
  return table(['backend', 'available', 'kernels', 'families', 'features / why not'], rows, [0, 1, 3, 4]);
}

/** Runs `kernelbus backends` (without `backends`). */
export async function runBackends(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(BACKENDS_USAGE) });
  if (!parsed) return 0;
  const list = backends();
  out.write(parsed.values.json ? `${JSON.stringify(list, null, 2)}\n` : `${backendsTable(list).join('\n')}\n`);
  return 0;
}
