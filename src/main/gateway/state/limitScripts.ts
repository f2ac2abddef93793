// The Lua scripts that make shared limits atomic. Each runs inside Redis as one step: no other
// instance's command interleaves, so "check every limit, then charge the first candidate that
// fits" cannot admit two requests into the last slot. Times are Redis's own clock (TIME), so
// instances whose clocks disagree still share one exact window; what crosses the wire is relative
// (milliseconds to wait, milliseconds ago).
//
// One limiter = 4 keys (see limiterKeys in redisLimits.ts):
//   r  ZSET  request entries of the RPM window: member lease id, score admission time
//   t  ZSET  token reservations of the TPM window: member lease id, score admission time
//   h  HASH  `tt` tokens in the window; `a:<lease>` each reservation's amount; learned upstream
//            state: `cool` (cooldown until), `b:<kind>:rem|reset|spent` budgets
//   c  ZSET  concurrency leases: member lease id, score expiry (renewed while the request runs)
// The semantics are ProviderLimiter's (slidingWindow.ts, upstreamBudget.ts): an entry admitted at
// t counts in [t, t + window); a reservation is adjusted in place when the real usage is known.

const COMMON = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local KINDS = {'requests', 'tokens', 'inputTokens', 'outputTokens'}
local function cost(kind, input, output)
  if kind == 'requests' then return 1 end
  if kind == 'tokens' then return input + output end
  if kind == 'inputTokens' then return input end
  return output
end
local function num(v) if v == false or v == nil then return 0 end return tonumber(v) or 0 end
local function keysOf(j)
  local b = (j - 1) * 4
  return KEYS[b + 1], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4]
end
-- Drops token reservations that left the window, with their amounts.
local function pruneTokens(t, h, horizon)
  local old = redis.call('ZRANGEBYSCORE', t, '-inf', horizon)
  if #old == 0 then return end
  local sum = 0
  for i = 1, #old do
    sum = sum + num(redis.call('HGET', h, 'a:' .. old[i]))
    redis.call('HDEL', h, 'a:' .. old[i])
  end
  redis.call('ZREMRANGEBYSCORE', t, '-inf', horizon)
  local total = num(redis.call('HGET', h, 'tt')) - sum
  if total < 0 or redis.call('ZCARD', t) == 0 then total = 0 end
  redis.call('HSET', h, 'tt', total)
end
-- Forgets budgets whose reset passed.
local function expireBudgets(h, now)
  for _, kind in ipairs(KINDS) do
    local reset = redis.call('HGET', h, 'b:' .. kind .. ':reset')
    if reset and tonumber(reset) <= now then
      redis.call('HDEL', h, 'b:' .. kind .. ':rem', 'b:' .. kind .. ':reset', 'b:' .. kind .. ':spent')
    end
  end
end
`

/**
 * ARGV: leaseId, windowMs, leaseTtlMs, input, output, M, then M × (rpm, tpm, maxConcurrent; 0 = none),
 * then appIndex (0 = none), N, then per candidate: limiterIndex, K, K key limiter indexes.
 * Returns {1, candidate, keyPos} (1-based; keyPos 0 without keys) or
 * {0, appReason, appRetry, appWake, then per candidate reason, retry, wake} (reason '' = fine).
 */
export const ADMIT = `${COMMON}
local lease = ARGV[1]
local window = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local input = tonumber(ARGV[4])
local output = tonumber(ARGV[5])
local m = tonumber(ARGV[6])
local limits = {}
for j = 1, m do
  local b = 6 + (j - 1) * 3
  limits[j] = { tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]) }
end
local p = 6 + m * 3 + 1
local appIndex = tonumber(ARGV[p])
local n = tonumber(ARGV[p + 1])
p = p + 2
local now = nowMs()
local horizon = now - window

