/**
 * The collector's headroom of an engine or feed process: `kernelbus engine` and `kernelbus feed` let
 * V8's old generation grow to `--heap-growth` percent beyond what a full collection left alive before
 * the next one starts (V8's --heap-growing-percent; default 300: four times the live heap), where V8's
 * own heuristics give a small heap about 1.1 to 1.5 times. An engine's live heap is small (tens of MB)
 * while it promotes a few MB a second (batches in flight across scavenges, a checkpoint's copies), so
 * by V8's rule it ran a full mark-compact about once a second, each holding its main thread 2 to 12 ms
 * and the orders waiting behind it (docs/operations.md#few-cores: the strategy engine at 200,000
 * trades/s, 11 full collections in a 10 s run against 1 with the headroom; the p99 order latency after
 * the first 2 s from 18 to 9-11 ms). The cost is memory: up to four times the live heap between full
 * collections, where V8's limits (--max-old-space-size) still cap it. The feed is the same case: 10 MB
 * live, 20 MB promoted a second (its frames in flight), a full collection about every 0.6 s by V8's
 * rule (15 to 18 in a 10 s replay at 200,000 trades/s against 4), each delaying the frames of the
 * ticks behind it.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation's growth between full collections, in percent of the live heap, an engine or feed sets. */
export const DEFAULT_HEAP_GROWTH = 300;

/**
 * Sets V8's heap growth of this process to `percent` (1 to 1000); 0 leaves V8's own heuristics. It takes
 * effect from the next full collection on and holds for the whole process: call it where the process
 * is the engine (the CLI), not in a program that runs an engine among its own work.
 */
export function setHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
