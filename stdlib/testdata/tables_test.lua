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

-- Helpers for the tests below --------------------------------------------

local function ids(list)
  local out = {}
  for i, r in ipairs(list) do out[i] = tostring(r.id) end
  return table.concat(out, ",")
end

local function raises(pattern, fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "error " .. tostring(err) .. " does not contain " .. pattern)
  return tostring(err)
end

-- custom tables raise on a name no form defines, like the reader's
local names = { ["Credit Limit (R)"] = "Credit Limit (R)", credit_limit_r = "Credit Limit (R)", Region = "Region" }
local custom_meta = {
  __index = function(t, k)
    local key = names[k]
    if key == nil then error("customers has no custom field " .. string.format("%q", tostring(k))) end
    return rawget(t, key)
  end,
}
local function customer(id, name, limit, region)
  return { id = id, name = name, custom = setmetatable({ ["Credit Limit (R)"] = limit, Region = region }, custom_meta) }
end
local customers = {
  customer(1, "Acme", 500, "North"),
  customer(2, "Bolt", nil, "South"),
  customer(3, "Cog", 900, "North"),
  customer(4, "Dent", 500, nil),
}

-- filter / partition / count / first / find -------------------------------

function TestFilterForms()
  eq(ids(tables.filter(rows, "rep", "ann")), "1,3", "key = value")
  eq(ids(tables.filter(rows, "rep")), "1,2,3", "key is set")
  eq(ids(tables.filter(customers, "custom.Region", "North")), "1,3", "custom field by display name")
  eq(ids(tables.filter(customers, "custom.credit_limit_r", 500)), "1,4", "custom field by identifier")
  eq(#tables.filter({}, "rep", "ann"), 0, "empty list")
  raises("bad argument #1 to 'filter' (list expected, got nil)", tables.filter, nil, "x")
end

function TestCustomTypoRaises()
  raises('no custom field "Regoin"', tables.filter, customers, "custom.Regoin", "North")
end

function TestPartition()
  local yes, no = tables.partition(rows, function(r) return r.total > 10 end)
  eq(ids(yes), "2,3")
  eq(ids(no), "1,4")
  yes, no = tables.partition(rows, "rep", "bob")
  eq(ids(yes), "2")
  eq(ids(no), "1,3,4")
end

function TestCountForms()
  eq(tables.count(rows, "rep"), 3)
  eq(tables.count(rows, "rep", "ann"), 2)
  eq(tables.count({}), 0)
end

function TestFirstAndFind()
  local r, i = tables.first(rows)
  eq(r.id, 1); eq(i, 1)
  r, i = tables.first(rows, function(x) return x.total > 15 end)
  eq(r.id, 2); eq(i, 2)
  r, i = tables.find(rows, "rep", "ann")
  eq(r.id, 1); eq(i, 1)
  eq(tables.find(rows, "rep", "zed"), nil, "not found")
  eq(tables.first({}), nil, "empty list")
  raises("bad argument #3 to 'find'", tables.find, rows, "rep")
end

-- map ---------------------------------------------------------------------

function TestMapByKey()
  local reps = tables.map(rows, "rep")
  eq(reps[1], "ann"); eq(reps[4], nil, "a hole for a nil")
  eq(tables.map(customers, "custom.Credit Limit (R)")[3], 900)
  eq(#tables.map({}, "x"), 0)
end

-- sort_by -----------------------------------------------------------------

function TestSortByManyKeysAndStability()
  local list = {
    { id = 1, rep = "bob", total = 10 },
    { id = 2, rep = "ann", total = 10 },
    { id = 3, rep = "ann", total = 30 },
    { id = 4, rep = "bob", total = 10 },
    { id = 5, total = 10 },
  }
  eq(ids(tables.sort_by(list, { "-total", "rep" })), "3,2,1,4,5", "desc then asc, nil rep last, ties keep order")
  eq(ids(tables.sort_by(list, "total")), "1,2,4,5,3", "stable on ties")
  eq(ids(tables.sort_by(list, "-total")), "3,1,2,4,5")
  eq(ids(tables.sort_by(list, { { function(r) return r.rep end, desc = true }, "id" })), "1,4,2,3,5", "function key, desc, nils last")
  eq(ids(tables.sort_by(list, { { "id", desc = true } })), "5,4,3,2,1")
  eq(ids(tables.sort_by(list, { "id", desc = true })), "5,4,3,2,1", "one {key, desc} entry alone")
  eq(ids(tables.sort_by(list, "rep", true)), "1,4,2,3,5", "old form: descending flag, nils still last")
end

function TestSortByCustomField()
  eq(ids(tables.sort_by(customers, { "-custom.Credit Limit (R)", "name" })), "3,1,4,2")
end

function TestSortByEdgeCases()
  eq(#tables.sort_by({}, "x"), 0, "empty")
  eq(ids(tables.sort_by({ { id = 1 }, { id = 2 } }, "missing")), "1,2", "all nil keeps order")
  raises("cannot order the values of \"v\"", tables.sort_by, { { v = 1 }, { v = "a" } }, "v")
  raises("bad argument #2 to 'sort_by' (empty list of keys)", tables.sort_by, rows, {})
  raises("bad argument #2 to 'sort_by' (key must be a property name or a function, got number)", tables.sort_by, rows, 3)
end

-- group_by / index_by -----------------------------------------------------

function TestGroupByCustomField()
  local groups, order = tables.group_by(customers, "custom.Region")
  eq(table.concat(order, ","), "North,South")
  eq(ids(groups.North), "1,3")
end

function TestIndexByLaterWins()
  local by_rep = tables.index_by(rows, "rep")
  eq(by_rep.ann.id, 3)
  eq(by_rep[nil == nil and "none" or 1], nil)
end

-- join --------------------------------------------------------------------

local orders = {
  { id = 10, customer_id = 1 },
  { id = 11, customer_id = 9 },
  { id = 12, customer_id = 3 },
  { id = 13 },
}

function TestJoinInner()
  local out = tables.join(orders, customers, { "customer_id", "id" })
  eq(#out, 2)
  eq(out[1].left.id, 10); eq(out[1].right.name, "Acme")
  eq(out[2].left.id, 12); eq(out[2].right.name, "Cog")
end

function TestJoinNamesAndDuplicates()
  local lines = { { order = 10, sku = "a" }, { order = 10, sku = "b" }, { order = 12, sku = "c" } }
  local out = tables.join(orders, lines, { "id", "order" }, { as = { "order", "line" } })
  eq(#out, 3, "one row per matching pair")
  eq(out[1].order.id, 10); eq(out[1].line.sku, "a")
  eq(out[2].line.sku, "b")
  eq(out[3].order.id, 12)
end

function TestLeftJoin()
  local out = tables.left_join(orders, customers, { "customer_id", "id" })
  eq(#out, 4)
  eq(out[2].left.id, 11); eq(out[2].right, nil, "unmatched keeps right nil")
  eq(out[4].right, nil, "a nil key never matches")
  local same = tables.join(orders, customers, { "customer_id", "id" }, { kind = "left" })
  eq(#same, 4)
end

function TestJoinOnFunctionsAndSharedKey()
  local out = tables.join(orders, customers, { function(o) return o.customer_id end, function(c) return c.id end })
  eq(#out, 2)
  out = tables.join({ { id = 1 } }, customers, "id")
  eq(out[1].right.name, "Acme")
end

function TestJoinBadArguments()
  raises("bad argument #2 to 'join' (list expected, got nil)", tables.join, orders, nil, "id")
  raises("bad argument #3 to 'join' (on must be a key or a pair", tables.join, orders, customers, {})
  raises('unknown option "how"', tables.join, orders, customers, "id", { how = "left" })
  raises('kind must be "inner" or "left"', tables.join, orders, customers, "id", { kind = "outer" })
end

-- totals ------------------------------------------------------------------

function TestSumAvgMinMax()
  eq(tables.sum(rows, "total"), 65)
  eq(tables.sum({}, "total"), 0, "sum of nothing")
  eq(tables.avg(rows, "total"), 65 / 4)
  eq(tables.avg({}, "total"), nil, "avg of nothing")
  eq(tables.avg(customers, "custom.Credit Limit (R)"), (500 + 900 + 500) / 3, "nils skipped")
  local v, r = tables.min(rows, "total")
  eq(v, 5); eq(r.id, 4)
  v, r = tables.max(customers, "custom.Credit Limit (R)")
  eq(v, 900); eq(r.id, 3)
  eq(tables.max({}, "total"), nil)
  eq(tables.min(rows, "rep"), "ann", "strings compare too")
end

function TestTotalsOnMixedTypesRaise()
  local mixed = { { v = 1 }, { v = "x" } }
  raises('"v" of record 2 is a string, not a number', tables.sum, mixed, "v")
  raises("bad argument #2 to 'max' (cannot compare the values", tables.max, mixed, "v")
end

function TestAggregate()
  local out = tables.aggregate(rows, "rep", {
    total = { "sum", "total" }, n = { "count" }, avg = { "avg", "total" },
    low = { "min", "total" }, high = { "max", "total" }, first = { "first", "id" }, last = { "last", "id" },
  })
  eq(#out, 3, "ann, bob and the nil group")
  eq(out[1].rep, "ann"); eq(out[1].total, 30); eq(out[1].n, 2); eq(out[1].avg, 15)
  eq(out[1].low, 10); eq(out[1].high, 20); eq(out[1].first, 1); eq(out[1].last, 3)
  eq(out[2].rep, "bob"); eq(out[2].n, 1)
  eq(out[3].rep, nil, "records without the key form their own group"); eq(out[3].total, 5)
end

function TestAggregateManyKeysAndNoKey()
  local out = tables.aggregate(customers, { "custom.Region", { function(c) return c.id % 2 end, as = "odd" } },
    { n = { "count" }, limits = { "count", "custom.Credit Limit (R)" }, avg = { "avg", "custom.Credit Limit (R)" } })
  eq(#out, 3)
  eq(out[1]["custom.Region"], "North"); eq(out[1].odd, 1); eq(out[1].n, 2); eq(out[1].limits, 2)
  eq(out[2]["custom.Region"], "South"); eq(out[2].odd, 0); eq(out[2].limits, 0); eq(out[2].avg, nil, "avg of nothing is nil")
  eq(out[3]["custom.Region"], nil); eq(out[3].odd, 0); eq(out[3].avg, 500)
  local all = tables.aggregate(rows, nil, { n = { "count" }, total = { "sum", "total" } })
  eq(#all, 1); eq(all[1].n, 4); eq(all[1].total, 65)
  eq(#tables.aggregate({}, "rep", { n = { "count" } }), 0, "empty list, no rows")
  eq(#tables.aggregate({}, nil, { n = { "count" } }), 0)
  -- One {fn, as = name} entry as the whole by, and an op given as a string.
  local odd = tables.aggregate(customers, { function(c) return c.id % 2 end, as = "odd" }, { n = "count" })
  eq(#odd, 2); eq(odd[1].odd, 1); eq(odd[1].key, nil); eq(odd[1].n + odd[2].n, #customers)
  -- A misspelt custom field in by raises at the call, naming the closest.
  raises("bad argument #2 to 'aggregate'", tables.aggregate, customers, { "custom.Regoin" }, { n = "count" })
end

function TestAggregateBadSpec()
  raises("bad argument #3 to 'aggregate' (n: expected {op, key}", tables.aggregate, rows, "rep", { n = { "median", "total" } })
  raises("total: sum needs a key", tables.aggregate, rows, "rep", { total = { "sum" } })
  raises('"v" of record 2 is a string', tables.aggregate, { { v = 1 }, { v = "x" } }, nil, { s = { "sum", "v" } })
end

-- small things ------------------------------------------------------------

function TestUnique()
  eq(ids(tables.unique(rows, "rep")), "1,2,4", "first of each, nil once")
  eq(table.concat(tables.unique({ 3, 1, 3, 2, 1 }), ","), "3,1,2", "scalars")
  eq(#tables.unique({}), 0)
end

function TestTakeSkip()
  eq(ids(tables.take(rows, 2)), "1,2")
  eq(ids(tables.take(rows, 10)), "1,2,3,4", "more than there are")
  eq(#tables.take(rows, 0), 0)
  eq(ids(tables.skip(rows, 3)), "4")
  eq(#tables.skip(rows, 10), 0)
  raises("bad argument #2 to 'take' (a whole number >= 0 expected, got -1)", tables.take, rows, -1)
  raises("bad argument #2 to 'skip' (a whole number >= 0 expected, got string)", tables.skip, rows, "2")
end

function TestFlatten()
  eq(table.concat(tables.flatten({ { 1, 2 }, {}, { 3 }, 4 }), ","), "1,2,3,4")
  local out = tables.flatten({ { rows[1] }, rows[2] })
  eq(out[2].id, 2, "records are kept whole")
end

-- CHUNK is this file's chunk name ("testdata/tables_test.lua"): errors
-- must name it, as they name a script, never stdlib/tables.lua.
local CHUNK = debug.getinfo(1, "S").source

-- raised_here checks that fn, a one-line function, raises one bad-argument
-- message that starts with its own line: the script's line, not one inside
-- tables.lua, and no second position inside the message.
local function raised_here(fn)
  local ok, err = pcall(fn)
  local line = debug.getinfo(fn, "S").linedefined
  assert(not ok, "expected an error")
  err = tostring(err)
  local want = CHUNK .. ":" .. line .. ": bad argument #"
  assert(err:sub(1, #want) == want, "error should start with " .. want .. ": " .. err)
  assert(not err:find("tables.lua", 1, true) and not err:find("\n", 1, true), "one line, no stdlib position: " .. err)
  return err
end

function TestErrorsNameTheCallersLine()
  raised_here(function() tables.sort_by(nil, "x") end)
  raised_here(function() tables.sort_by(rows, { "x", 5 }) end)
  raised_here(function() tables.sort_by({ { v = 1 }, { v = "a" } }, "v") end)
  raised_here(function() tables.filter(rows, 5) end)
  raised_here(function() tables.join(orders, customers, {}) end)
  raised_here(function() tables.join(orders, nil, "id") end)
  raised_here(function() tables.left_join(orders, customers, "id", { kind = "x" }) end)
  raised_here(function() tables.join(orders, customers, 5) end)
  raised_here(function() tables.aggregate(rows, 42, { n = { "count" } }) end)
  raised_here(function() tables.aggregate(rows, "rep", { n = { "count", 42 } }) end)
  raised_here(function() tables.aggregate(rows, "rep", { n = { "nope" } }) end)
  raised_here(function() tables.aggregate({ { v = "x" } }, nil, { s = { "sum", "v" } }) end)
  raised_here(function() tables.max(nil, "x") end)
  raised_here(function() tables.max(rows, 5) end)
  raised_here(function() tables.max({ { v = 1 }, { v = "a" } }, "v") end)
  raised_here(function() tables.sum({ { v = "x" } }, "v") end)
  raised_here(function() tables.first(rows, 5) end)
  raised_here(function() tables.find(rows, "rep") end)
  raised_here(function() tables.take(rows, -1) end)
  raised_here(function() tables.unique(rows, 5) end)
  raised_here(function() tables.group_by(rows, 42) end)
end

function TestCustomTypoNamesTheCaller()
  -- The custom table raises from inside its __index (like the reader's Go
  -- one); the message must still be the script's line and one line.
  local err = raised_here(function() tables.sort_by(customers, "custom.Regoin") end)
  assert(err:find([[bad argument #2 to 'sort_by' (customers has no custom field "Regoin")]], 1, true), err)
  raised_here(function() tables.filter(customers, "custom.Regoin", "North") end)
  raised_here(function() tables.group_by(customers, "custom.Regoin") end)
  raised_here(function() tables.sum(customers, "custom.Regoin") end)
  raised_here(function() tables.aggregate(customers, "custom.Regoin", { n = { "count" } }) end)
  raised_here(function() tables.aggregate(customers, nil, { s = { "sum", "custom.Regoin" } }) end)
  raised_here(function() tables.join(customers, customers, { "id", "custom.Regoin" }) end)
  raised_here(function() tables.first(customers, "custom.Regoin") end)
  raised_here(function() tables.max(customers, "custom.Regoin") end)
end

function TestErrorsInsideFunctionsNameThatFunction()
  -- A helper called from a script's own function names the line in that
  -- function, and a tail call (whose frame Lua drops) still names this
  -- file, not tables.lua.
  local function helper() local out = tables.take(rows, -1); return out end
  local ok, err = pcall(helper)
  local want = CHUNK .. ":" .. debug.getinfo(helper, "S").linedefined .. ": bad argument #2 to 'take'"
  assert(not ok and err:sub(1, #want) == want, err)
  ok, err = pcall(function() return tables.take(rows, -1) end)
  assert(not ok and err:sub(1, #CHUNK + 1) == CHUNK .. ":", err)
end

function TestJoinKeysOfDifferentTypesRaise()
  local orders7 = { { id = 1, customer_id = 7 } }
  local from_csv = { { id = "7", name = "Acme" } }
  local msg = "bad argument #3 to 'join' (left keys are numbers, right keys are strings; convert one side with tonumber/tostring)"
  eq(raised_here(function() tables.join(orders7, from_csv, { "customer_id", "id" }) end):match("bad argument.*"), msg)
  raises("left keys are strings, right keys are numbers", tables.left_join, from_csv, orders7, { "id", "customer_id" })
  raised_here(function() tables.join(orders7, from_csv, { "customer_id", "id" }, { kind = "left" }) end)
  -- converted, it matches
  local out = tables.join(orders7, from_csv, { "customer_id", function(c) return tonumber(c.id) end })
  eq(#out, 1, "converted keys match")
  -- no match with keys of one type is just an empty join
  eq(#tables.join(orders7, { { id = 8 } }, { "customer_id", "id" }), 0, "same types, no match")
  eq(#tables.join(orders7, {}, { "customer_id", "id" }), 0, "nothing on the right")
  eq(#tables.join({ { customer_id = nil } }, from_csv, { "customer_id", "id" }), 0, "only nil keys on the left")
  -- one match is enough: mixed lists are the script's business
  eq(#tables.join({ { customer_id = 7 }, { customer_id = "7" } }, from_csv, { "customer_id", "id" }), 1, "some match")
end

-- Paths go as deep as the rows do: after a join, "right.custom.Region"
-- reads the customer's custom field (the rest after "custom." is one name,
-- dots and all), a missing step reads nil, and a misspelt field raises at
-- the script's line even when the first rows have no right side.
function TestDeepPathsAfterAJoin()
  local orders = { { id = 10, cid = 9 }, { id = 11, cid = 1 }, { id = 12, cid = 3 }, { id = 13, cid = 2 } }
  local joined = tables.left_join(orders, customers, { "cid", "id" })
  eq(joined[1].right, nil, "the first row has no customer")
  eq(ids(tables.map(tables.filter(joined, "right.custom.Region", "North"), function(r) return r.left end)), "11,12", "filter on a deep path")
  local agg = tables.aggregate(joined, { "right.custom.Region", "right.name" }, { n = "count" })
  eq(#agg, 4, "one row per region and name, the unmatched order in a group of its own")
  eq(agg[2]["right.custom.Region"], "North", "the second key is a column too")
  eq(agg[2]["right.name"], "Acme")
  eq(tables.sort_by(joined, { "-right.custom.Region", "left.id" })[1].left.id, 13, "sort_by on a deep path")
  local dotted = { { a = { custom = setmetatable({ ["No. of staff"] = 7 }, {}) } } }
  eq(tables.map(dotted, "a.custom.No. of staff")[1], 7, "a custom name keeps its dots")
  eq(tables.map({ { a = "text" } }, "a.b.c")[1], nil, "a step that is not a table reads nil")
  eq(tables.map({ { id = 5 } }, "id.x")[1], nil, "a number is no table either")
  eq(tables.map({ { name = "x" } }, "name.len")[1], nil, "nor is a string")
  eq(tables.map({ { items = { { price = 4 }, { price = 6 } } } }, "items.2.price")[1], 6, "a step of digits is a list position")
  raised_here(function() tables.map(rows, "a..b") end)
  raised_here(function() tables.filter(rows, "a.") end)
  raised_here(function() tables.filter(rows, "custom.") end)
  local err = raised_here(function() tables.filter(joined, "right.custom.Regoin", "North") end)
  assert(err:find([[customers has no custom field "Regoin"]], 1, true), err)
  raised_here(function() tables.aggregate(joined, { "left.id", "right.custom.Regoin" }, { n = "count" }) end)
end

function TestSortByBooleans()
  local flags = { { id = 1, on = true }, { id = 2, on = false }, { id = 3 }, { id = 4, on = true }, { id = 5, on = false } }
  eq(ids(tables.sort_by(flags, "on")), "2,5,1,4,3", "false before true, nil last, stable")
  eq(ids(tables.sort_by(flags, "-on")), "1,4,2,5,3", "descending: true first, nil still last")
  eq(flags[1].on, true, "the records keep their booleans")
  raised_here(function() tables.sort_by({ { v = true }, { v = 1 } }, "v") end)
end
