--[[
  Releases a repository lock if the caller still holds it (compare-and-delete).
  KEYS[1] repository lock key
  ARGV[1] token of the holder
  Returns 1 when released, 0 when the lock is gone or held by someone else.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
