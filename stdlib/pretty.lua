-- pretty: readable text for any Lua value; the REPL prints every result
-- through it.
--
--   local pretty = require "pretty"
--   pretty.print(customers)                    -- an aligned table, 20 rows
--   pretty.print(order, {depth = 5})           -- {id = 7, items = {...}, ...}
--   local text = pretty.format(rows, {rows = 50, width = 160})
--
-- A list of records becomes an aligned table: a column per key seen in the
-- rows shown (custom fields as custom.<name>), numbers right-aligned, at most
-- opts.rows rows and then "... N more rows". Other tables print as
-- {key = value, ...} on one line when they fit opts.width, one entry per line
-- otherwise, opts.depth levels deep, and a table that contains itself shows
-- <cycle>; keys that do not fit are named ("… 2 more: row_version, name")
-- and a record's custom table is shown before other keys are cut. Strings
-- are quoted; numbers print as Lua 5.1 prints them (7557594.07, 0.3, 3).
--
-- Tables are read raw (next, rawget): a record's custom table raises for a
-- name no form defines, and printing must never trip that. Only the rows
-- shown are touched, so printing 100,000 records costs no more than 20.
local M = {}

local type, next, rawget, tostring, pcall, getmetatable = type, next, rawget, tostring, pcall, getmetatable
local format, rep, concat = string.format, string.rep, table.concat

-- Loops over tables say `in next, t, nil`: gopher-lua does not clear the
-- control variable of a generic for given only `next, t`, so such a loop can
-- start from a stale key left by an earlier loop and see nothing.
local DEFAULTS = { rows = 20, depth = 3, width = 100 }
local MAX_CELL = 40 -- widest table cell, in characters
local MAX_NAMES = 50 -- hidden keys named after "… N more:"

local getinfo = debug.getinfo
local SELF = getinfo(1, "S").source -- "stdlib/pretty.lua"

-- caller is "file:line: " of the innermost frame outside this file, the
-- script's line that called format or print. Walking the stack names it
-- however deep the check sits; error() levels count Go frames and tail
-- calls differently in gopher-lua than in PUC Lua.
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

local function bad(fname, msg)
  error(caller() .. format("bad argument #2 to '%s' (%s)", fname, msg), 0)
end

local function check_opts(fname, opts)
  if opts == nil then return DEFAULTS end
  if type(opts) ~= "table" then bad(fname, "options table expected, got " .. type(opts)) end
  local out = {}
  for k, v in next, opts, nil do
    if DEFAULTS[k] == nil then
      bad(fname, format("unknown option %q: options are rows, depth, width", tostring(k)))
    end
    if type(v) ~= "number" or v < 1 or v % 1 ~= 0 then
      bad(fname, format("%s must be a whole number >= 1", k))
    end
    out[k] = v
  end
  for k, v in next, DEFAULTS, nil do
    if out[k] == nil then out[k] = v end
  end
  return out
end

-- rawlen is #t without __len, which could be anything.
local function rawlen(t)
  if getmetatable(t) == nil then return #t end
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  return n
end

-- width counts characters, not bytes: UTF-8 continuation bytes do not
-- take a column.
local function width(s)
  local _, cont = s:gsub("[\128-\191]", "")
  return #s - cont
end

-- truncate cuts s to at most w characters, ending in "…".
local function truncate(s, w)
  if width(s) <= w then return s end
  local out, n = {}, 0
  for ch in s:gmatch("[%z\1-\127\192-\255][\128-\191]*") do
    if n == w - 1 then break end
    n = n + 1
    out[n] = ch
  end
  return concat(out) .. "…"
end

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or format("\\%03d", c:byte())
  end) .. '"'
end

-- 1/0, not math.huge: gopher-lua's math.huge is the largest finite float.
local huge = 1 / 0

