-- Take a chat's lock and read its document in one round trip (scripts.lock_and_load).
--
-- Waiters for a chat's lock queue by update id, so that of two updates of one chat handled
-- by two processes at once the earlier one goes first: `queue` is a sorted set (token by
-- update id), `waiters` a hash of each waiter's times (token -> last try in ms, and
-- token..':s' -> first try). A waiter that stops asking (its process died) is dropped after
-- `waiter_ttl` ms.
-- With an order window (`window` ms > 0) an update of Telegram's (`is_update`) also waits,
-- at most that long, until every update with a lower id has been received by some process:
-- Telegram numbers a bot's updates one after the other, so until then an earlier update of
-- this chat may still be on its way. `received` holds the ids received above
-- `received_below`, the highest id below which all were received; an update that waited the
-- whole window moves that mark up to itself (an id Telegram never sent does not hold back the
-- rest).
-- Returns {1, document or false} when the lock is taken, {0, retry-after ms} while inside the
-- order window, else {0, false}.
local lock, state, queue, waiters = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local received, received_below = KEYS[5], KEYS[6]
local token, lease_ms, update_id = ARGV[1], ARGV[2], ARGV[3]
local waiter_ttl, window, is_update = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'

local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('zadd', queue, update_id, token)
redis.call('hset', waiters, token, now)
redis.call('pexpire', queue, waiter_ttl)
redis.call('pexpire', waiters, waiter_ttl)
while true do
    local head = redis.call('zrange', queue, 0, 0)[1]
    if not head then break end
    local seen = tonumber(redis.call('hget', waiters, head) or '0')
    if seen + waiter_ttl >= now then break end
    redis.call('zrem', queue, head)
    redis.call('hdel', waiters, head, head .. ':s')
end
if window > 0 and is_update then
    local u = tonumber(update_id)
    local since = tonumber(redis.call('hget', waiters, token .. ':s') or now)
    if since == now then redis.call('hset', waiters, token .. ':s', now) end
    local low = tonumber(redis.call('get', received_below) or '-1')
    if low < 0 then low = u - 1 end
    if u > low then redis.call('zadd', received, u, update_id) end
    if now - since >= window and low < u - 1 then low = u - 1 end
    while true do
        local first = redis.call('zrange', received, 0, 0, 'WITHSCORES')
        if #first == 0 or tonumber(first[2]) > low + 1 then break end
        low = math.max(low, tonumber(first[2]))
        redis.call('zremrangebyrank', received, 0, 0)
    end
    redis.call('set', received_below, string.format('%d', low), 'PX', 86400000)
    redis.call('pexpire', received, 86400000)
    if low < u - 1 then
        return {0, math.max(1, math.min(5, window - (now - since)))}
    end
end
if redis.call('zrange', queue, 0, 0)[1] == token
        and redis.call('set', lock, token, 'NX', 'PX', lease_ms) then
    redis.call('zrem', queue, token)
    redis.call('hdel', waiters, token, token .. ':s')
    return {1, redis.call('get', state)}
end
return {0, false}
