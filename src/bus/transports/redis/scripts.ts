/**
 * The Lua scripts the Redis transport runs (each one atomic on the server), the ioredis commands they
 * become (defineScripts: `kbAppend`, `kbState`, `kbReads`, `kbRenew`, `kbRelease`, `kbMembers`, `kbRecount`) and the parsing
 * of the progress poll's reply.
 */
import type { Client, RedisClient } from './client.js';
import { ENTRY_FIELDS } from './fields.js';

/** How long a producer's deduplication record outlives its last renewal (APPEND_SCRIPT). */
const DEDUP_TTL_MS = 3_600_000;

/**
 * The state of a stream for the progress poll: `false` if it does not exist, else
 * `[firstId, lastId, (group, lastDeliveredId, pending, minPendingId, leased) * groups]`, where `leased`
 * is 1 when a consumer of the group holds the stream's lease. KEYS[1] stream; ARGV[1] the lease key
 * prefix of the stream (the leases share the stream's hash tag, hence its slot on a cluster).
 */
const STATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local out = { first[1] and first[1][1] or '', last[1] and last[1][1] or '' }
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local name = info['name']
  local minPending = ''
  if info['pending'] > 0 then minPending = redis.call('XPENDING', KEYS[1], name)[2] end
  out[#out + 1] = name
  out[#out + 1] = info['last-delivered-id']
  out[#out + 1] = info['pending']
  out[#out + 1] = minPending
  out[#out + 1] = redis.call('EXISTS', ARGV[1] .. name)
end
return out`;

/**
 * Whether a live instance of a group (KEYS[1], MEMBERS_SCRIPT's sorted set) reads stream ARGV[1]
 * (KEYS[2], the group's streams): 1 or 0. For a group without a lease on a stream (its consumer is
 * between leases): the group's keys share a tag of their own, apart from the stream's.
 */
const READS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZCOUNT', KEYS[1], now, '+inf') > 0 and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 1 end
return 0`;

/**
 * Appends entries to streams, each stream once per call: KEYS in pairs, a stream and the deduplication
 * record of the call's producer on the stream's hash tag (a hash, a field per stream; it shares the
 * stream's slot). ARGV[1] the producer ('' for none: no record), then per stream in turn: the MAXLEN ~
 * bound, the number of entries n, whether to look the record up ('1', or '0' when the transport never
 * sent any of these seqs), '1' to renew the record's time to live (DEDUP_TTL_MS; the transport does so
 * every minute, and a field this call creates sets it at once) or '0', then n (frame, key, count, seq)
 * quadruples. A producer's seqs increase along each stream, so its field holds the highest seq stored
 * and that entry's id, then the seqs and ids of the producer's last call to the stream: an entry whose
 * seq is at most the highest stored is not stored again (a publish retried after an ambiguous failure,
 * whichever of its attempts Redis ran first or ran at all, stores its entries once); its id is returned,
 * exactly when the last call stored it, else the highest seq's id (an entry at or after it). One command
 * carries every stream's entries of a tick (ioredis spends more per command than Redis per XADD); on a
 * cluster, one per hash tag (bus and shard: a slot) and producer. Returns one flat array (Lua's nested
 * replies cost Redis more): every entry's id, stream by stream, then per stream the number of entries not
 * stored again.
 */
const APPEND_SCRIPT = `
local producer = ARGV[1]
local out, again = {}, {}
local a, o = 2, 0
for i = 1, #KEYS, 2 do
  local stream, dedup = KEYS[i], KEYS[i + 1]
  local maxLen, n, lookup, renew = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  local stored, high, top, topId = {}, -1, nil, nil
  if producer ~= '' and lookup == '1' then
    local last = redis.call('HGET', dedup, stream)
    if last then
      local h, hid, pairs = string.match(last, '^(%S+) (%S+)(.*)$')
      high, top, topId = tonumber(h), h, hid
      for seq, id in string.gmatch(pairs, '(%S+) (%S+)') do stored[seq] = id end
    end
  end
  local record, found = {}, 0
  for j = 1, n do
    local seq = ARGV[a + 3]
    local id = stored[seq]
    if not id and high >= 0 and tonumber(seq) <= high then id = topId end
    if id then found = found + 1
    else
      id = redis.call('XADD', stream, 'MAXLEN', '~', maxLen, '*', '${ENTRY_FIELDS.frame}', ARGV[a], '${ENTRY_FIELDS.key}', ARGV[a + 1], '${ENTRY_FIELDS.count}', ARGV[a + 2])
      top, topId = seq, id
    end
    o = o + 1
    out[o] = id
    record[2 * j + 1] = seq
    record[2 * j + 2] = id
    a = a + 4
  end
  again[(i + 1) / 2] = found
  if producer ~= '' then
    -- seqs increase along the stream: the last entry stored is the highest
    record[1], record[2] = top, topId
    if redis.call('HSET', dedup, stream, table.concat(record, ' ')) > 0 or renew == '1' then redis.call('PEXPIRE', dedup, ${DEDUP_TTL_MS}) end
  end
end
for i = 1, #again do out[o + i] = again[i] end
return out`;

/** Renews a lease held with token ARGV[1] for ARGV[2] ms: 1, or 0 when it is no longer ours. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Deletes a lease if it is still held with token ARGV[1]. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Sets the delivery count of entries ARGV[4..] of group ARGV[1] on stream KEYS[1] to ARGV[3], for those
 * still pending on consumer ARGV[2] (XCLAIM RETRYCOUNT, to the same consumer): entries it read and did
 * not hand to its handler. An entry another consumer has claimed since is left to it (claiming it back
 * would take it out of the new holder's history). Returns how many were set.
 */
const RECOUNT_SCRIPT = `
local set = 0
for i = 4, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'RETRYCOUNT', ARGV[3], 'JUSTID')
    set = set + 1
  end
end
return set`;

/**
 * Registers instance ARGV[1] of a group for ARGV[2] ms (KEYS[1], a sorted set by expiry, server time)
 * and the streams ARGV[3..] it reads (KEYS[2]); returns { live instances, streams }.
 */
const MEMBERS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 4)
for i = 3, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
redis.call('PEXPIRE', KEYS[2], ttl * 20)
return { redis.call('ZCARD', KEYS[1]), redis.call('SCARD', KEYS[2]) }`;

/**
 * Defines the scripts as commands of `client` (ioredis sends EVAL once per connection, then EVALSHA; on
 * a cluster each call goes to the node of its first key's slot).
 */
export function defineScripts(client: RedisClient): Client {
  client.defineCommand('kbAppend', { lua: APPEND_SCRIPT });
  client.defineCommand('kbState', { numberOfKeys: 1, lua: STATE_SCRIPT });
  client.defineCommand('kbReads', { numberOfKeys: 2, lua: READS_SCRIPT });
  client.defineCommand('kbRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
  client.defineCommand('kbRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  client.defineCommand('kbMembers', { numberOfKeys: 2, lua: MEMBERS_SCRIPT });
  client.defineCommand('kbRecount', { numberOfKeys: 1, lua: RECOUNT_SCRIPT });
  return client as Client;
}

/** A group of a stream, as the progress poll sees it. */
export interface GroupState {
  name: string;
  lastDelivered: string;
  pending: number;
  minPending: string;
  /** A consumer of the group holds the stream's lease (see Progress for the other way a group has a consumer). */
  leased: boolean;
}
/** A stream's state from STATE_SCRIPT; null when the stream does not exist. */
export interface StreamState {
  first: string;
  last: string;
  groups: GroupState[];
}

/** The reply of STATE_SCRIPT as a StreamState (null: the stream does not exist). */
export function parseState(reply: unknown): StreamState | null {
  if (!Array.isArray(reply)) return null;
  const groups: GroupState[] = [];
  for (let i = 2; i + 4 < reply.length; i += 5) {
    groups.push({
      name: String(reply[i]),
      lastDelivered: String(reply[i + 1]),
      pending: Number(reply[i + 2]),
      minPending: String(reply[i + 3]),
      leased: Number(reply[i + 4]) === 1,
    });
  }
  return { first: String(reply[0]), last: String(reply[1]), groups };
}
