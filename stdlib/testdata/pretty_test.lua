-- Lua-side tests for stdlib/pretty.lua; embed_test.go runs every global
-- Test* function as a Go subtest.
local pretty = require "pretty"

local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s:\n--- got\n%s\n--- want\n%s", what or "value", tostring(got), tostring(want)), 2)
  end
end

-- a custom table that raises for any name not present, like the reader's
local raising = { __index = function(_, k) error("customers has no custom field " .. tostring(k)) end }

local function records(n)
  local out = {}
  for i = 1, n do
    out[i] = {
      id = i,
      name = "Customer " .. i,
      total = i * 1.5,
      custom = setmetatable({ ["Credit Limit (R)"] = i * 100 }, raising),
    }
  end
  return out
end

function TestScalars()
  eq(pretty.format(3.0), "3", "integers print without .0")
  eq(pretty.format(0.25), "0.25")
  eq(pretty.format("a \"b\"\n"), [["a \"b\"\n"]], "strings quoted and escaped")
  eq(pretty.format(nil), "nil")
  eq(pretty.format(true), "true")
  eq(pretty.format({}), "{}")
  assert(pretty.format(print):find("^function"), "functions name their type")
end

function TestTables()
  eq(pretty.format({ 1, 2, "x" }), '{1, 2, "x"}')
  eq(pretty.format({ a = 1, ["Credit Limit (R)"] = 2, ["end"] = 3 }), '{a = 1, ["Credit Limit (R)"] = 2, ["end"] = 3}')
  eq(pretty.format({ 1, 2, n = 2 }), "{1, 2, n = 2}")
end

function TestDepthLimit()
  local t = { a = { b = { c = { d = 1 } } } }
  eq(pretty.format(t), "{a = {b = {c = {…}}}}")
  eq(pretty.format(t, { depth = 1 }), "{a = {…}}")
  eq(pretty.format(t, { depth = 5 }), "{a = {b = {c = {d = 1}}}}")
end

function TestCycles()
  local t = { name = "loop" }
  t.self = t
  eq(pretty.format(t), '{name = "loop", self = <cycle>}')
  local shared = { 1 }
  eq(pretty.format({ shared, shared }), "{{1}, {1}}", "a table seen twice is not a cycle")
end

function TestRowLimitOnLists()
  local list = {}
  for i = 1, 100 do list[i] = i end
  eq(pretty.format(list, { rows = 3 }), "{1, 2, 3, … 97 more}")
end

function TestWideTablesBreakLines()
  local t = { first = string.rep("a", 50), second = string.rep("b", 50) }
  eq(pretty.format(t), '{\n  first = "' .. string.rep("a", 50) .. '",\n  second = "' .. string.rep("b", 50) .. '"\n}')
end

function TestRecordListIsATable()
  local got = pretty.format(records(3))
  eq(got, table.concat({
    "#  id  name        total  custom.Credit Limit (R)",
    "-  --  ----------  -----  -----------------------",
    "1   1  Customer 1    1.5                      100",
    "2   2  Customer 2      3                      200",
    "3   3  Customer 3    4.5                      300",
  }, "\n"))
end

function TestRecordListRowLimitAndWidth()
  local got = pretty.format(records(1000), { rows = 2, width = 30 })
  eq(got, table.concat({
    "#  id  name        total",
    "-  --  ----------  -----",
    "1   1  Customer 1    1.5",
    "2   2  Customer 2      3",
    "… 998 more rows (1000 in all)",
    "(1 more column: custom.Credit Limit (R))",
  }, "\n"))
end

function TestRecordCellsAreCut()
  local got = pretty.format({ { id = 1, note = string.rep("é", 60), where = { lat = 1, lon = 2 } } })
  local line = got:match("\n[^\n]*\n([^\n]*)")
  assert(line:find(string.rep("é", 39) .. "…", 1, true), "long text cut to 40 characters: " .. line)
  assert(line:find("{lat = 1, lon = 2}", 1, true), "nested tables inline: " .. line)
end

function TestNeverTouchesRaisingIndex()
  local r = records(1)[1]
  local got = pretty.format(r)
  assert(got:find('custom = {["Credit Limit (R)"] = 100}', 1, true), got)
  local lenless = setmetatable({}, { __len = function() error("no length") end, __index = raising.__index })
  eq(pretty.format({ x = lenless }), "{x = {}}")
end

function TestBadOptions()
  local ok, err = pcall(function() pretty.format(1, { rows = 0 }) end)
  assert(not ok and err:find("rows must be a whole number >= 1", 1, true) and err:find("pretty_test.lua", 1, true), err)
  ok, err = pcall(function() pretty.format(1, { colour = true }) end)
  assert(not ok and err:find('unknown option "colour"', 1, true), err)
end

function TestPrintWritesTheFormat()
  local printed
  local real = print
  print = function(s) printed = s end
  pretty.print({ a = 1 })
  print = real
  eq(printed, "{a = 1}")
end
