// The Lua scripts that make claims, releases and listings atomic in Redis, and the key layout they work on.
#pragma once

#include <string_view>

namespace wshub::redis_scripts {

// Every script: KEYS[1] the owners hash (id -> node), KEYS[2] the order sorted set (id scored by its join time),
// KEYS[3] the join times hash (id -> microseconds since the epoch, by the owner's clock); ARGV[1] this node's id,
// ARGV[2] the prefix of the nodes' liveness keys.
// An id is free when nobody holds it or when its owner's liveness key has expired (the owner died).
inline constexpr std::string_view claim_functions = R"lua(
local function holder(id)
  local owner = redis.call('HGET', KEYS[1], id)
  if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. owner) == 1 then return owner end
  return nil
end
local function take(id, joined_at)
  redis.call('HSET', KEYS[1], id, ARGV[1])
  redis.call('HSET', KEYS[3], id, joined_at)
  redis.call('ZADD', KEYS[2], joined_at, id)
end
)lua";

// ARGV[3] the id, ARGV[4] its join time: 1 if this node now holds it, 0 if a live node does.
inline constexpr std::string_view claim = R"lua(
if holder(ARGV[3]) then return 0 end
take(ARGV[3], ARGV[4])
return 1
)lua";

// DUPLICATE_POLICY=replace. ARGV[3] the id, ARGV[4] its join time, ARGV[5] the broadcast stream, ARGV[6] the oldest
// stream id to keep: this node takes the id whoever holds it, and a live node that held it is told through the
// stream to close that connection (the one that joined at the time it registered) as replaced. Returns 1.
inline constexpr std::string_view claim_replacing = R"lua(
local owner = holder(ARGV[3])
if owner then
  local theirs = redis.call('HGET', KEYS[3], ARGV[3]) or '0'
  redis.call('XADD', ARGV[5], 'MINID', '~', ARGV[6], '*', 'close', owner, 'i', ARGV[3], 't', theirs, 'why', 'replaced')
end
take(ARGV[3], ARGV[4])
return 1
)lua";

// ARGV[3] the id: forgets it if this node holds it (a release that comes late never frees another's claim).
inline constexpr std::string_view release = R"lua(
if redis.call('HGET', KEYS[1], ARGV[3]) == ARGV[1] then
  redis.call('HDEL', KEYS[1], ARGV[3])
  redis.call('HDEL', KEYS[3], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[3])
end
return 1
)lua";

// After a reconnection. ARGV[3] the broadcast stream, ARGV[4] the oldest stream id to keep, ARGV[5] the duplicate
// policy, ARGV[6..] every id this node holds with its join time (id, time, id, time...), in connection order.
// Forgets the ids it no longer holds (released while Redis was out of reach) and claims the others again. Where a
// live node holds one of them too, one connection loses: the later one with "refuse", the earlier with "replace".
// If this node's loses, its id is returned (this node closes it); if the other's does, this node takes the id and
// tells the holder, through the stream, to close its connection.
inline constexpr std::string_view reregister = R"lua(
local mine = {}
local replace = ARGV[5] == 'replace'
for i = 6, #ARGV, 2 do mine[ARGV[i]] = true end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i + 1] == ARGV[1] and not mine[all[i]] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('HDEL', KEYS[3], all[i])
    redis.call('ZREM', KEYS[2], all[i])
  end
end
local refused = {}
for i = 6, #ARGV, 2 do
  local id, joined_at = ARGV[i], ARGV[i + 1]
  local owner = holder(id)
  if owner then
    local theirs = redis.call('HGET', KEYS[3], id)
    local ours_wins = theirs and (replace and tonumber(joined_at) > tonumber(theirs)
                                  or not replace and tonumber(joined_at) < tonumber(theirs))
    if ours_wins then
      local why = replace and 'replaced' or 'duplicate'
      redis.call('XADD', ARGV[3], 'MINID', '~', ARGV[4], '*', 'close', owner, 'i', id, 't', theirs, 'why', why)
      take(id, joined_at)
    else
      refused[#refused + 1] = id
    end
  else
    take(id, joined_at)
  end
end
return refused
)lua";

// ARGV[3] an id: {node, join time} of the live node other than this one that holds it, or nil.
inline constexpr std::string_view locate = R"lua(
local owner = holder(ARGV[3])
if owner then return {owner, redis.call('HGET', KEYS[3], ARGV[3])} end
return false
)lua";

// The ids held by live nodes, in connection order; the entries of dead nodes are removed on the way.
inline constexpr std::string_view list = R"lua(
local live, alive = {}, {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local owner = redis.call('HGET', KEYS[1], id)
  local up = false
  if owner then
    if alive[owner] == nil then alive[owner] = redis.call('EXISTS', ARGV[2] .. owner) == 1 end
    up = alive[owner]
  end
  if up then
    live[#live + 1] = id
  else
    redis.call('ZREM', KEYS[2], id)
    if owner then
      redis.call('HDEL', KEYS[1], id)
      redis.call('HDEL', KEYS[3], id)
    end
  end
end
return live
)lua";

// KEYS[1] the broadcast stream, KEYS[2] the set of node ids; ARGV[1] the liveness key prefix, ARGV[2] the oldest
// id to keep (the replay window), ARGV[3..6] origin node, its sequence number, the message, the origin's run (its
// process's random id). Returns the nodes live at the moment of the XADD: exactly those whose count the origin waits
// for. Dead nodes leave the set.
inline constexpr std::string_view publish = R"lua(
redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'o', ARGV[3], 's', ARGV[4], 'm', ARGV[5], 'run', ARGV[6])
local live = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. node) == 1 then live[#live + 1] = node else redis.call('SREM', KEYS[2], node) end
end
return live
)lua";

// A request to clients on other nodes. KEYS[1] the owners hash, KEYS[2] the broadcast stream; ARGV[1] this node's
// id, ARGV[2] the liveness key prefix, ARGV[3] the oldest stream id to keep, ARGV[4] this node's sequence number of
// the request, ARGV[5] what to do ("send" or "close"), ARGV[6] the text (the message, or the close reason), ARGV[7]
// the close code, ARGV[8..] the ids. Writes one stream entry per live node holding some of them, in the order of
// the broadcasts, so that the nodes carry it out in that order. Returns {the ids no other live node holds, {node,
// {its ids}}, ...}.
inline constexpr std::string_view route = R"lua(
local missing, nodes, ids_of, alive = {}, {}, {}, {}
for i = 8, #ARGV do
  local owner = redis.call('HGET', KEYS[1], ARGV[i])
  if owner and owner ~= ARGV[1] and alive[owner] == nil then
    alive[owner] = redis.call('EXISTS', ARGV[2] .. owner) == 1
  end
  if owner and owner ~= ARGV[1] and alive[owner] then
    if not ids_of[owner] then
      ids_of[owner] = {}
      nodes[#nodes + 1] = owner
    end
    table.insert(ids_of[owner], ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
local routed = {missing}
for _, node in ipairs(nodes) do
  redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[3], '*', 'to', node, 'from', ARGV[1], 'seq', ARGV[4],
             'op', ARGV[5], 'ids', table.concat(ids_of[node], ','), 'text', ARGV[6], 'code', ARGV[7])
  routed[#routed + 1] = {node, ids_of[node]}
end
return routed
)lua";

}  // namespace wshub::redis_scripts
