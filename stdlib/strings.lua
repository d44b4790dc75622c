-- strings: small string helpers for report scripts.
--
--   local strings = require "strings"
--   strings.split("a,b,,c", ",")        --> {"a", "b", "", "c"}
--   strings.trim("  x  ")               --> "x"
--   strings.starts_with("INV-1", "INV") --> true
--   strings.ends_with("a.csv", ".csv")  --> true
--   strings.pad("7", 3, "0", "right")   --> "007"
--
-- Separators, prefixes and suffixes are plain text, never Lua patterns, so
-- "." or "%" in data mean themselves.

local M = {}

local getinfo = debug.getinfo
local SELF = getinfo(1, "S").source -- "stdlib/strings.lua"

-- caller is "file:line: " of the innermost frame outside this file, the
-- script's line that called a helper. Walking the stack names it however
-- deep the check sits; error() levels count Go frames and tail calls
-- differently in gopher-lua than in PUC Lua.
local function caller()
  for level = 2, 100 do
    local info = getinfo(level, "Sl")
    if info == nil then break end
    local src, line = info.source, info.currentline
    if src and src ~= "" and line and line > 0 and src ~= SELF then
      return (src:gsub("^@", "")) .. ":" .. line .. ": "
    end
  end
  return ""
end

-- bad raises "script.lua:12: bad argument #n to 'fname' (msg)".
local function bad(fname, n, msg)
  error(caller() .. string.format("bad argument #%d to '%s' (%s)", n, fname, msg), 0)
end

local function check_string(fname, n, v)
  if type(v) ~= "string" then
    bad(fname, n, "string expected, got " .. type(v))
  end
end

-- strings.split(s, sep) -> {string...}
-- Every separator splits, so empty fields are kept ("a,,b" has three) and
-- joining the result with sep gives s back.
function M.split(s, sep)
  check_string("split", 1, s)
  check_string("split", 2, sep)
  if sep == "" then
    bad("split", 2, "separator must not be empty")
  end
  local out, start = {}, 1
  while true do
    local i, j = string.find(s, sep, start, true)
    if not i then
      out[#out + 1] = string.sub(s, start)
      return out
    end
    out[#out + 1] = string.sub(s, start, i - 1)
    start = j + 1
  end
end

-- strings.trim(s) -> string without leading and trailing white space
function M.trim(s)
  check_string("trim", 1, s)
  -- The two-step form avoids the backtracking of "^%s*(.-)%s*$" on long strings.
  local from = string.find(s, "%S")
  if not from then
    return ""
  end
  local to = #s
  while string.find(string.sub(s, to, to), "%s") do
    to = to - 1
  end
  return string.sub(s, from, to)
end

-- strings.starts_with(s, prefix) -> boolean
function M.starts_with(s, prefix)
  check_string("starts_with", 1, s)
  check_string("starts_with", 2, prefix)
  return string.sub(s, 1, #prefix) == prefix
end

-- strings.ends_with(s, suffix) -> boolean
function M.ends_with(s, suffix)
  check_string("ends_with", 1, s)
  check_string("ends_with", 2, suffix)
  return suffix == "" or string.sub(s, -#suffix) == suffix
end

-- The number of characters in UTF-8 text: customer names carry accents, and
-- a column padded by bytes would come out short for them.
local function width_of(s)
  local _, n = string.gsub(s, "[^\128-\191]", "")
  return n
end

-- strings.pad(v, width [, fill [, align]]) -> string
-- Pads tostring(v) with fill (default " ") to width characters. align "left"
-- (default) keeps the text on the left, "right" puts it on the right, as for
-- numbers in a column. Text already that wide is returned unchanged, never cut.
function M.pad(v, width, fill, align)
  local s = tostring(v)
  if type(width) ~= "number" then
    bad("pad", 2, "number expected, got " .. type(width))
  end
  fill = fill or " "
  check_string("pad", 3, fill)
  if width_of(fill) ~= 1 then
    bad("pad", 3, "fill must be one character")
  end
  align = align or "left"
  if align ~= "left" and align ~= "right" then
    bad("pad", 4, 'align must be "left" or "right"')
  end
  local missing = width - width_of(s)
  if missing <= 0 then
    return s
  end
  if align == "left" then
    return s .. string.rep(fill, missing)
  end
  return string.rep(fill, missing) .. s
end

return M