-- ProviderLimiter.check: the reason that clears last; 'concurrency' whenever no slot is free.
local function check(j)
  local r, t, h, c = keysOf(j)
  local rpm, tpm, conc = limits[j][1], limits[j][2], limits[j][3]
  local reason, wait = '', 0
  local function consider(why, ms)
    if ms > 0 and (reason == '' or ms > wait) then reason = why; wait = ms end
  end
  expireBudgets(h, now)
  local cool = num(redis.call('HGET', h, 'cool'))
  if cool > now then
    consider('cooldown', cool - now)
  else
    local budgetWait = 0
    for _, kind in ipairs(KINDS) do
      local rem = redis.call('HGET', h, 'b:' .. kind .. ':rem')
      if rem then
        local spent = num(redis.call('HGET', h, 'b:' .. kind .. ':spent'))
        if spent + cost(kind, input, output) > tonumber(rem) then
          budgetWait = math.max(budgetWait, num(redis.call('HGET', h, 'b:' .. kind .. ':reset')) - now)
        end
      end
    end
    consider('upstream-budget', budgetWait)
  end
  if rpm > 0 then
    redis.call('ZREMRANGEBYSCORE', r, '-inf', horizon)
    local used = redis.call('ZCARD', r)
    if used + 1 > rpm then
      local e = redis.call('ZRANGE', r, used - rpm, used - rpm, 'WITHSCORES')
      consider('rpm', tonumber(e[2]) + window - now)
    end
  end
  if tpm > 0 then
    pruneTokens(t, h, horizon)
    local amount = math.min(input + output, tpm)
    local total = num(redis.call('HGET', h, 'tt'))
    if total + amount > tpm then
      local mustFree = total + amount - tpm
      local freed = 0
      local entries = redis.call('ZRANGE', t, 0, -1, 'WITHSCORES')
      for i = 1, #entries, 2 do
        freed = freed + num(redis.call('HGET', h, 'a:' .. entries[i]))
        if freed >= mustFree then consider('tpm', tonumber(entries[i + 1]) + window - now); break end
      end
    end
  end
  if conc > 0 then
    redis.call('ZREMRANGEBYSCORE', c, '-inf', now)
    if redis.call('ZCARD', c) >= conc then
      local first = redis.call('ZRANGE', c, 0, 0, 'WITHSCORES')
      return 'concurrency', wait, math.max(wait, tonumber(first[2]) - now)
    end
  end
  return reason, wait, wait
end

