-- Write a chat's document only while its lock is ours (fenced); with `release` also free
-- the lock (scripts.fenced_save). Returns 1 if written, 0 if the lock is not ours.
local lock, state, outbox = KEYS[1], KEYS[2], KEYS[3]
local token, blob, ttl_s, listed, now, chat_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local release = ARGV[7] == '1'

if redis.call('get', lock) ~= token then
    return 0
end
redis.call('set', state, blob, 'EX', ttl_s)
if listed == '1' then
    redis.call('zadd', outbox, now, chat_id)
else
    redis.call('zrem', outbox, chat_id)
end
if release then
    redis.call('del', lock)
end
return 1
