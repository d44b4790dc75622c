-- args: a script's command-line options, declared once, for parsing and
-- for the --help text.
--
--   local args = require "args"
--   local opts = args.parse {
--     description = "Customers who ordered in the last N days, as CSV.",
--     options = {
--       { name = "days", type = "number", default = 90, min = 0, metavar = "N", help = "look back N days" },
--       { name = "field", type = "list", metavar = "NAME", help = "a custom field to add as a column" },
--       { name = "email", type = "list", split = ",", metavar = "ADDR", help = "e-mail the CSV to ADDR" },
--       { name = "no-email", type = "flag", help = "only write the CSV" },
--       { name = "out", default = "skynamo_data/output/report.csv", metavar = "PATH", help = "the CSV" },
--     },
--   }
--   -- opts.days, opts.field (a list), opts.email, opts.no_email, opts.out
--
-- Option types: "string" (the default), "number" (min, max, integer =
-- true), "flag" (no value; true when given, else false) and "list"
-- (repeatable; split = ",;" also cuts each value at those characters).
-- Values follow the option ("--days 30") or an "=" ("--days=30"); "--"
-- ends the options. An option's key in opts is its name with "-" as "_".
--
-- Mistakes in the command line are the user's, not the script's: args.parse
-- prints one line naming the option, with "(try --help)", on stderr and
-- ends the script with exit code 2 (usage), as skynamo does for its own
-- flags. -h/--help prints the usage text on stdout and ends the script with
-- exit code 0. args.try_parse does the same work without printing or
-- exiting, for scripts (and tests) that want to decide. Mistakes in the
-- declarations are the script's: they raise.
local M = {}

local error, type, tostring, tonumber, ipairs, pairs, rawget = error, type, tostring, tonumber, ipairs, pairs, rawget
local format, concat = string.format, table.concat

local TYPES = { string = true, number = true, flag = true, list = true }
local METAVARS = { string = "VALUE", number = "N", list = "VALUE" }
local OPTION_FIELDS = {
  name = true, type = true, default = true, help = true, metavar = true, short = true,
  required = true, min = true, max = true, integer = true, split = true, choices = true,
}
local SPEC_FIELDS = { name = true, description = true, options = true, notes = true, args = true }

-- bad_spec raises at the script line that called a public function:
-- bad_spec's callers (compile, argv_of) are called by that function.
local function bad_spec(msg)
  error("args: " .. msg, 4)
end

-- key_of is the field an option's value lands in: opts.level_field.
local function key_of(name)
  return (name:gsub("-", "_"))
end

-- compile checks the declarations once and indexes them by --name and -x.
local function compile(spec)
  if type(spec) ~= "table" then bad_spec("a table of declarations expected, got " .. type(spec)) end
  for k in pairs(spec) do
    if not SPEC_FIELDS[k] then bad_spec(format("unknown field %q in the declarations", tostring(k))) end
  end
  local options = spec.options or {}
  if type(options) ~= "table" then bad_spec("options must be a list of options") end
  local long, short = {}, {}
  for i, o in ipairs(options) do
    if type(o) ~= "table" then bad_spec(format("option #%d must be a table", i)) end
    for k in pairs(o) do
      if not OPTION_FIELDS[k] then bad_spec(format("option #%d: unknown field %q", i, tostring(k))) end
    end
    local name = o.name
    if type(name) ~= "string" or not name:match("^%w[%w-]*$") then
      bad_spec(format("option #%d needs a name of letters, digits and \"-\" (no leading dashes), got %s", i, tostring(name)))
    end
    local t = o.type or "string"
    if not TYPES[t] then bad_spec(format("--%s: type must be string, number, flag or list, got %s", name, tostring(t))) end
    if name == "help" or long[name] then bad_spec(format("--%s is declared twice", name)) end
    long[name] = o
    if o.short ~= nil then
      if type(o.short) ~= "string" or not o.short:match("^%a$") or o.short == "h" or short[o.short] then
        bad_spec(format("--%s: short must be one letter other than h, not used twice", name))
      end
      short[o.short] = o
    end
    if o.default ~= nil then
      local d, ok = o.default, true
      if t == "number" then ok = type(d) == "number"
      elseif t == "flag" then ok = false
      elseif t == "list" then ok = type(d) == "table"
      else ok = type(d) == "string" end
      if not ok then bad_spec(format("--%s: a %s option cannot default to %s", name, t, tostring(d))) end
    end
  end
  return { spec = spec, options = options, long = long, short = short }
end

-- program is the script's file name for the usage line: "report.lua".
local function program(spec)
  local name = spec.name
  if not name then
    local a = rawget(_G, "arg")
    name = type(a) == "table" and type(a[0]) == "string" and a[0] or "script"
  end
  name = name:match("[^/\\]+$") or name
  if not name:match("%.lua$") then name = name .. ".lua" end
  return name
