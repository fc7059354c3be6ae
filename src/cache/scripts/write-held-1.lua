--[[
  Stores a held entry for A (the model's answer was rejected; the line stays as it is), unless A is a
  fixpoint. It replaces a rewrite or an older held entry: a run that kept A must find A kept on re-run.

  Input:
    KEYS[1] A: the line
    ARGV[1] the encoded held value (tag byte + reason)
    ARGV[2] the fixpoint marker
    ARGV[3] TTL in seconds, 0 = none

  Output:
    1 if stored, 0 if A is a fixpoint
]]
if redis.call('GET', KEYS[1]) == ARGV[2] then
  return 0
end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
