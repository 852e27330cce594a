/**
 * Lua scripts of the Redis store, loaded with `defineCommand`. Every key a script touches
 * is passed in KEYS and carries the store's hash tag, so each script runs atomically on one
 * slot. Times come from the Redis server (`TIME`), never from a gateway's clock, so gateways
 * with skewed clocks agree on which lease is live.
 *
 * Leases of a resource live in four keys, the first four KEYS of every lease script:
 * 1. a hash, field = canonical field path, value = JSON `{ owner, sessionId, token, expiresAt }`;
 * 2. a sorted set of the paths scored by expiresAt, to find lapsed leases without reading the rest;
 * 3. a sorted set of the paths all scored 0, to find a path's descendants by lexicographic range;
 * 4. a sorted set of `sessionId NUL path` all scored 0, to find one session's leases.
 * So a grant reads the path, its ancestors and its descendants, never every lease.
 * Presence of a resource is a sorted set (member = session id, score = expiresAt) plus a
 * hash of JSON sessions.
 */

// Helpers shared by the lease scripts: server time, the field-path overlap rule of
// libs/sync (`overlaps`, which holds exactly when one path equals the other or is a prefix of
// it followed by '.' or '['; '' is the whole object), the four-key index and its pruning.
const LEASE_PRELUDE = `
local LEASES, EXPIRY, PATHS, OWNERS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
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
-- The path itself, then every ancestor: '' and each prefix ending right before a '.' or '['.
local function selfAndAncestors(path)
  local paths = { path }
  if path == '' then return paths end
  paths[2] = ''
  local from = 2
  while true do
    local at = string.find(path, '[%.%[]', from)
    if not at then return paths end
    paths[#paths + 1] = string.sub(path, 1, at - 1)
    from = at + 1
  end
end
-- Every held path below path: those starting with path .. '.' or path .. '[' ('/' and '\\\\'
-- are the bytes right after '.' and '['), or every other path below the root ''.
local function descendants(path)
  if path == '' then return redis.call('ZRANGEBYLEX', PATHS, '(', '+') end
  local found = redis.call('ZRANGEBYLEX', PATHS, '[' .. path .. '.', '(' .. path .. '/')
  for _, below in ipairs(redis.call('ZRANGEBYLEX', PATHS, '[' .. path .. '[', '(' .. path .. '\\\\')) do
    found[#found + 1] = below
  end
  return found
end
local function ownerMember(session, path)
  return session .. '\\0' .. path
end
local function store(path, lease, isNew)
  local raw = cjson.encode(lease)
  redis.call('HSET', LEASES, path, raw)
  redis.call('ZADD', EXPIRY, string.format('%d', lease.expiresAt), path)
  if isNew then
    redis.call('ZADD', PATHS, 0, path)
    redis.call('ZADD', OWNERS, 0, ownerMember(lease.sessionId, path))
  end
  return raw
end
local function forget(path, session)
  redis.call('HDEL', LEASES, path)
  redis.call('ZREM', EXPIRY, path)
  redis.call('ZREM', PATHS, path)
  if session then redis.call('ZREM', OWNERS, ownerMember(session, path)) end
end
-- Deletes the leases lapsed at now, reading only those.
local function prune(now)
  for _, path in ipairs(redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', string.format('%d', now))) do
    local raw = redis.call('HGET', LEASES, path)
    forget(path, raw and cjson.decode(raw).sessionId)
  end
end
-- The first live lease of another session among paths, as path and JSON; then the JSONs read.
-- Read in batches: unpack is bounded by the Lua stack.
local function foreignAmong(paths, session)
  local raws = {}
  for first = 1, #paths, 512 do
    local last = math.min(first + 511, #paths)
    local batch = redis.call('HMGET', LEASES, unpack(paths, first, last))
    for i = first, last do
      local raw = batch[i - first + 1]
      raws[i] = raw
      if raw and cjson.decode(raw).sessionId ~= session then return paths[i], raw, raws end
    end
  end
  return nil, nil, raws
end
-- Keys do not outlive their last lease.
local function keepUntilLastLease()
  local last = redis.call('ZRANGE', EXPIRY, -1, -1, 'WITHSCORES')
  if #last == 0 then return end
  local at = string.format('%d', tonumber(last[2]))
  for _, key in ipairs({ LEASES, EXPIRY, PATHS, OWNERS }) do redis.call('PEXPIREAT', key, at) end
end
local function keepSessionIndex(key, member, ttl)
  redis.call('SADD', key, member)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, string.format('%d', ttl)) end
end
`;

/**
 * Grants a lease unless a live lease of another session overlaps the path; the same
 * session re-acquiring its path extends the lease and keeps its token.
 * KEYS: the resource's four lease keys, token counter, session's lease index.
 * ARGV: path, owner, sessionId, ttlMs, resource key.
 * Returns {1, path, leaseJson} when granted, {0, holderPath, holderJson} when denied.
 */
