/**
 * How createBus() puts its buses on Redis: BusOptions.redis (RedisBusOptions, ./options.ts) checked
 * (KernelInputError naming `options.redis.*`, never echoing a URL) and planned into the bus names,
 * their failover table and one RedisTransport per bus (../../transport-registry.ts).
 */
import { randomBytes } from 'node:crypto';
import { KernelInputError, describeValue } from '../../../errors.js';
import { BUS_NAMES, type BusName } from '../../messages.js';
import type { TransportPlan } from '../../transport-registry.js';
import type { Transport } from '../types.js';
import type { OptionNames, RedisBusOptions, RedisBusTarget, RedisTransportOptions } from './options.js';

/** Suffix of the bus that a `{ primary, secondary }` target adds for its secondary. */
export const SECONDARY_SUFFIX = '.secondary';

/** The name of BusOptions.redis in errors. */
const ARG = 'options.redis';

/** Credentials may be in a URL: never echo one. */
const HIDDEN = 'a value (not shown: it may hold credentials)';

/** A value for an error: a string (a URL, perhaps) hidden, else described. */
function shown(value: unknown): string {
  return typeof value === 'string' ? 'a string (not shown: it may hold credentials)' : describeValue(value);
}

/**
 * The buses of `options` (the bus names of BusOptions.buses, checked, or undefined) on Redis: every bus
 * on `url` or `cluster`, or each on its server in `targets`. `create` builds a bus's transport.
 */
export function planRedisBuses(
  options: RedisBusOptions,
  buses: readonly BusName[] | undefined,
  create: (options: RedisTransportOptions, names: OptionNames) => Transport,
): TransportPlan {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new KernelInputError(ARG, 'an object of Redis bus options (url, cluster or targets, and RedisTransport options)', shown(options));
  const { targets, ...common } = options;
  if ((common as RedisTransportOptions).name !== undefined)
    throw new KernelInputError(
      `${ARG}.name`,
      'nothing (each bus names its transport redis:<bus>)',
      describeValue((common as RedisTransportOptions).name),
    );
  const names = { options: ARG };
  // one instance for the transports of this bus system: an engine reading streams of several buses
  // is one member of its group, its fair share counted over all of them (not a third of them per bus)
  const instance = randomBytes(8).toString('hex');
  if (targets === undefined) {
    return {
      names: [...(buses ?? BUS_NAMES)],
      secondary: {},
      create: (bus) => create({ name: `redis:${bus}`, ...common, instance }, names),
    };
  }
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets))
    throw new KernelInputError(
      `${ARG}.targets`,
      'a map of bus name to a redis:// URL or { primary, secondary } URLs',
      typeof targets === 'object' ? HIDDEN : shown(targets),
    );
  if (common.url !== undefined) throw new KernelInputError(`${ARG}.url`, `nothing when ${ARG}.targets gives each bus its server`, HIDDEN);
  if (common.cluster !== undefined)
    throw new KernelInputError(
      `${ARG}.cluster`,
      `nothing when ${ARG}.targets gives each bus its server (a redis+cluster:// URL there)`,
      HIDDEN,
    );
  const entries = Object.entries(targets as Readonly<Record<string, RedisBusTarget>>);
  if (entries.length === 0) throw new KernelInputError(`${ARG}.targets`, 'at least one bus', 'an empty map');
  for (const [name] of entries) {
    if (name.length === 0 || name.includes(':'))
      throw new KernelInputError(`${ARG}.targets`, 'bus names without ":"', JSON.stringify(name));
  }
  const keys = entries.map(([name]) => name);
  if (buses !== undefined && (buses.length !== keys.length || !keys.every((name) => buses.includes(name))))
    throw new KernelInputError('options.buses', `the buses of ${ARG}.targets (${keys.join(', ')}), or nothing`, buses.join(', '));
  // url: where the target came from, named in errors of the transport (options.redis.targets.<bus>[.primary]).
  const where = new Map<BusName, { url: string; argument: string }>();
  const secondary: Record<string, BusName> = {};
  const primaries: BusName[] = [];
  const secondaries: BusName[] = [];
  // In the order of options.buses where given.
  for (const name of buses ?? keys) {
    const target = (targets as Readonly<Record<string, RedisBusTarget>>)[name];
    const argument = `${ARG}.targets.${name}`;
    if (typeof target === 'string') {
      where.set(name, { url: target, argument });
    } else if (
      typeof target === 'object' &&
      target !== null &&
      typeof target.primary === 'string' &&
      typeof target.secondary === 'string'
    ) {
      where.set(name, { url: target.primary, argument: `${argument}.primary` });
      const second = name + SECONDARY_SUFFIX;
      if (Object.hasOwn(targets, second))
        throw new KernelInputError(argument, `a secondary whose bus name ${second} is free`, `bus ${second} defined too`);
      where.set(second, { url: target.secondary, argument: `${argument}.secondary` });
      secondary[name] = second;
      secondary[second] = name;
      secondaries.push(second);
    } else {
      throw new KernelInputError(
        argument,
        'a redis:// URL or { primary, secondary } URLs',
        typeof target === 'object' ? HIDDEN : describeValue(target),
      );
    }
    primaries.push(name);
  }
  // Buses without a secondary fail over to the next primary, as with a list of names.
  primaries.forEach((name, i) => {
    secondary[name] ??= primaries[(i + 1) % primaries.length];
  });
  return {
    names: [...primaries, ...secondaries],
    secondary,
    create: (bus) => {
      const { url, argument } = where.get(bus)!;
      return create({ name: `redis:${bus}`, ...common, url, instance }, { ...names, url: argument });
    },
  };
}
