-- The first `limit` chat ids of the outbox set whose document still exists; ids whose
-- document expired (TTL) are removed on the way (scripts.live_outbox).
local outbox = KEYS[1]
local state_prefix, limit = ARGV[1], tonumber(ARGV[2])

local found = {}
local start = 0
while #found < limit do
    local ids = redis.call('zrange', outbox, start, start + limit - 1)
    if #ids == 0 then break end
    local kept = 0
    for _, id in ipairs(ids) do
        if redis.call('exists', state_prefix .. id) == 1 then
            kept = kept + 1
            if #found < limit then table.insert(found, id) end
        else
            redis.call('zrem', outbox, id)
        end
    end
    start = start + kept
end
return found