export const ACQUIRE_LEASE = `${LEASE_PRELUDE}
local path, owner, session, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local now = nowMs()
prune(now)
local held, heldRaw, above = foreignAmong(selfAndAncestors(path), session)
if held then return { 0, held, heldRaw } end
-- Past this point a lease on the path itself (above[1]) is the session's own.
held, heldRaw = foreignAmong(descendants(path), session)
if held then return { 0, held, heldRaw } end
local own = above[1]
local token
if own then token = cjson.decode(own).token else token = redis.call('INCR', KEYS[5]) end
local raw = store(path, { owner = owner, sessionId = session, token = token, expiresAt = now + ttl }, not own)
keepUntilLastLease()
keepSessionIndex(KEYS[6], ARGV[5], ttl)
return { 1, path, raw }
`;

/**
 * Extends a live lease when token and session both match.
 * KEYS: the resource's four lease keys, session's lease index. ARGV: path, token, sessionId, ttlMs, resource key.
 * Returns the renewed lease JSON, or nil.
 */
export const RENEW_LEASE = `${LEASE_PRELUDE}
local path, token, session, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local now = nowMs()
prune(now)
local raw = redis.call('HGET', LEASES, path)
if not raw then return false end
local lease = cjson.decode(raw)
if lease.token ~= token or lease.sessionId ~= session then return false end
lease.expiresAt = now + ttl
raw = store(path, lease, false)
keepUntilLastLease()
keepSessionIndex(KEYS[5], ARGV[5], ttl)
return raw
`;

/**
 * Ends a live lease when token and session both match.
 * KEYS: the resource's four lease keys. ARGV: path, token, sessionId. Returns 1 when released, 0 otherwise.
 */
export const RELEASE_LEASE = `${LEASE_PRELUDE}
local path, token, session = ARGV[1], tonumber(ARGV[2]), ARGV[3]
prune(nowMs())
local raw = redis.call('HGET', LEASES, path)
if not raw then return 0 end
local lease = cjson.decode(raw)
if lease.token ~= token or lease.sessionId ~= session then return 0 end
forget(path, session)
keepUntilLastLease()
return 1
`;

/**
 * Ends a session's live leases on one resource, all of them (no paths given) or those
 * overlapping any given path, and forgets the resource in the session's index when none remain.
 * Reads only the session's own leases.
 * KEYS: the resource's four lease keys, session's lease index. ARGV: sessionId, resource key, paths...
 * Returns {path, leaseJson, ...} of the leases ended.
 */
export const RELEASE_SESSION_LEASES = `${LEASE_PRELUDE}
local session = ARGV[1]
prune(nowMs())
local released, remaining = {}, 0
local first = ownerMember(session, '')
for _, member in ipairs(redis.call('ZRANGEBYLEX', OWNERS, '[' .. first, '(' .. session .. '\\1')) do
  local path = string.sub(member, #first + 1)
  local raw = redis.call('HGET', LEASES, path)
  -- A session id holding NUL could share the range; the lease itself says whose it is.
  if raw and cjson.decode(raw).sessionId == session then
    local matches = #ARGV == 2
    for i = 3, #ARGV do
      if overlaps(path, ARGV[i]) then matches = true break end
    end
    if matches then
      forget(path, session)
      released[#released + 1] = path
      released[#released + 1] = raw
    else
      remaining = remaining + 1
    end
  end
end
if remaining == 0 then redis.call('SREM', KEYS[5], ARGV[2]) end
keepUntilLastLease()
return released
`;

/**
 * The live leases of a resource (lapsed ones are deleted on the way).
 * KEYS: the resource's four lease keys. Returns {path, leaseJson, ...}.
 */
export const LIVE_LEASES = `${LEASE_PRELUDE}
prune(nowMs())
return redis.call('HGETALL', LEASES)
`;

/**
 * The live leases of sessions other than ARGV[1] overlapping any of the paths ARGV[2..]:
 * what blocks that session's save. Reads only the paths, their ancestors and descendants.
 * KEYS: the resource's four lease keys. ARGV: sessionId, paths... Returns {path, leaseJson, ...}.
 */
export const BLOCKING_LEASES = `${LEASE_PRELUDE}
local session = ARGV[1]
prune(nowMs())
local seen, blocking = {}, {}
local function consider(path)
  if seen[path] then return end
  seen[path] = true
  local raw = redis.call('HGET', LEASES, path)
  if raw and cjson.decode(raw).sessionId ~= session then
    blocking[#blocking + 1] = path
    blocking[#blocking + 1] = raw
  end
end
for i = 2, #ARGV do
  for _, path in ipairs(selfAndAncestors(ARGV[i])) do consider(path) end
  for _, path in ipairs(descendants(ARGV[i])) do consider(path) end
end
return blocking
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
