--[[
  Extends a repository lock if the caller still holds it (compare-and-pexpire).
  KEYS[1] repository lock key
  ARGV[1] token of the holder
  ARGV[2] new time to live, in milliseconds
  Returns 1 when extended, 0 when the lock is gone or held by someone else.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
