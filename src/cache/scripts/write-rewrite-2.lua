--[[
  Stores a model rewrite A -> B under the fixpoint invariant, atomically:
  B becomes a fixpoint (overwriting anything), then A -> B is stored only if A has no entry at all.
  A rewrite never replaces a fixpoint or held entry ("keep the line" beats "change the line"), and the
  first rewrite stored for A wins, so a line already served one way is not served another way later.

  Legacy (shebang-less) script on purpose: under maxmemory with noeviction Redis refuses the first write
  with OOM and aborts the script, and once a write succeeded the rest are allowed, so it is all or nothing.

  Input:
    KEYS[1] A: the line the model was asked about
    KEYS[2] B: the model's answer (same scope, hence same hash slot)
    ARGV[1] the encoded rewrite value for A (tag byte + B's text)
    ARGV[2] the fixpoint marker
    ARGV[3] TTL of the rewrite in seconds, 0 = none

  Output:
    1 if A -> B was stored, 0 if A already had an entry
]]
redis.call('SET', KEYS[2], ARGV[2])
local ttl = tonumber(ARGV[3])
local stored
if ttl > 0 then
  stored = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ttl)
else
  stored = redis.call('SET', KEYS[1], ARGV[1], 'NX')
end
if stored then
  return 1
end
return 0