-- number_text writes numbers as Lua 5.1 does (%.14g: 7557594.07, 0.3),
-- where gopher-lua's tostring gives Go's shortest form (7.55759407e+06,
-- 0.30000000000000004). Whole numbers print in full (an id or a total of
-- 1e15 is not rounded to 14 digits) and without ".0".
local function number_text(v)
  if v ~= v then return "nan" end
  if v == huge then return "inf" end
  if v == -huge then return "-inf" end
  if v % 1 == 0 and v > -2 ^ 53 and v < 2 ^ 53 then return format("%d", v) end
  return format("%.14g", v)
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return quote(v) end
  if t == "number" then return number_text(v) end
  if t == "boolean" or t == "nil" then return tostring(v) end
  if t == "userdata" then
    local ok, s = pcall(tostring, v) -- __tostring may raise
    return ok and s or "<userdata>"
  end
  return tostring(v) -- function: 0x..., thread: 0x...
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not ({
    ["and"] = 1, ["break"] = 1, ["do"] = 1, ["else"] = 1, ["elseif"] = 1, ["end"] = 1, ["false"] = 1,
    ["for"] = 1, ["function"] = 1, ["if"] = 1, ["in"] = 1, ["local"] = 1, ["nil"] = 1, ["not"] = 1,
    ["or"] = 1, ["repeat"] = 1, ["return"] = 1, ["then"] = 1, ["true"] = 1, ["until"] = 1, ["while"] = 1,
  })[k]
end

local function key_text(k)
  if is_identifier(k) then return k end
  if type(k) == "table" then return "[<table>]" end
  return "[" .. scalar(k) .. "]"
end

-- value renders v at depth (1 = the top) with indent spaces before it on
-- its first line; ancestors holds the tables being rendered, for cycles.
local value