local keep = math.max(window, 600000, ttl) + 60000
local function charge(j)
  local r, t, h, c = keysOf(j)
  local rpm, tpm = limits[j][1], limits[j][2]
  if rpm > 0 then redis.call('ZADD', r, now, lease); redis.call('PEXPIRE', r, keep) end
  if tpm > 0 then
    local amount = input + output
    redis.call('ZADD', t, now, lease)
    redis.call('HSET', h, 'a:' .. lease, amount)
    redis.call('HINCRBYFLOAT', h, 'tt', amount)
    redis.call('PEXPIRE', t, keep)
  end
  for _, kind in ipairs(KINDS) do
    if redis.call('HEXISTS', h, 'b:' .. kind .. ':rem') == 1 then
      redis.call('HINCRBYFLOAT', h, 'b:' .. kind .. ':spent', cost(kind, input, output))
    end
  end
  redis.call('PEXPIRE', h, keep)
  -- Every admission holds a concurrency lease (the team's in-flight count), limited or not.
  redis.call('ZREMRANGEBYSCORE', c, '-inf', now)
  redis.call('ZADD', c, now + ttl, lease)
  redis.call('PEXPIRE', c, keep)
end

local out = {0, '', 0, 0}
if appIndex > 0 then
  local why, retry, wake = check(appIndex)
  if why ~= '' then return {0, why, retry, wake} end
end
local q = p
for i = 1, n do
  local pj = tonumber(ARGV[q])
  local k = tonumber(ARGV[q + 1])
  local why, retry, wake = check(pj)
  local keyPos = 0
  if why == '' and k > 0 then
    -- A pool fits when one of its keys does; otherwise its soonest key says why and how long.
    local best = nil
    for x = 1, k do
      local kw, kr, kk = check(tonumber(ARGV[q + 1 + x]))
      if kw == '' then keyPos = x; break end
      if best == nil or kk < best[3] then best = {kw, kr, kk} end
    end
    if keyPos == 0 then why, retry, wake = best[1], best[2], best[3] end
  end
  if why == '' then
    charge(pj)
    if keyPos > 0 then charge(tonumber(ARGV[q + 1 + keyPos])) end
    if appIndex > 0 then charge(appIndex) end
    return {1, i, keyPos}
  end
  out[#out + 1] = why
  out[#out + 1] = retry
  out[#out + 1] = wake
  q = q + 2 + k
end
return out
`

/**
 * ARGV: leaseId, mode ('settle' | 'cancel'), actualTokens ('' = unknown), input, output, channel, message.
 * Frees the concurrency lease; a cancel refunds the windows and the learned budgets, a settle with
 * a count replaces the reservation's amount (same timestamp). Then tells the team (PUBLISH).
 */
export const RELEASE = `${COMMON}
local lease, mode, actual = ARGV[1], ARGV[2], ARGV[3]
local input, output = tonumber(ARGV[4]), tonumber(ARGV[5])
for j = 1, #KEYS / 4 do
  local r, t, h, c = keysOf(j)
  redis.call('ZREM', c, lease)
  if mode == 'cancel' then
    redis.call('ZREM', r, lease)
    if redis.call('ZSCORE', t, lease) then
      local old = num(redis.call('HGET', h, 'a:' .. lease))
      redis.call('ZREM', t, lease)
      redis.call('HDEL', h, 'a:' .. lease)
      redis.call('HSET', h, 'tt', math.max(0, num(redis.call('HGET', h, 'tt')) - old))
    end
    for _, kind in ipairs(KINDS) do
      local f = 'b:' .. kind .. ':spent'
      if redis.call('HEXISTS', h, f) == 1 then
        redis.call('HSET', h, f, math.max(0, num(redis.call('HGET', h, f)) - cost(kind, input, output)))
      end
    end
  elseif actual ~= '' and redis.call('ZSCORE', t, lease) then
    local old = num(redis.call('HGET', h, 'a:' .. lease))
    local amount = math.max(0, tonumber(actual))
    redis.call('HSET', h, 'a:' .. lease, amount)
    redis.call('HSET', h, 'tt', math.max(0, num(redis.call('HGET', h, 'tt')) + amount - old))
  end
end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
`

/** ARGV: ttlMs, then per key (KEYS are concurrency sets): count, lease ids. Extends leases still held. */
export const RENEW = `${COMMON}
local now = nowMs()
local ttl = tonumber(ARGV[1])
local p = 2
for j = 1, #KEYS do
  local n = tonumber(ARGV[p])
  for x = 1, n do redis.call('ZADD', KEYS[j], 'XX', now + ttl, ARGV[p + x]) end
  p = p + 1 + n
end
return 1
`

/**
 * KEYS: one limiter's h. ARGV: maxWaitMs, defaultResetMs, retryInMs ('' = none), count, then
 * count × (kind, remaining, resetInMs or ''), then channel, limiter id. UpstreamBudget.learn,
 * then publishes the limiter's whole learned state (relative times) so every instance mirrors it.
 */
export const LEARN = `${COMMON}
local h = KEYS[1]
local now = nowMs()
local maxWait, defaultReset = tonumber(ARGV[1]), tonumber(ARGV[2])
local retry = ARGV[3]
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local kind, rem, reset = ARGV[5 + i * 3], ARGV[6 + i * 3], ARGV[7 + i * 3]
  local resetAt = now + defaultReset
  if reset ~= '' then resetAt = now + tonumber(reset) end
  resetAt = math.min(resetAt, now + maxWait)
  if resetAt <= now then
    redis.call('HDEL', h, 'b:' .. kind .. ':rem', 'b:' .. kind .. ':reset', 'b:' .. kind .. ':spent')
  else
    redis.call('HSET', h, 'b:' .. kind .. ':rem', rem, 'b:' .. kind .. ':reset', resetAt, 'b:' .. kind .. ':spent', 0)
  end
end
if retry ~= '' then
  local untilAt = math.min(now + tonumber(retry), now + maxWait)
  redis.call('HSET', h, 'cool', math.max(num(redis.call('HGET', h, 'cool')), untilAt))
end
redis.call('PEXPIRE', h, maxWait + 60000)
expireBudgets(h, now)
local view = { budgets = {} }
local cool = num(redis.call('HGET', h, 'cool'))
if cool > now then view.cooldownMs = cool - now end
for _, kind in ipairs(KINDS) do
  local rem = redis.call('HGET', h, 'b:' .. kind .. ':rem')
  if rem then
    view.budgets[kind] = { remaining = tonumber(rem), resetMs = num(redis.call('HGET', h, 'b:' .. kind .. ':reset')) - now, spent = num(redis.call('HGET', h, 'b:' .. kind .. ':spent')) }
  end
end
local n2 = #ARGV
redis.call('PUBLISH', ARGV[n2 - 1], cjson.encode({ t = 'learn', id = ARGV[n2], view = view }))
return 1
`

/**
 * KEYS: 4 per limiter. ARGV: windowMs. Returns per limiter a JSON object: the team's RPM/TPM use,
 * requests in flight and learned upstream state (relative times). Read-only apart from pruning.
 */
export const READ = `${COMMON}
local now = nowMs()
local window = tonumber(ARGV[1])
local out = {}
for j = 1, #KEYS / 4 do
  local r, t, h, c = keysOf(j)
  local view = { budgets = {} }
  view.rpmUsed = redis.call('ZCOUNT', r, '(' .. (now - window), '+inf')
  pruneTokens(t, h, now - window)
  view.tpmUsed = num(redis.call('HGET', h, 'tt'))
  view.inFlight = redis.call('ZCOUNT', c, '(' .. now, '+inf')
  expireBudgets(h, now)
  local cool = num(redis.call('HGET', h, 'cool'))
  if cool > now then view.cooldownMs = cool - now end
  for _, kind in ipairs(KINDS) do
    local rem = redis.call('HGET', h, 'b:' .. kind .. ':rem')
    if rem then
      view.budgets[kind] = { remaining = tonumber(rem), resetMs = num(redis.call('HGET', h, 'b:' .. kind .. ':reset')) - now, spent = num(redis.call('HGET', h, 'b:' .. kind .. ':spent')) }
    end
  end
  out[j] = cjson.encode(view)
end
return out
`

/**
 * After a reconnect: what this instance admitted while it decided alone (or could not release).
 * KEYS: 4 per limiter. ARGV: windowMs, ttlMs, count, then count × (limiterIndex, leaseId, agoMs,
 * addRequest 0|1, tokens (-1 = none), open 0|1). Entries already present are left alone.
 */
export const RESYNC = `${COMMON}
local now = nowMs()
local window, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local keep = math.max(window, 600000, ttl) + 60000
for i = 0, n - 1 do
  local b = 4 + i * 6
  local r, t, h, c = keysOf(tonumber(ARGV[b]))
  local lease, ago = ARGV[b + 1], tonumber(ARGV[b + 2])
  local at = now - ago
  if ago < window then
    if ARGV[b + 3] == '1' then redis.call('ZADD', r, 'NX', at, lease); redis.call('PEXPIRE', r, keep) end
    local tokens = tonumber(ARGV[b + 4])
    if tokens >= 0 and redis.call('ZADD', t, 'NX', at, lease) == 1 then
      redis.call('HSET', h, 'a:' .. lease, tokens)
      redis.call('HINCRBYFLOAT', h, 'tt', tokens)
      redis.call('PEXPIRE', t, keep)
      redis.call('PEXPIRE', h, keep)
    end
  end
  if ARGV[b + 5] == '1' then redis.call('ZADD', c, now + ttl, lease); redis.call('PEXPIRE', c, keep) end
end
return 1
`
