-- Lua-side tests for stdlib/strings.lua; embed_test.go runs every global
-- Test* function as a Go subtest.
local strings = require "strings"

local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %q, want %q", what or "value", tostring(got), tostring(want)), 2)
  end
end

local function list_eq(got, want)
  eq(#got, #want, "length")
  for i = 1, #want do
    eq(got[i], want[i], "item " .. i)
  end
end

function TestSplit()
  list_eq(strings.split("a,b,c", ","), {"a", "b", "c"})
  list_eq(strings.split("a,,b,", ","), {"a", "", "b", ""})
  list_eq(strings.split("", ","), {""})
  list_eq(strings.split("a.b", "."), {"a", "b"}) -- plain text, not a pattern
  list_eq(strings.split("1 - 2 - 3", " - "), {"1", "2", "3"})
  list_eq(strings.split("abc", ";"), {"abc"})
end

function TestSplitRejectsEmptySeparator()
  local ok, err = pcall(strings.split, "abc", "")
  eq(ok, false)
  assert(string.find(err, "separator must not be empty", 1, true), err)
end

function TestTrim()
  eq(strings.trim("  x y \t\n"), "x y")
  eq(strings.trim("x"), "x")
  eq(strings.trim("   "), "")
  eq(strings.trim(""), "")
end

function TestStartsEndsWith()
  eq(strings.starts_with("INV-001", "INV"), true)
  eq(strings.starts_with("INV-001", "inv"), false)
  eq(strings.starts_with("IN", "INV"), false)
  eq(strings.starts_with("x", ""), true)
  eq(strings.ends_with("report.csv", ".csv"), true)
  eq(strings.ends_with("report.csv", "%.csv"), false)
  eq(strings.ends_with("x", ""), true)
  eq(strings.ends_with("v", "csv"), false)
end

function TestPad()
  eq(strings.pad("ab", 4), "ab  ")
  eq(strings.pad(7, 3, "0", "right"), "007")
  eq(strings.pad("abcdef", 3), "abcdef")
  eq(strings.pad("Café", 6, "."), "Café..") -- counts characters, not bytes
end

function TestPadRejectsBadArguments()
  assert(not pcall(strings.pad, "x", "3"))
  assert(not pcall(strings.pad, "x", 3, "ab"))
  assert(not pcall(strings.pad, "x", 3, " ", "middle"))
end

-- CHUNK is this file's chunk name; argument errors must name it and the
-- calling line, as they name a script's line.
local CHUNK = debug.getinfo(1, "S").source

function TestErrorsNameTheCallersLine()
  for _, fn in ipairs({
    function() strings.split(5, ",") end,
    function() strings.split("a", "") end,
    function() strings.trim(nil) end,
    function() strings.starts_with("a", 1) end,
    function() strings.pad("x", "3") end,
    function() strings.pad("x", 3, "ab") end,
    function() strings.pad("x", 3, 5) end,
    function() strings.pad("x", 3, " ", "middle") end,
  }) do
    local ok, err = pcall(fn)
    local want = CHUNK .. ":" .. debug.getinfo(fn, "S").linedefined .. ": bad argument #"
    assert(not ok and err:sub(1, #want) == want and not err:find("strings.lua", 1, true), tostring(err))
  end
end