local function table_text(t, o, depth, indent, ancestors)
  if ancestors[t] then return "<cycle>" end
  if next(t) == nil then return "{}" end
  if depth > o.depth then return "{…}" end
  ancestors[t] = true
  local parts, np = {}, 0
  local n = rawlen(t)
  local shown = 0
  for i = 1, n do
    if shown == o.rows then break end
    shown = shown + 1
    np = np + 1
    parts[np] = value(rawget(t, i), o, depth + 1, indent + 2, ancestors)
  end
  local more = n - shown
  -- The named keys in table order, as many as rows leaves room for. A
  -- record's custom fields are what people look for, so "custom" is shown
  -- ahead of the keys that would push it out, and the keys left out are
  -- named, never just counted.
  local keys, nk = {}, 0
  local k = next(t, n > 0 and n or nil)
  while k ~= nil do
    if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then
      nk = nk + 1
      keys[nk] = k
    end
    k = next(t, k)
  end
  local room = o.rows - shown
  local nshow = nk < room and nk or room
  if nshow > 0 and nk > nshow then
    for i = nshow + 1, nk do
      if keys[i] == "custom" then
        table.remove(keys, i)
        table.insert(keys, nshow, "custom")
        break
      end
    end
  end
  for i = 1, nshow do
    np = np + 1
    parts[np] = key_text(keys[i]) .. " = " .. value(rawget(t, keys[i]), o, depth + 1, indent + 2, ancestors)
  end
  ancestors[t] = nil
  local hidden = nk - nshow
  if hidden > 0 then
    local names = {}
    if more > 0 then names[1] = format("%d item%s", more, more == 1 and "" or "s") end
    for i = nshow + 1, nk do
      if #names == MAX_NAMES then
        names[#names + 1] = "…"
        break
      end
      names[#names + 1] = key_text(keys[i])
    end
    np = np + 1
    parts[np] = format("… %d more: %s", more + hidden, truncate(concat(names, ", "), o.width))
  elseif more > 0 then
    np = np + 1
    parts[np] = format("… %d more", more)
  end
  local one = "{" .. concat(parts, ", ") .. "}"
  if indent + width(one) <= o.width and not one:find("\n", 1, true) then return one end
  local pad = rep(" ", indent + 2)
  return "{\n" .. pad .. concat(parts, ",\n" .. pad) .. "\n" .. rep(" ", indent) .. "}"
end

-- records -------------------------------------------------------------------

-- record_list reports whether t is a list whose first rows elements are all
-- records (tables with named fields), which print best as a table.
local function record_list(t, o)
  local n = rawlen(t)
  if n == 0 then return false end
  if next(t, n) ~= nil then return false end -- named keys besides the list
  for i = 1, n < o.rows and n or o.rows do
    local r = rawget(t, i)
    if type(r) ~= "table" then return false end
    local k = next(r)
    if k == nil or rawget(r, 1) ~= nil then return false end
  end
  return true
end

-- cell is the text of one value in a table cell: strings unquoted, nested
-- tables on one line, everything cut to MAX_CELL characters.
local function cell(v, o, ancestors)
  local t = type(v)
  local s
  if v == nil then
    return ""
  elseif t == "string" then
    s = v:gsub("[%c]", function(c) return escapes[c] or format("\\%03d", c:byte()) end)
  elseif t == "table" then
    s = table_text(v, { rows = 5, depth = 1, width = math.huge }, 1, 0, ancestors)
  else
    s = scalar(v)
  end
  return truncate(s, MAX_CELL)
end

local PRIORITY = { "id", "code", "name" }

-- columns lists the keys seen in rows 1..shown, id/code/name first, then in
-- first-seen order, custom fields last as "custom.<name>".
local function columns(t, shown)
  local seen, plain, custom = {}, {}, {}
  for i = 1, shown do
    local r = rawget(t, i)
    for k, v in next, r, nil do
      if k == "custom" and type(v) == "table" then
        for ck in next, v, nil do
          local name = "custom." .. tostring(ck)
          if not seen[name] then
            seen[name] = true
            custom[#custom + 1] = { name = name, custom = ck }
          end
        end
      elseif not seen[k] then
        seen[k] = true
        plain[#plain + 1] = { name = tostring(k), key = k }
      end
    end
  end
  local cols, first = {}, {}
  for _, p in ipairs(PRIORITY) do
    if seen[p] then
      cols[#cols + 1] = { name = p, key = p }
      first[p] = true
    end
  end
  for _, c in ipairs(plain) do
    if not first[c.key] then cols[#cols + 1] = c end
  end
  for _, c in ipairs(custom) do cols[#cols + 1] = c end
  return cols
end

local function record_table(t, o, ancestors)
  local n = rawlen(t)
  local shown = n < o.rows and n or o.rows
  local cols = columns(t, shown)
  ancestors[t] = true
  -- The cells, and whether each column holds only numbers (right-aligned).
  local index = { name = "#", cells = {}, w = 1, numeric = true }
  for i = 1, shown do
    index.cells[i] = tostring(i)
    if #index.cells[i] > index.w then index.w = #index.cells[i] end
  end
  for _, c in ipairs(cols) do
    c.cells, c.w, c.numeric = {}, width(c.name), true
    for i = 1, shown do
      local r = rawget(t, i)
      local v
      if c.custom ~= nil then
        local ct = rawget(r, "custom")
        if type(ct) == "table" then v = rawget(ct, c.custom) end
      else
        v = rawget(r, c.key)
      end
      if v ~= nil and type(v) ~= "number" then c.numeric = false end
      local s = cell(v, o, ancestors)
      c.cells[i] = s
      local w = width(s)
      if w > c.w then c.w = w end
    end
  end
  ancestors[t] = nil
  -- Columns that fit the width; the rest are named below the table.
  local used = { index }
  local total, dropped = index.w, {}
  for _, c in ipairs(cols) do
    if #dropped == 0 and total + 2 + c.w <= o.width then
      used[#used + 1] = c
      total = total + 2 + c.w
    else
      dropped[#dropped + 1] = c.name
    end
  end
  local lines = {}
  local function line(get)
    local parts = {}
    for j, c in ipairs(used) do
      local s = get(c)
      local pad = rep(" ", c.w - width(s))
      if c.numeric then parts[j] = pad .. s else parts[j] = s .. pad end
    end
    lines[#lines + 1] = (concat(parts, "  "):gsub("%s+$", ""))
  end
  line(function(c) return c.name end)
  line(function(c) return rep("-", c.w) end)
  for i = 1, shown do line(function(c) return c.cells[i] end) end
  if n > shown then lines[#lines + 1] = format("… %d more rows (%d in all)", n - shown, n) end
  if #dropped > 0 then
    lines[#lines + 1] = format("(%d more column%s: %s)", #dropped, #dropped == 1 and "" or "s",
      truncate(concat(dropped, ", "), o.width * 2))
  end
  return concat(lines, "\n")
end

value = function(v, o, depth, indent, ancestors)
  if type(v) ~= "table" then return scalar(v) end
  return table_text(v, o, depth, indent, ancestors)
end

-- pretty.format(value, opts?) -> string
--   opts.rows  = 20   rows of a record list, entries of a table
--   opts.depth = 3    nesting levels shown; deeper tables print as {…}
--   opts.width = 100  line width to fit tables into
function M.format(v, opts)
  local o = check_opts("format", opts)
  if type(v) == "table" and record_list(v, o) then return record_table(v, o, {}) end
  return value(v, o, 1, 0, {})
end

-- pretty.print(value, opts?) writes pretty.format(value, opts) and a newline
function M.print(v, opts)
  local o = check_opts("print", opts)
  if type(v) == "table" and record_list(v, o) then
    print(record_table(v, o, {}))
  else
    print(value(v, o, 1, 0, {}))
  end
end

return M
