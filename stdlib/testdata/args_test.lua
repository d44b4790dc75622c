-- Lua-side tests for stdlib/args.lua; embed_test.go runs every global
-- Test* function as a Go subtest.
local args = require "args"

local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", tostring(got), tostring(want)), 2)
  end
end

local function has(text, part, what)
  if not tostring(text):find(part, 1, true) then
    error(string.format("%s: %q not in %q", what or "text", part, tostring(text)), 2)
  end
end

local function list(t) return table.concat(t, "|") end

local spec = {
  name = "report.lua",
  description = "Customers who ordered lately.",
  options = {
    { name = "days", type = "number", default = 90, min = 0, metavar = "N", help = "look back N days" },
    { name = "weeks", type = "number", integer = true, min = 1, max = 52 },
    { name = "field", type = "list", metavar = "NAME", default = { "Customer Type", "Région" }, help = "a column" },
    { name = "email", type = "list", split = ",;", metavar = "ADDR", help = "send it to ADDR" },
    { name = "no-email", type = "flag", help = "only write the CSV" },
    { name = "out", short = "o", default = "out.csv", metavar = "PATH", help = "the CSV" },
    { name = "format", choices = { "csv", "json" } },
  },
  notes = "Sorted by value.",
}

function TestDefaults()
  local o = assert(args.try_parse(spec, {}))
  eq(o.days, 90, "days")
  eq(o.weeks, nil, "weeks without a default")
  eq(list(o.field), "Customer Type|Région", "list default")
  eq(#o.email, 0, "empty list")
  eq(o.no_email, false, "flag")
  eq(o.out, "out.csv", "out")
end

function TestValues()
  local o = assert(args.try_parse(spec, {
    "--days", "30", "--weeks=4", "--field", "A", "--field=B, C", "--email", "a@x.com, b@y.com;c@z.com",
    "--no-email", "-o", "x.csv", "--email", "d@w.com", "--format", "json",
  }))
  eq(o.days, 30)
  eq(o.weeks, 4)
  eq(list(o.field), "A|B, C", "given values replace the default; no split")
  eq(list(o.email), "a@x.com|b@y.com|c@z.com|d@w.com", "split and repeated")
  eq(o.no_email, true)
  eq(o.out, "x.csv")
  eq(o.format, "json")
end

function TestLastValueWinsAndNegativeNumbers()
  local o = assert(args.try_parse({ options = { { name = "n", type = "number" } } }, { "--n", "1", "--n", "-5" }))
  eq(o.n, -5)
end

function TestBadCommandLines()
  for _, c in ipairs({
    { { "--bogus" }, "unknown option --bogus (try --help)" },
    { { "--dayz", "3" }, "unknown option --dayz, did you mean --days? (try --help)" },
    { { "-x" }, "unknown option -x (try --help)" },
    { { "--days" }, "--days needs a value: N (try --help)" },
    { { "--days", "soon" }, '--days needs a number, got "soon" (try --help)' },
    { { "--days", "-1" }, "--days must be at least 0, got -1 (try --help)" },
    { { "--days", "nan" }, '--days needs a number, got "nan" (try --help)' },
    { { "--weeks", "1.5" }, "--weeks needs a whole number, got 1.5 (try --help)" },
    { { "--weeks", "53" }, "--weeks must be at most 52, got 53 (try --help)" },
    { { "--out", "" }, "--out needs a value, not an empty one (try --help)" },
    { { "--email", " , " }, "--email needs a value, not an empty one (try --help)" },
    { { "--no-email=yes" }, "--no-email takes no value (try --help)" },
    { { "--format", "xml" }, '--format must be one of csv, json, got "xml" (try --help)' },
    { { "stray" }, 'unexpected argument "stray" (try --help)' },
  }) do
    local o, msg, code = args.try_parse(spec, c[1])
    eq(o, nil, table.concat(c[1], " "))
    eq(msg, c[2], table.concat(c[1], " "))
    eq(code, 2, "exit code")
  end
end

function TestRequired()
  local s = { options = { { name = "form", required = true, metavar = "NAME" } } }
  local o, msg = args.try_parse(s, {})
  eq(o, nil)
  eq(msg, "--form is required (try --help)")
  has(args.usage(s), "usage: script.lua --form NAME\n", "a required option has no brackets")
end

function TestPositionalArguments()
  local s = { args = "FILE...", options = { { name = "v", type = "flag" } } }
  local o = assert(args.try_parse(s, { "a.csv", "--v", "--", "--b.csv" }))
  eq(list(o), "a.csv|--b.csv", "after -- everything is an argument")
  eq(o.v, true)
  has(args.usage(s), "[--v] FILE...")
end

function TestHelp()
  for _, h in ipairs({ "-h", "--help" }) do
    local o, text, code = args.try_parse(spec, { "--days", "3", h, "--bogus" })
    eq(o, nil, h)
    eq(code, 0, h)
    has(text, "usage: report.lua [--days N] [--weeks N] [--field NAME]... [--email ADDR]... [--no-email] [--out PATH] [--format VALUE]\n")
    has(text, "\nCustomers who ordered lately.\n")
    has(text, "  --days N        look back N days (default 90)\n  --weeks N\n", "no help, no trailing blanks")
    has(text, '  --field NAME    a column (repeatable; default "Customer Type", "Région")\n')
    has(text, "  --email ADDR    send it to ADDR (repeatable, or a comma list)\n")
    has(text, "  --no-email      only write the CSV\n")
    has(text, "  -o, --out PATH  the CSV (default out.csv)\n")
    has(text, "  --format VALUE  (one of csv, json)\n")
    has(text, "  -h, --help      print this text\n")
    has(text, "\nSorted by value.\n")
  end
end

function TestHelpWrapsLongLines()
  local text = args.usage {
    name = "x",
    description = string.rep("word ", 30),
    options = { { name = "a-very-long-option-name", metavar = "SOMETHING", help = string.rep("help ", 20) } },
  }
  has(text, "usage: x.lua ")
  for line in text:gmatch("[^\n]+") do
    if #line > 79 and not line:find("^usage:") then error("line longer than 79: " .. line) end
  end
  has(text, "  --a-very-long-option-name SOMETHING\n" .. string.rep(" ", 28) .. "help help", "the help goes below a long label")
end

function TestBadDeclarationsRaise()
  for _, c in ipairs({
    { "nope", "a table of declarations expected" },
    { { options = { { name = "--days" } } }, "no leading dashes" },
    { { options = { { name = "days", type = "int" } } }, "--days: type must be" },
    { { options = { { name = "days", typo = 1 } } }, 'unknown field "typo"' },
    { { optionz = {} }, 'unknown field "optionz"' },
    { { options = { { name = "a" }, { name = "a" } } }, "--a is declared twice" },
    { { options = { { name = "help" } } }, "--help is declared twice" },
    { { options = { { name = "a", short = "h" } } }, "short must be one letter" },
    { { options = { { name = "a", type = "number", default = "9" } } }, "a number option cannot default to 9" },
    { { options = { { name = "a", type = "flag", default = true } } }, "a flag option cannot default" },
  }) do
    local ok, err = pcall(args.try_parse, c[1], {})
    eq(ok, false, c[2])
    has(err, c[2])
    has(err, "args: ")
  end
end

-- parse prints and exits; os.exit, io.write and io.stderr are swapped for
-- recorders here, as this runner has no host to catch them.
local function capture(fn)
  local out, err, code = {}, {}, nil
  local exit, write, stderr = os.exit, io.write, io.stderr
  os.exit = function(c)
    code = c
    error("exited", 0)
  end
  io.write = function(...) for _, s in ipairs({ ... }) do out[#out + 1] = s end end
  io.stderr = { write = function(_, ...) for _, s in ipairs({ ... }) do err[#err + 1] = s end end }
  local ok, res = pcall(fn)
  os.exit, io.write, io.stderr = exit, write, stderr
  if not ok and res ~= "exited" then error(res, 0) end
  return table.concat(out), table.concat(err), code, ok and res or nil
end

function TestParseExits()
  local out, err, code = capture(function() return args.parse(spec, { "--help" }) end)
  eq(code, 0, "help exit code")
  has(out, "usage: report.lua")
  eq(err, "")

  out, err, code = capture(function() return args.parse(spec, { "--days", "x" }) end)
  eq(code, 2, "usage exit code")
  eq(out, "")
  eq(err, 'skynamo: --days needs a number, got "x" (try --help)\n')

  local opts
  out, err, code, opts = capture(function() return args.parse(spec, { "--days", "7" }) end)
  eq(code, nil, "no exit")
  eq(opts.days, 7)
end

function TestParseReadsArg()
  local saved = arg
  arg = { [-2] = "/usr/local/bin/skyn", [-1] = "run", [0] = "scripts/mine", "--days", "5" }
  local o = args.parse(spec)
  local _, err, code = capture(function() return args.parse(spec, { "--nope" }) end)
  local text = args.usage { options = {} }
  arg = saved
  eq(o.days, 5)
  eq(code, 2)
  eq(err, "skyn: unknown option --nope (try --help)\n", "messages start with the program's name")
  has(text, "usage: mine.lua\n", "the script's name from arg[0]")
end

function TestFail()
  local _, err, code = capture(function() args.fail("give --a or --b") end)
  eq(code, 2)
  eq(err, "skynamo: give --a or --b (try --help)\n")
end

function TestClosest()
  local names = { "Customer Type", "Credit Limit (R)", "Région" }
  eq(args.closest("credit limit", names), "Credit Limit (R)", "missing suffix")
  eq(args.closest("CUSTOMER TYPE", names), "Customer Type", "case is ignored")
  eq(args.closest("credit", names), "Credit Limit (R)", "the start of a name")
  eq(args.closest("Region", names), "Région", "accents are ignored")
  eq(args.closest("regoin", names), "Région", "two letters swapped")
  eq(args.closest("RÉGION", names), "Région", "capital accents")
  eq(args.closest("Strasse", { "Straße", "Stray" }), "Straße", "ß is ss")
  eq(args.closest("Grosse", { "Größe" }), "Größe", "ß is ss next to an accent")
  eq(args.closest("yy", { "ßß" }), nil, "ß is not y")
  eq(args.closest("zzz", names), nil, "nothing near")
  eq(args.closest("x", {}), nil, "no candidates")
  local ok, err = pcall(args.closest, nil, names)
  eq(ok, false, "a nil word raises")
  has(err, "bad argument #1 to 'closest'")
end
