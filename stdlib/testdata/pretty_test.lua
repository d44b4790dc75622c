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

function TestNumbersPrintAsLua51()
  -- gopher-lua's tostring gives 7.55759407e+06 and 0.30000000000000004;
  -- Lua 5.1 (%.14g) gives what people expect.
  eq(pretty.format(7557594.07), "7557594.07")
  eq(pretty.format(0.1 + 0.2), "0.3")
  eq(pretty.format(1e15), "1000000000000000", "whole numbers in full")
  eq(pretty.format(-42), "-42")
  eq(pretty.format(1e100), "1e+100")
  eq(pretty.format(2 ^ 53 + 2 ^ 11), "9.007199254743e+15", "beyond exact integers: %.14g")
  eq(pretty.format(1.25e-8), "1.25e-08")
  eq(pretty.format(1 / 0), "inf")
  eq(pretty.format(-1 / 0), "-inf")
  eq(pretty.format(0 / 0), "nan")
  eq(pretty.format({ 7557594.07, x = 0.1 + 0.2 }), "{7557594.07, x = 0.3}")
  local got = pretty.format({ { id = 1, total = 7557594.07 }, { id = 2, total = 1e15 } })
  assert(got:find("   7557594.07\n", 1, true) and got:find("1000000000000000", 1, true), got)
end

-- wide_record has more keys than fit in rows, in this insertion order
-- (gopher-lua's next keeps it), with custom last as the reader builds it.
local function wide_record()
  local r = {}
  for _, k in ipairs({ "a", "b", "c", "d", "e" }) do r[k] = 1 end
  r.custom = setmetatable({ Region = "North" }, raising)
  return r
end

function TestHiddenKeysAreNamedAndCustomShown()
  local got = pretty.format(wide_record(), { rows = 3 })
  eq(got, '{a = 1, b = 1, custom = {Region = "North"}, … 3 more: c, d, e}')
  local t = { 1, 2, 3, 4, x = 1, ["Credit Limit (R)"] = 2 }
  got = pretty.format(t, { rows = 2 })
  assert(got:find("{1, 2, … 4 more: 2 items, ", 1, true), got)
  assert(got:find("x", 1, true) and got:find('["Credit Limit (R)"]', 1, true), got)
  eq(pretty.format({ 1, 2, 3 }, { rows = 2 }), "{1, 2, … 1 more}", "list items are counted, not named")
  local many = {}
  for i = 1, 200 do many["k" .. i] = i end
  got = pretty.format(many, { rows = 1, width = 60 })
  assert(#got < 200 and got:find("… 199 more: ", 1, true), "hidden names are cut: " .. got)
end

-- CHUNK is this file's chunk name; option errors must name it and the
-- calling line, as they name a script's line.
local CHUNK = debug.getinfo(1, "S").source

function TestBadOptionsNameTheCallersLine()
  for _, fn in ipairs({
    function() pretty.print({}, { row = 5 }) end,
    function() pretty.format({}, 5) end,
    function() local s = pretty.format(1, { rows = 0.5 }); return s end,
  }) do
    local ok, err = pcall(fn)
    local want = CHUNK .. ":" .. debug.getinfo(fn, "S").linedefined .. ": bad argument #2 to '"
    assert(not ok and err:sub(1, #want) == want and not err:find("pretty.lua", 1, true), err)
  end
end
