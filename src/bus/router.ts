/**
 * Routing: which bus carries a frame.
 * - `'static'` (default): the type's bus in the route table.
 * - `'least-loaded'`: the healthy bus with the smallest backlog.
 * - `'latency'`: the healthy bus with the lowest observed median publish latency (a bus not yet
 *   measured counts as 0, so every bus gets measured).
 * - `'failover'`: the type's bus while it is healthy, else its secondary.
 * Ties go to the table's bus, then to the order of `buses`. A key stays on the bus it was sent to while
 * it has unacknowledged frames there (so per-key order holds when a dynamic strategy moves it), unless
 * that bus becomes unhealthy: across a failover, order is not guaranteed.
 */
import { KernelInputError, describeValue } from '../errors.js';
import type { BusName } from './messages.js';

/** A routing strategy. */
export type RoutingStrategy = 'static' | 'least-loaded' | 'latency' | 'failover';

/** The strategies, for validation and help texts. */
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['static', 'least-loaded', 'latency', 'failover'];

/** What the router knows about a bus when it decides. */
export interface BusStats {
  healthy: boolean;
  /** Messages awaiting acknowledgement. */
  backlog: number;
  /** Median publish latency in ms; 0 when not measured yet. */
  p50: number;
}

/** Options of Router. */
export interface RouterOptions {
  strategy: RoutingStrategy;
  /** The bus names, in order of preference for ties. */
  buses: readonly BusName[];
  /** type -> bus. */
  routes: Readonly<Record<string, BusName>>;
  /** bus -> its failover bus. Default: the next bus in `buses` (cyclically). */
  secondary?: Readonly<Record<string, BusName>>;
}

interface Placement {
  bus: BusName;
  unsettled: number;
}

/** Picks a bus per frame; see the module comment. */
export class Router {
  readonly strategy: RoutingStrategy;
  readonly buses: readonly BusName[];
  private readonly routes: Readonly<Record<string, BusName>>;
  private readonly secondaries: Readonly<Record<string, BusName>>;
  /** `type \0 key` -> where its unacknowledged frames are (dynamic strategies only). */
  private readonly placements = new Map<string, Placement>();

  /** Checks the table against the buses (KernelInputError naming the bad option). */
  constructor(options: RouterOptions) {
    const { strategy, buses, routes } = options;
    if (!ROUTING_STRATEGIES.includes(strategy)) {
      throw new KernelInputError('options.routing', ROUTING_STRATEGIES.map((s) => `'${s}'`).join(', '), describeValue(strategy));
    }
    for (const [type, bus] of Object.entries(routes)) {
      if (!buses.includes(bus)) throw new KernelInputError(`options.routes.${type}`, `one of ${buses.join(', ')}`, describeValue(bus));
    }
    const secondary: Record<string, BusName> = {};
    buses.forEach((bus, i) => {
      const to = options.secondary?.[bus] ?? buses[(i + 1) % buses.length];
      if (!buses.includes(to)) throw new KernelInputError(`options.secondary.${bus}`, `one of ${buses.join(', ')}`, describeValue(to));
      secondary[bus] = to;
    });
    this.strategy = strategy;
    this.buses = buses;
    this.routes = routes;
    this.secondaries = secondary;
  }

  /** The type's bus in the table; KernelInputError('type') when the table has no entry for it. */
  home(type: string): BusName {
    const bus = this.routes[type];
    if (bus === undefined) {
      throw new KernelInputError('type', 'a message type in the route table (add it with options.routes)', describeValue(type));
    }
    return bus;
  }

  /** The buses a frame of `type` may travel on: where its subscribers must listen. */
  candidates(type: string): BusName[] {
    const home = this.home(type);
    if (this.strategy === 'static') return [home];
    if (this.strategy === 'failover') return home === this.secondaries[home] ? [home] : [home, this.secondaries[home]];
    return [home, ...this.buses.filter((b) => b !== home)];
  }

  /** The bus for the next frame of (type, key). */
  route(type: string, key: string, stats: (bus: BusName) => BusStats): BusName {
    const home = this.home(type);
    if (this.strategy === 'static') return home;
    const placed = this.placements.get(`${type}\0${key}`);
    if (placed && placed.unsettled > 0 && stats(placed.bus).healthy) return placed.bus;
    const candidates = this.candidates(type);
    if (this.strategy === 'failover') return candidates.find((b) => stats(b).healthy) ?? home;
    const measure = this.strategy === 'least-loaded' ? (s: BusStats) => s.backlog : (s: BusStats) => s.p50;
    let best: BusName | undefined;
    let bestValue = Infinity;
    for (const bus of candidates) {
      const s = stats(bus);
      if (s.healthy && measure(s) < bestValue) {
        best = bus;
        bestValue = measure(s);
      }
    }
    return best ?? home;
  }

  /** Records a frame of (type, key) handed to `bus` (dynamic strategies keep the key there meanwhile). */
  sent(type: string, key: string, bus: BusName, count: number): void {
    if (this.strategy === 'static') return;
    const id = `${type}\0${key}`;
    const placed = this.placements.get(id);
    if (placed && placed.bus === bus) placed.unsettled += count;
    else this.placements.set(id, { bus, unsettled: count });
  }

  /** Records that a frame of (type, key) was acknowledged on `bus`. */
  settled(type: string, key: string, bus: BusName, count: number): void {
    if (this.strategy === 'static') return;
    const id = `${type}\0${key}`;
    const placed = this.placements.get(id);
    if (!placed || placed.bus !== bus) return;
    placed.unsettled -= count;
    if (placed.unsettled <= 0) this.placements.delete(id);
  }
}
