-- A waiter that gave up (timeout, cancelled) leaves the chat's queue (scripts.leave_queue).
local queue, waiters = KEYS[1], KEYS[2]
local token = ARGV[1]

redis.call('zrem', queue, token)
redis.call('hdel', waiters, token, token .. ':s')
return 1
