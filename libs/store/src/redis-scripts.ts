/**
 * Lua scripts of the Redis store, loaded with `defineCommand`. Every key a script touches
 * is passed in KEYS and carries the store's hash tag, so each script runs atomically on one
 * slot. Times come from the Redis server (`TIME`), never from a gateway's clock, so gateways
 * with skewed clocks agree on which lease is live.
 *
 * Leases of a resource live in one hash: field = canonical field path, value = JSON
 * `{ owner, sessionId, token, expiresAt }`. Presence of a resource is a sorted set
 * (member = session id, score = expiresAt) plus a hash of JSON sessions.
 */

// Helpers shared by the lease scripts: server time, the field-path overlap rule of
// libs/sync (`overlaps`), and pruning of lapsed leases.
const LEASE_PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function isAncestor(a, d)
  if a == d then return false end
  if a == '' then return true end
  if #d <= #a or string.sub(d, 1, #a) ~= a then return false end
  local c = string.sub(d, #a + 1, #a + 1)
  return c == '.' or c == '['
end
local function overlaps(a, b)
  return a == b or isAncestor(a, b) or isAncestor(b, a)
end
local function liveLeases(key, now)
  local flat = redis.call('HGETALL', key)
  local live = {}
  for i = 1, #flat, 2 do
    local lease = cjson.decode(flat[i + 1])
    if lease.expiresAt <= now then
      redis.call('HDEL', key, flat[i])
    else
      live[#live + 1] = { path = flat[i], lease = lease, raw = flat[i + 1] }
    end
  end
  return live
end
local function keepUntilLastLease(key)
  local latest = 0
  for _, raw in ipairs(redis.call('HVALS', key)) do
    local expiresAt = cjson.decode(raw).expiresAt
    if expiresAt > latest then latest = expiresAt end
  end
  if latest > 0 then redis.call('PEXPIREAT', key, string.format('%d', latest)) end
end
local function keepSessionIndex(key, member, ttl)
  redis.call('SADD', key, member)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, string.format('%d', ttl)) end
end
`;

/**
 * Grants a lease unless a live lease of another session overlaps the path; the same
 * session re-acquiring its path extends the lease and keeps its token.
 * KEYS: leases hash, token counter, session's lease index. ARGV: path, owner, sessionId, ttlMs, resource key.
 * Returns {1, path, leaseJson} when granted, {0, holderPath, holderJson} when denied.
 */
export const ACQUIRE_LEASE = `${LEASE_PRELUDE}
local path, owner, session, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local now = nowMs()
local own = nil
for _, entry in ipairs(liveLeases(KEYS[1], now)) do
  if entry.lease.sessionId ~= session then
    if overlaps(entry.path, path) then return { 0, entry.path, entry.raw } end
  elseif entry.path == path then
    own = entry.lease
  end
end
local token
if own then token = own.token else token = redis.call('INCR', KEYS[2]) end
local raw = cjson.encode({ owner = owner, sessionId = session, token = token, expiresAt = now + ttl })
redis.call('HSET', KEYS[1], path, raw)
keepUntilLastLease(KEYS[1])
keepSessionIndex(KEYS[3], ARGV[5], ttl)
return { 1, path, raw }
`;

/**
 * Extends a live lease when token and session both match.
 * KEYS: leases hash, session's lease index. ARGV: path, token, sessionId, ttlMs, resource key.
 * Returns the renewed lease JSON, or nil.
 */
export const RENEW_LEASE = `${LEASE_PRELUDE}
local path, token, session, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local now = nowMs()
for _, entry in ipairs(liveLeases(KEYS[1], now)) do
  if entry.path == path then
    if entry.lease.token ~= token or entry.lease.sessionId ~= session then return false end
    entry.lease.expiresAt = now + ttl
    local raw = cjson.encode(entry.lease)
    redis.call('HSET', KEYS[1], path, raw)
    keepUntilLastLease(KEYS[1])
    keepSessionIndex(KEYS[2], ARGV[5], ttl)
    return raw
  end
end
return false
`;

/**
 * Ends a live lease when token and session both match.
 * KEYS: leases hash. ARGV: path, token, sessionId. Returns 1 when released, 0 otherwise.
 */
export const RELEASE_LEASE = `${LEASE_PRELUDE}
local path, token, session = ARGV[1], tonumber(ARGV[2]), ARGV[3]
for _, entry in ipairs(liveLeases(KEYS[1], nowMs())) do
  if entry.path == path and entry.lease.token == token and entry.lease.sessionId == session then
    redis.call('HDEL', KEYS[1], path)
    keepUntilLastLease(KEYS[1])
    return 1
  end
end
return 0
`;

/**
 * Ends a session's live leases on one resource, all of them (no paths given) or those
 * overlapping any given path, and forgets the resource in the session's index when none remain.
 * KEYS: leases hash, session's lease index. ARGV: sessionId, resource key, paths...
 * Returns {path, leaseJson, ...} of the leases ended.
 */
export const RELEASE_SESSION_LEASES = `${LEASE_PRELUDE}
local session = ARGV[1]
local released, remaining = {}, 0
for _, entry in ipairs(liveLeases(KEYS[1], nowMs())) do
  if entry.lease.sessionId == session then
    local matches = #ARGV == 2
    for i = 3, #ARGV do
      if overlaps(entry.path, ARGV[i]) then matches = true break end
    end
    if matches then
      redis.call('HDEL', KEYS[1], entry.path)
      released[#released + 1] = entry.path
      released[#released + 1] = entry.raw
    else
      remaining = remaining + 1
    end
  end
end
if remaining == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
keepUntilLastLease(KEYS[1])
return released
`;

/**
 * The live leases of a resource (lapsed ones are deleted on the way).
 * KEYS: leases hash. Returns {path, leaseJson, ...}.
 */
export const LIVE_LEASES = `${LEASE_PRELUDE}
local live = {}
for _, entry in ipairs(liveLeases(KEYS[1], nowMs())) do
  live[#live + 1] = entry.path
  live[#live + 1] = entry.raw
end
return live
`;

// Helpers shared by the presence scripts: server time, and the sweep index that records each
// resource's earliest expiry so expire() finds lapsed sessions without scanning every resource.
const PRESENCE_PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Keys outlive their last session by this long so a sweep can still report it.
local GRACE_MS = 3600000
local function reindex(zkey, dkey, indexKey, contextKey, resource)
  local first = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
  if #first == 0 then
    redis.call('ZREM', indexKey, resource)
    redis.call('SREM', contextKey, resource)
    redis.call('DEL', dkey)
    return
  end
  redis.call('ZADD', indexKey, first[2], resource)
  redis.call('SADD', contextKey, resource)
  local last = redis.call('ZRANGE', zkey, -1, -1, 'WITHSCORES')
  local keepUntil = string.format('%d', tonumber(last[2]) + GRACE_MS)
  redis.call('PEXPIREAT', zkey, keepUntil)
  redis.call('PEXPIREAT', dkey, keepUntil)
end
`;

/**
 * Adds or refreshes a session on a resource until now + ttl.
 * KEYS: expiry zset, sessions hash, sweep index, context's resource set, session's presence index.
 * ARGV: sessionId, sessionJson, ttlMs, resource key. Returns 'joined' or 'updated'.
 */
export const UPSERT_PRESENCE = `${PRESENCE_PRELUDE}
local session, raw, ttl, resource = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local change = 'joined'
if redis.call('ZSCORE', KEYS[1], session) then change = 'updated' end
redis.call('ZADD', KEYS[1], string.format('%d', nowMs() + ttl), session)
redis.call('HSET', KEYS[2], session, raw)
reindex(KEYS[1], KEYS[2], KEYS[3], KEYS[4], resource)
redis.call('SADD', KEYS[5], resource)
if redis.call('PTTL', KEYS[5]) < ttl + 3600000 then redis.call('PEXPIRE', KEYS[5], string.format('%d', ttl + 3600000)) end
return change
`;

/**
 * Removes a session from a resource.
 * KEYS: as UPSERT_PRESENCE. ARGV: sessionId, resource key. Returns the session JSON or nil.
 */
export const REMOVE_PRESENCE = `${PRESENCE_PRELUDE}
local session, resource = ARGV[1], ARGV[2]
local raw = redis.call('HGET', KEYS[2], session)
redis.call('ZREM', KEYS[1], session)
redis.call('HDEL', KEYS[2], session)
redis.call('SREM', KEYS[5], resource)
reindex(KEYS[1], KEYS[2], KEYS[3], KEYS[4], resource)
return raw
`;

/**
 * The unexpired sessions of a resource.
 * KEYS: expiry zset, sessions hash. Returns {sessionJson, ...}.
 */
export const LIVE_PRESENCE = `${PRESENCE_PRELUDE}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', nowMs()), '+inf')
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
`;

/**
 * Removes a resource's sessions that lapsed at `now` (ARGV[2], or server time when empty).
 * KEYS: expiry zset, sessions hash, sweep index, context's resource set. ARGV: resource key, now.
 * Returns {sessionJson, ...} of the removed sessions.
 */
export const EXPIRE_PRESENCE = `${PRESENCE_PRELUDE}
local resource = ARGV[1]
local now = nowMs()
if ARGV[2] ~= '' then now = tonumber(ARGV[2]) end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
local expired = {}
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then expired[#expired + 1] = raw end
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
reindex(KEYS[1], KEYS[2], KEYS[3], KEYS[4], resource)
return expired
`;
