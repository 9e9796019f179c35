/**
 * The configuration that shapes an engine's checkpointed state (a VPIN engine's classifier, bucket
 * volume, window...), stored with its group's checkpoints: an engine started on a group whose
 * checkpoints come from another configuration refuses to start (CheckpointConfigError) instead of
 * dead-lettering every entry whose key has a checkpoint it cannot restore.
 */
import { KernelbusError } from '../errors.js';

/** Settings that shape an engine's state: flat, each a number, a string or a boolean. */
export type StateConfig = Readonly<Record<string, number | string | boolean>>;

/** The stored form of a configuration: JSON with its keys sorted (so equal settings give equal text). */
export function configText(config: StateConfig): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(config)
        .sort()
        .map((k) => [k, config[k]]),
    ),
  );
}

/** The settings of stored text, or undefined when it is not a configuration. */
function parseConfig(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `key=value` for each of `keys` in `config` (a missing one as `key=(none)`). */
function settings(config: Record<string, unknown> | undefined, keys: readonly string[]): string {
  return keys.map((k) => `${k}=${config && k in config ? JSON.stringify(config[k]) : '(none)'}`).join(' ');
}

/**
 * An engine's group has checkpoints written under another configuration (see EngineOptions.group and
 * EngineOptions.resetCheckpoints). Its message is one line: the group, the stored and the given
 * settings that differ, and both ways out.
 */
export class CheckpointConfigError extends KernelbusError {
  override name = 'CheckpointConfigError';
  /** The engine's consumer group. */
  readonly group: string;
  /** The stored configuration (JSON text). */
  readonly stored: string;
  /** The engine's configuration (JSON text). */
  readonly given: string;

  constructor(group: string, stored: string, given: string) {
    const a = parseConfig(stored);
    const b = parseConfig(given) ?? {};
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b)])]
      .sort()
      .filter((k) => JSON.stringify(a?.[k]) !== JSON.stringify(b[k]));
    super(
      `group '${group}' has checkpoints of another configuration: stored ${a ? settings(a, keys) : JSON.stringify(stored)}, ` +
        `given ${settings(b, keys)}; run this engine in a group of its own (--group <name>, option group) or ` +
        `start the group fresh from its position (--reset-checkpoints, option resetCheckpoints: true)`,
    );
    this.group = group;
    this.stored = stored;
    this.given = given;
  }
}
