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

local function check_string(fname, n, v)
  if type(v) ~= "string" then
    error(string.format("bad argument #%d to '%s' (string expected, got %s)", n, fname, type(v)), 3)
  end
end

-- strings.split(s, sep) -> {string...}
-- Every separator splits, so empty fields are kept ("a,,b" has three) and
-- joining the result with sep gives s back.
function M.split(s, sep)
  check_string("split", 1, s)
  check_string("split", 2, sep)
  if sep == "" then
    error("bad argument #2 to 'split' (separator must not be empty)", 2)
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
    error("bad argument #2 to 'pad' (number expected, got " .. type(width) .. ")", 2)
  end
  fill = fill or " "
  check_string("pad", 3, fill)
  if width_of(fill) ~= 1 then
    error("bad argument #3 to 'pad' (fill must be one character)", 2)
  end
  align = align or "left"
  if align ~= "left" and align ~= "right" then
    error("bad argument #4 to 'pad' (align must be \"left\" or \"right\")", 2)
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
