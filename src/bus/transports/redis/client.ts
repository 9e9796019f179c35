/**
 * The client types of the Redis transport: a connection (one Redis, or ioredis's Cluster client) and
 * the publishing connection with the transport's scripts defined as commands (./scripts.ts defines
 * them). Types only: every part imports them from here, so no part imports another for a type.
 */
import type { Cluster, Redis } from 'ioredis';

/** A connection: to one Redis, or ioredis's Cluster client (a connection per node, commands routed by key slot). */
export type RedisClient = Redis | Cluster;

/** The scripts as commands of a client (see defineScripts). */
export interface Scripts {
  /** Arrays are flattened (one level) by ioredis: pass the keys and the arguments as two arrays, never spread (a backlog's arguments outgrow the stack). */
  kbAppend(keys: number, ...args: (string | number | Buffer | readonly (string | number | Buffer)[])[]): Promise<unknown>;
  kbState(key: string, leasePrefix: string): Promise<unknown>;
  kbReads(members: string, streams: string, stream: string): Promise<number>;
  kbRenew(key: string, token: string, ms: number): Promise<number>;
  kbRelease(key: string, token: string): Promise<number>;
  /** Ids as one array (see kbAppend): a recount can hold a whole read's entries. */
  kbRecount(stream: string, group: string, consumer: string, deliveries: number, ids: readonly string[]): Promise<number>;
  kbMembers(members: string, streams: string, instance: string, ttl: number, ...names: string[]): Promise<[number, number]>;
}
/** A connection with the scripts defined (the publishing connection). */
export type Client = RedisClient & Scripts;