end

local function metavar(o)
  return o.metavar or METAVARS[o.type or "string"]
end

-- show writes a default as a person would type it: quoted when it has
-- spaces, a list as its values.
local function show(v)
  if type(v) == "table" then
    -- Quoted alike, or a list mixing "A B" and C reads as three values.
    local parts, quote = {}, false
    for _, x in ipairs(v) do quote = quote or type(x) == "string" and (x == "" or x:find("[%s,]") ~= nil) end
    for i, x in ipairs(v) do parts[i] = quote and format("%q", tostring(x)) or tostring(x) end
    return concat(parts, ", ")
  end
  v = tostring(v)
  if v == "" or v:find("%s") then return format("%q", v) end
  return v
end

local function synopsis(c)
  local parts = { "usage: " .. program(c.spec) }
  for _, o in ipairs(c.options) do
    local t = o.type or "string"
    local word = "--" .. o.name
    if t ~= "flag" then word = word .. " " .. metavar(o) end
    if not o.required then word = "[" .. word .. "]" end
    if t == "list" then word = word .. "..." end
    parts[#parts + 1] = word
  end
  if c.spec.args then parts[#parts + 1] = c.spec.args end
  return concat(parts, " ")
end

-- wrap breaks text into lines of at most width characters after indent.
local function wrap(text, width)
  local lines, line = {}, ""
  for word in text:gmatch("%S+") do
    if line ~= "" and #line + 1 + #word > width then
      lines[#lines + 1] = line
      line = word
    else
      line = line == "" and word or line .. " " .. word
    end
  end
  lines[#lines + 1] = line
  return lines
end

-- text_block keeps the author's line breaks and wraps only lines too long
-- for a terminal, so a one-line description and a preformatted list both
-- read well.
local function text_block(text)
  local out = {}
  -- Kept in a local: gopher-lua crashes on a for header that calls gmatch
  -- on a parenthesised concatenation.
  local lines = tostring(text):gsub("\n+$", "") .. "\n"
  for line in lines:gmatch("(.-)\n") do
    if #line <= 79 or line:match("^%s") then
      out[#out + 1] = line
    else
      for _, l in ipairs(wrap(line, 79)) do out[#out + 1] = l end
    end
  end
  return concat(out, "\n")
end

local function option_help(o)
  local t = o.type or "string"
  local notes = {}
  if o.required then notes[#notes + 1] = "required" end
  if t == "list" then
    notes[#notes + 1] = (o.split and o.split:find(",", 1, true)) and "repeatable, or a comma list" or "repeatable"
  end
  if o.choices then notes[#notes + 1] = "one of " .. show(o.choices) end
  if o.default ~= nil and not (t == "list" and #o.default == 0) then
    notes[#notes + 1] = "default " .. show(o.default)
  end
  local text = o.help or ""
  if #notes > 0 then text = text .. (text ~= "" and " " or "") .. "(" .. concat(notes, "; ") .. ")" end
  return text
end

-- usage_text is what --help prints: the synopsis, the description, one
-- entry per option with its help, default and whether it repeats, then the
-- notes.
local function usage_text(c)
  local spec = c.spec
  local out = { synopsis(c) }
  if spec.description then out[#out + 1] = "\n" .. text_block(spec.description) end
  local labels, widest = {}, 0
  for i, o in ipairs(c.options) do
    local label = (o.short and "-" .. o.short .. ", " or "") .. "--" .. o.name
    if (o.type or "string") ~= "flag" then label = label .. " " .. metavar(o) end
    labels[i] = label
    if #label > widest then widest = #label end
  end
  local col = math.min(math.max(widest, #"-h, --help"), 24) + 4
  out[#out + 1] = "\noptions:"
  local function entry(label, help)
    local lines = wrap(help, math.max(79 - col, 30))
    local first = "  " .. label
    if #first + 2 > col then
      out[#out + 1] = first
      first = ""
    end
    out[#out + 1] = lines[1] == "" and first or first .. string.rep(" ", col - #first) .. lines[1]
    for k = 2, #lines do out[#out + 1] = string.rep(" ", col) .. lines[k] end
  end
  for i, o in ipairs(c.options) do entry(labels[i], option_help(o)) end
  entry("-h, --help", "print this text")
  if spec.notes then out[#out + 1] = "\n" .. text_block(spec.notes) end
  return concat(out, "\n") .. "\n"
end

-- Edit distance, for "did you mean" on a mistyped option: insertions,
-- deletions, substitutions and swaps of two neighbours ("regoin") count 1.
local function distance(a, b)
  local prevprev, prev = nil, {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if prevprev and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        cur[j] = math.min(cur[j], prevprev[j - 2] + 1)
      end
    end
    prevprev, prev = prev, cur
  end
  return prev[#b]
end

-- fold is text as compared for "did you mean": lower case, and the Latin-1
-- accented letters as their plain ones, so "Region" finds "Région".
local FOLD = { ["\195\159"] = "ss" } -- ß, which "Strasse" spells out
do
  local groups = {
    a = "\195\160\195\161\195\162\195\163\195\164\195\165", c = "\195\167",
    e = "\195\168\195\169\195\170\195\171", i = "\195\172\195\173\195\174\195\175",
    n = "\195\177", o = "\195\178\195\179\195\180\195\181\195\182",
    u = "\195\185\195\186\195\187\195\188", y = "\195\189\195\191",
  }
  for plain, chars in pairs(groups) do
    for ch in chars:gmatch("\195.") do
      FOLD[ch] = plain
      -- The capital is 32 below, except for ÿ, whose capital Ÿ is outside
      -- Latin-1 (32 below it is ß).
      if ch ~= "\195\191" then FOLD["\195" .. string.char(ch:byte(2) - 32)] = plain end
    end
  end
end
local function fold(s)
  return (s:lower():gsub("\195.", FOLD))
end

local function closest(c, name)
  local best, best_d
  for _, o in ipairs(c.options) do
    local d = distance(name, o.name)
    if d <= math.max(1, math.floor(#o.name / 3)) and (not best_d or d < best_d) then best, best_d = o.name, d end
  end
  return best
end

-- usage_error is a bad command line's message for people. Parsing returns
-- it rather than raising it, so try_parse needs no pcall and reports the
-- message as data.
local function usage_error(fmt, ...)
  return nil, format(fmt, ...) .. " (try --help)"
end

-- convert checks one value against its option and returns it as the
-- option's type, or nil and a message.
local function convert(o, flag, v)
  local t = o.type or "string"
  if v == "" then return usage_error("%s needs a value, not an empty one", flag) end
  if t == "number" then
    local n = tonumber(v)
    if not n or n ~= n or n == math.huge or n == -math.huge then return usage_error("%s needs a number, got %q", flag, v) end
    if o.integer and n % 1 ~= 0 then return usage_error("%s needs a whole number, got %s", flag, v) end
    if o.min and n < o.min then return usage_error("%s must be at least %s, got %s", flag, show(o.min), v) end
    if o.max and n > o.max then return usage_error("%s must be at most %s, got %s", flag, show(o.max), v) end
    return n
  end
  if o.choices then
    for _, ch in ipairs(o.choices) do
      if ch == v then return v end
    end
    return usage_error("%s must be one of %s, got %q", flag, show(o.choices), v)
  end
  return v
end

-- store puts a value (or, for lists, each piece of it) into opts; it
-- returns a message when the value is bad.
local function store(opts, o, flag, v)
  local t, key = o.type or "string", key_of(o.name)
  if t ~= "list" then
    local x, err = convert(o, flag, v)
    if err then return err end
    opts[key] = x
    return nil
  end
  local pieces = { v }
  if o.split then
    pieces = {}
    for piece in v:gmatch("[^" .. o.split:gsub("[%]%^%-%%]", "%%%0") .. "]+") do
      piece = piece:match("^%s*(.-)%s*$")
      if piece ~= "" then pieces[#pieces + 1] = piece end
    end
    if #pieces == 0 then pieces[1] = "" end -- "--email ' , '" says what is wrong
  end
  local list = opts[key]
  for _, piece in ipairs(pieces) do
    local x, err = convert(o, flag, piece)
    if err then return err end
    list[#list + 1] = x
  end
  return nil
end

-- option_for finds the declaration --name or -x stands for.
local function option_for(c, flag)
  if flag:sub(1, 2) == "--" then
    local o = c.long[flag:sub(3)]
    if o then return o end
    local guess = closest(c, flag:sub(3))
    if guess then return usage_error("unknown option %s, did you mean --%s?", flag, guess) end
  elseif c.short[flag:sub(2)] then
    return c.short[flag:sub(2)]
  end
  return usage_error("unknown option %s", flag)
end

-- run parses argv against the compiled declarations: opts, or nil and a
-- message for a bad command line, or false for --help.
local function run(c, argv)
  local opts, given = {}, {}
  for _, o in ipairs(c.options) do
    if o.type == "list" then opts[key_of(o.name)] = {} end
  end
  local i, positional = 1, false
  while i <= #argv do
    local a = tostring(argv[i])
    if positional or a == "-" or a:sub(1, 1) ~= "-" then
      if not c.spec.args then return usage_error("unexpected argument %q", a) end
      opts[#opts + 1] = a
    elseif a == "--" then
      positional = true
    elseif a == "-h" or a == "--help" then
      return false
    else
      local flag, value = a:match("^(%-%-?[^=]+)=(.*)$")
      flag = flag or a
      local o, err = option_for(c, flag)
      if not o then return nil, err end
      if (o.type or "string") == "flag" then
        if value then return usage_error("%s takes no value", flag) end
        opts[key_of(o.name)] = true
      else
        if not value then
          value = argv[i + 1]
          i = i + 1
          if value == nil then return usage_error("%s needs a value: %s", flag, metavar(o)) end
        end
        err = store(opts, o, flag, tostring(value))
        if err then return nil, err end
      end
      given[o.name] = true
    end
    i = i + 1
  end
  for _, o in ipairs(c.options) do
    local key, t = key_of(o.name), o.type or "string"
    if not given[o.name] then
      if o.required then return usage_error("--%s is required", o.name) end
      if t == "flag" then
        opts[key] = false
      elseif t == "list" then
        for k, v in ipairs(o.default or {}) do opts[key][k] = v end
      else
        opts[key] = o.default
      end
    end
  end
  return opts
end

-- argv_of is the argument list: the one given, else the script's arg.
local function argv_of(argv)
  if argv == nil then argv = rawget(_G, "arg") or {} end
  if type(argv) ~= "table" then bad_spec("the arguments must be a list of strings, got " .. type(argv)) end
  return argv
end

-- args.try_parse(spec [, argv]) -> opts | nil, text, code
-- Parses argv (default: the script's arg) without printing or exiting.
-- On -h/--help: nil, the usage text, 0. On a bad command line: nil, one
-- line naming the option and ending "(try --help)", 2.
function M.try_parse(spec, argv)
  local c = compile(spec)
  local opts, err = run(c, argv_of(argv))
  if opts == false then return nil, usage_text(c), 0 end
  if not opts then return nil, err, 2 end
  return opts
end

-- prog_name is how messages start, as skynamo's own: the program name the
-- script was run by, the lowest index of arg.
local function prog_name()
  local a, name = rawget(_G, "arg"), nil
  if type(a) == "table" then
    local i = -1
    while a[i] ~= nil do
      name = a[i]
      i = i - 1
    end
  end
  return type(name) == "string" and (name:match("[^/\\]+$") or name) or "skynamo"
end

-- args.fail(msg) ends the script as a usage error: "skynamo: msg (try
-- --help)" on stderr, exit code 2. For mistakes only seen after parsing,
-- such as two options that cannot go together.
function M.fail(msg)
  if type(msg) ~= "string" then error("bad argument #1 to 'fail' (string expected, got " .. type(msg) .. ")", 2) end
  if not msg:find("%(try %-%-help%)$") then msg = msg .. " (try --help)" end
  io.stderr:write(prog_name(), ": ", msg, "\n")
  os.exit(2)
end

-- args.parse(spec [, argv]) -> opts
-- Parses argv (default: the script's arg). -h/--help prints the usage text
-- and ends the script (exit 0); a bad command line prints one line on
-- stderr and ends it with exit code 2.
function M.parse(spec, argv)
  local c = compile(spec)
  local opts, err = run(c, argv_of(argv))
  if opts == false then
    io.write(usage_text(c))
    os.exit(0)
  end
  if not opts then M.fail(err) end
  return opts
end

-- args.closest(word, candidates) -> the candidate nearest word, or nil
-- when none is near enough to be a likely typo. Case and accents are
-- ignored. For a
-- "did you mean" on values the script checks itself, such as a custom
-- field's name.
function M.closest(word, candidates)
  if type(word) ~= "string" then error("bad argument #1 to 'closest' (string expected, got " .. type(word) .. ")", 2) end
  if type(candidates) ~= "table" then error("bad argument #2 to 'closest' (table expected, got " .. type(candidates) .. ")", 2) end
  local w = fold(word)
  local best, best_d, prefix
  for _, c in ipairs(candidates) do
    if type(c) == "string" then
      local lc = fold(c)
      local d = distance(w, lc)
      if d <= math.max(2, math.floor(#c / 3)) and d < #c and (not best_d or d < best_d) then best, best_d = c, d end
      -- "credit" for "Credit Limit (R)": the start of a long name.
      if not prefix and #w >= 3 and lc:sub(1, #w) == w then prefix = c end
    end
  end
  return best or prefix
end

-- args.usage(spec) -> text: what --help prints.
function M.usage(spec)
  return usage_text(compile(spec))
end

return M
