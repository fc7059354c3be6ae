--[[
  Forgets a maintainer's rejection: deletes K only if it holds a rejection recorded from the pull request
  (and in the way) the caller names, so forgetting one pull request never removes what another recorded.

  Input:
    KEYS[1] K: the rejection key of a unit
    ARGV[1] the start every matching encoded rejection has (tag, pull request number, ':', and optionally
            the way it was recorded and a tab)

  Output:
    1 if K was deleted, 0 if it held nothing or something else
]]
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
