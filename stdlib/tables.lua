-- tables: small helpers for filtering, grouping and joining lists of records.
-- Every function takes a list (a table with keys 1..n) and returns a new one;
-- the input is never changed. `key` arguments are either a property name or a
-- function(record) -> value.
local M = {}

local function keyfn(key)
  if type(key) == "function" then return key end
  if type(key) == "string" then return function(r) return r[key] end end
  error("key must be a property name or a function, got " .. type(key), 3)
end

-- filter(list, pred) -> the records for which pred(record) is true
function M.filter(list, pred)
  local out = {}
  for _, r in ipairs(list) do
    if pred(r) then out[#out + 1] = r end
  end
  return out
end

-- map(list, fn) -> {fn(record)...}
function M.map(list, fn)
  local out = {}
  for i, r in ipairs(list) do out[i] = fn(r) end
  return out
end

-- group_by(list, key) -> {[value] = {record...}}, plus the values in first-seen order
function M.group_by(list, key)
  local f = keyfn(key)
  local groups, order = {}, {}
  for _, r in ipairs(list) do
    local k = f(r)
    if k ~= nil then
      local g = groups[k]
      if not g then
        g = {}
        groups[k] = g
        order[#order + 1] = k
      end
      g[#g + 1] = r
    end
  end
  return groups, order
end

-- index_by(list, key) -> {[value] = record}; a later record with the same value wins
function M.index_by(list, key)
  local f = keyfn(key)
  local out = {}
  for _, r in ipairs(list) do
    local k = f(r)
    if k ~= nil then out[k] = r end
  end
  return out
end

-- sort_by(list, key, descending?) -> a sorted copy; nils sort last
function M.sort_by(list, key, descending)
  local f = keyfn(key)
  local out = {}
  for i, r in ipairs(list) do out[i] = r end
  table.sort(out, function(a, b)
    local ka, kb = f(a), f(b)
    if ka == nil then return false end
    if kb == nil then return true end
    if descending then return ka > kb end
    return ka < kb
  end)
  return out
end

-- count(list, pred?) -> number of records (matching pred)
function M.count(list, pred)
  if not pred then return #list end
  local n = 0
  for _, r in ipairs(list) do
    if pred(r) then n = n + 1 end
  end
  return n
end

-- keys(t) -> sorted list of the table's keys (numbers before strings)
function M.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta == "number" end
    return a < b
  end)
  return out
end

return M
