-- Lua-side tests for stdlib/tables.lua; embed_test.go runs every global
-- Test* function as a Go subtest.
local tables = require "tables"

local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", tostring(got), tostring(want)), 2)
  end
end

local rows = {
  { id = 1, rep = "ann", total = 10 },
  { id = 2, rep = "bob", total = 30 },
  { id = 3, rep = "ann", total = 20 },
  { id = 4, total = 5 },
}

function TestFilterAndCount()
  local big = tables.filter(rows, function(r) return r.total >= 20 end)
  eq(#big, 2, "filtered")
  eq(big[1].id, 2)
  eq(tables.count(rows), 4)
  eq(tables.count(rows, function(r) return r.rep == "ann" end), 2)
  eq(#rows, 4, "the input is unchanged")
end

function TestMap()
  local ids = tables.map(rows, function(r) return r.id * 10 end)
  eq(ids[4], 40)
end

function TestGroupByKeepsFirstSeenOrder()
  local groups, order = tables.group_by(rows, "rep")
  eq(#order, 2, "a nil key is left out")
  eq(order[1], "ann")
  eq(order[2], "bob")
  eq(#groups.ann, 2)
  local by_parity = tables.group_by(rows, function(r) return r.id % 2 end)
  eq(#by_parity[0], 2)
end

function TestIndexBy()
  local by_id = tables.index_by(rows, "id")
  eq(by_id[3].total, 20)
end

function TestSortByWithNilsLast()
  local sorted = tables.sort_by(rows, "rep")
  eq(sorted[1].rep, "ann")
  eq(sorted[4].rep, nil, "nil sorts last")
  local desc = tables.sort_by(rows, "total", true)
  eq(desc[1].total, 30)
  eq(rows[1].id, 1, "the input is unchanged")
end

function TestKeys()
  local keys = tables.keys({ b = 1, a = 2, [2] = 3, [1] = 4 })
  eq(table.concat(keys, ","), "1,2,a,b")
end

function TestBadKeyNamesTheCaller()
  local ok, err = pcall(tables.group_by, rows, 42)
  assert(not ok and tostring(err):find("key must be a property name or a function"), tostring(err))
end
