"""The Lua scripts of `RedisCommandQueue`: a script runs atomically in Redis, so a
submit's several writes land together and a claim's read and lease cannot interleave
with another worker's. They name command keys from a prefix they are given, so they
need a single Redis (not a cluster).

Keys (see `RedisKeys`): `stream` carries new commands to the consumer group; `due`
scores every delivered command waiting for a deadline, a RUNNING one by its lease end
and a QUEUED one (a retry) by its next attempt, both in microseconds since the epoch.
"""

from __future__ import annotations

# KEYS: key of the idempotency key, command hash, stream, due, counts, the command's
#       ledger hash
# ARGV: id, group, due_us ("" for at once), command key prefix, ledger key prefix,
#       fresh_after_us ("" for any age), skew_us, n, then n pairs (item, micros), then
#       field, value, ... of the command
# -> {1, id} when stored, {0, fields of the existing command} when the key was taken,
#    {2, id} when the id is taken (by a command of another key),
#    {3, {item, ...}} when snapshots are missing or too old, {4, {item, left, ...}} when
#    items fall short (see gateway/commands/ledger.py); nothing is stored then.
SUBMIT = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, redis.call('HGETALL', ARGV[4] .. existing)}
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {2, ARGV[1]}
end
local ledger, fresh_after, skew, n = ARGV[5], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
local stale, short = {}, {}
for i = 0, n - 1 do
  local item, wanted = ARGV[9 + 2 * i], tonumber(ARGV[10 + 2 * i])
  local snapshot = redis.call('HGET', ledger .. 'snapshots', item)
  local sep = snapshot and string.find(snapshot, ',', 1, true)
  local taken = sep and tonumber(string.sub(snapshot, sep + 1))
  if not taken or (fresh_after ~= '' and taken < tonumber(fresh_after)) then
    table.insert(stale, item)
  elseif sep > 1 then
    local held = 0
    for _, entry in ipairs(redis.call('HVALS', ledger .. 'item:' .. item)) do
      local colon = string.find(entry, ':', 1, true)
      if not colon then
        held = held + tonumber(entry)
      elseif tonumber(string.sub(entry, colon + 1)) > taken - skew then
        held = held + tonumber(string.sub(entry, 1, colon - 1))
      end
    end
    local left = tonumber(string.sub(snapshot, 1, sep - 1)) - held
    if left < wanted then
      table.insert(short, item)
      table.insert(short, string.format('%d', left))
    end
  end
end
if #stale > 0 then
  return {3, stale}
end
if #short > 0 then
  return {4, short}
end
for i = 0, n - 1 do
  local item, wanted = ARGV[9 + 2 * i], ARGV[10 + 2 * i]
  redis.call('HSET', ledger .. 'item:' .. item, ARGV[1], wanted)
  redis.call('HSET', KEYS[6], item, wanted)
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], unpack(ARGV, 9 + 2 * n))
if ARGV[3] == '' then
  redis.pcall('XGROUP', 'CREATE', KEYS[3], ARGV[2], '0', 'MKSTREAM')
  redis.call('XADD', KEYS[3], '*', 'id', ARGV[1])
else
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
end
redis.call('HINCRBY', KEYS[5], 'queued', 1)
return {1, ARGV[1]}
"""

# KEYS: none (single Redis: keys are named from the prefix)
# ARGV: ledger key prefix, skew_us, then (item, micros or "" for no limit, taken_us)...
# Each snapshot replaces an older one only, and the reservations released before it was
# taken (by more than the skew) are forgotten: it shows them.
PUT_SNAPSHOTS = """
local ledger, skew = ARGV[1], tonumber(ARGV[2])
for i = 3, #ARGV, 3 do
  local item, amount, taken = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local current = redis.call('HGET', ledger .. 'snapshots', item)
  local sep = current and string.find(current, ',', 1, true)
  local current_taken = sep and tonumber(string.sub(current, sep + 1))
  if not current_taken or taken > current_taken then
    redis.call('HSET', ledger .. 'snapshots', item, amount .. ',' .. ARGV[i + 2])
    current_taken = taken
  end
  local held = ledger .. 'item:' .. item
  local entries = redis.call('HGETALL', held)
  for j = 1, #entries, 2 do
    local colon = string.find(entries[j + 1], ':', 1, true)
    if colon and tonumber(string.sub(entries[j + 1], colon + 1)) <= current_taken - skew then
      redis.call('HDEL', held, entries[j])
    end
  end
end
return 1
"""

# KEYS: stream, due, counts
# ARGV: group, consumer, now_us, lease_until_us, lease_until (ISO), now (ISO),
#       command key prefix
# -> the fields of the claimed command, or an empty list.
#
# First the due set (a lease passed: its worker died; or a retry's time came), oldest
# deadline first, whose stream entry XCLAIM moves to this consumer; then the stream's new
# entries, through XREADGROUP, which hands each entry to one consumer only. An entry or a
# due member whose command is gone or not claimable is dropped, never claimed.
CLAIM = """
local function take(key, id, status, entry)
  redis.call('HSET', key, 'status', 'running', 'lease_until', ARGV[5], 'updated_at', ARGV[6])
  redis.call('HDEL', key, 'next_attempt_at')
  redis.call('HINCRBY', key, 'attempts', 1)
  if entry then
    redis.call('HSET', key, 'entry', entry)
  end
  redis.call('ZADD', KEYS[2], ARGV[4], id)
  if status == 'queued' then
    redis.call('HINCRBY', KEYS[3], 'queued', -1)
    redis.call('HINCRBY', KEYS[3], 'running', 1)
  end
  return redis.call('HGETALL', key)
end

redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
for _ = 1, 100 do
  local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, 1)
  if due[1] then
    local id = due[1]
    local key = ARGV[7] .. id
    local status = redis.call('HGET', key, 'status')
    if status == 'running' or status == 'queued' then
      local entry = redis.call('HGET', key, 'entry')
      if entry then
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry, 'JUSTID')
      end
      return take(key, id, status, false)
    end
    redis.call('ZREM', KEYS[2], id)
  else
    local read = redis.call(
      'XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
    if not read then
      return {}
    end
    local entry = read[1][2][1][1]
    local values = read[1][2][1][2]
    local id = values[2]
    local key = ARGV[7] .. id
    if redis.call('HGET', key, 'status') == 'queued' then
      return take(key, id, 'queued', entry)
    end
    redis.call('XACK', KEYS[1], ARGV[1], entry)
    redis.call('XDEL', KEYS[1], entry)
  end
end
return {}
"""
