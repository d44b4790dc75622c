local csv = require("csv")
local json = require("json")

local function encode(rows, opts)
  local s, err = csv.encode(rows, opts)
  assert(err == nil, err)
  return s
end

local function decode(s, opts)
  local rows, err = csv.decode(s, opts)
  assert(err == nil, err)
  return rows
end

-- Records shaped like the reader's: standard properties, a custom table
-- whose __index raises for unknown names, nested location and address.
local function strict(t)
  return setmetatable(t, {__index = function(_, k) error("unknown custom field " .. tostring(k)) end})
end

local customers = {
  {id = 17, code = "C017", name = "Spaza, \"Corner\" Shop", active = true,
   location = {latitude = -26.1234567, longitude = 28.0123456},
   custom = strict({["Credit Limit (R)"] = 12345678901, Channel = {"Retail, Independent", "Wholesale"},
                    ["Delivery Address"] = {street = "1 Main Rd", city = "Sandton", state = "Gauteng", zip = "2196"}}),
   assigned_users = {{id = 4, name = "Jane"}, {id = 9, name = "Joe"}}},
  {id = 18, code = "C018", name = "Multi\nline", active = false,
   custom = strict({Notes = "=HYPERLINK(\"x\")", ["Credit Limit (R)"] = 0.1}),
   tags = json.array()},
}

function TestFlattenNaming()
  local text = encode(customers)
  golden("flatten.csv", text)
  local rows = decode(text)
  assert_eq(rows[1]["custom.Delivery Address.city"], "Sandton")
  assert_eq(rows[1]["location.latitude"], "-26.1234567")
  assert_eq(rows[1]["custom.Credit Limit (R)"], "12345678901", "whole numbers stay plain integers")
  assert_eq(rows[1]["custom.Channel"], "Retail, Independent; Wholesale", "arrays of values joined with '; '")
  assert_eq(rows[1].assigned_users, '[{"id":4,"name":"Jane"},{"id":9,"name":"Joe"}]', "arrays of tables as JSON")
  assert_eq(rows[2].name, "Multi\nline")
  assert_eq(rows[2].tags, "", "an empty json.array is an empty cell")
  assert_eq(rows[2]["location.latitude"], "", "missing values are empty cells")
end

function TestColumnsComeFirst()
  local text = encode(customers, {columns = {"code", "custom", "nothing", "id"}})
  local header = decode(text, {header = false})[1]
  assert_eq(header, {"code", "custom.Channel", "custom.Credit Limit (R)", "custom.Delivery Address.city",
    "custom.Delivery Address.state", "custom.Delivery Address.street", "custom.Delivery Address.zip",
    "custom.Notes", "nothing", "id", "active", "assigned_users", "location.latitude", "location.longitude",
    "name", "tags"})
end

function TestExcelOutput()
  local rows = {
    {formula = "=SUM(A1:A2)", plus = "+27 11 555 0000", at = "@cmd", minus = "-5", number = -5, plain = "ok"},
  }
  local text = encode(rows, {excel = true, columns = {"formula", "plus", "at", "minus", "number", "plain"}})
  golden("excel.csv", text)
  assert_eq(text:sub(1, 3), "\239\187\191", "starts with a UTF-8 BOM")
  assert(text:find("\r\n", 1, true), "Excel output uses CRLF")
  local back = decode(text)
  assert_eq(back[1].formula, "'=SUM(A1:A2)")
  assert_eq(back[1].minus, "'-5", "text is neutralized")
  assert_eq(back[1].number, "-5", "numbers are not")
  -- Each setting on its own, and excel's defaults can be overridden.
  assert_eq(encode({{f = "=1+1", n = 2}}, {neutralize = true, header = false}), "'=1+1,2\n")
  assert_eq(encode({{a = 1}}, {bom = true}), "\239\187\191a\n1\n")
  assert_eq(encode({{a = 1}}, {excel = true, bom = false, crlf = false}), "a\n1\n")
end

function TestQuotingRoundTrip()
  local rows = {{a = 'say "hi"', b = "x,y", c = "two\nlines", d = " lead", e = ""}}
  local text = encode(rows)
  assert_eq(text, 'a,b,c,d,e\n"say ""hi""","x,y","two\nlines"," lead",\n')
  assert_eq(decode(text), rows)
  -- One column with an empty cell must not become a blank line, which
  -- readers skip.
  local one = encode({{a = ""}, {a = "x"}})
  assert_eq(one, 'a\n""\nx\n')
  assert_eq(decode(one), {{a = ""}, {a = "x"}})
  assert_eq(encode({}), "", "no rows, no columns: nothing")
  assert_eq(encode({{}, {b = 1}}), "b\n\"\"\n1\n")
end

function TestDelimiters()
  local rows = {{a = "1;2", b = "tab\there"}}
  assert_eq(encode(rows, {delimiter = ";"}), 'a;b\n"1;2";tab\there\n')
  local tsv = encode(rows, {delimiter = "\t"})
  assert_eq(tsv, 'a\tb\n1;2\t"tab\there"\n')
  assert_eq(decode(tsv, {delimiter = "\t"}), rows)
end

function TestArrayRows()
  local text = encode({{"a", "b"}, {"c", "d", "e"}}, {header = false})
  assert_eq(text, "a,b,\nc,d,e\n")
  local wide = {}
  for i = 1, 11 do wide[i] = i end
  assert_eq(encode({wide}), "1,2,3,4,5,6,7,8,9,10,11\n1,2,3,4,5,6,7,8,9,10,11\n", "numbered columns sort by value")
end

function TestWriteAndRead()
  local dir = tmpdir()
  local path = dir .. "/reports/2024/customers.csv"
  local n, err = csv.write(path, customers, {columns = {"id", "name"}})
  assert_eq(err, nil)
  assert_eq(n, 2)
  local rows, rerr = csv.read(path)
  assert_eq(rerr, nil)
  assert_eq(#rows, 2)
  assert_eq(rows[1].id, "17", "cells read back as text")
  assert_eq(rows[2].name, "Multi\nline")
  -- Writing again replaces the file and leaves no temporary file behind.
  n = csv.write(path, {{id = 1}})
  assert_eq(n, 1)
  assert_eq(csv.read(path), {{id = "1"}})
  assert_eq(list_dir(dir .. "/reports/2024"), {"customers.csv"})
end

function TestReadOptions()
  local dir = tmpdir()
  local f = io.open(dir .. "/bom.csv", "w")
  f:write("\239\187\191code;name\r\nC1;Ann\r\nC2\r\n")
  f:close()
  local rows = csv.read(dir .. "/bom.csv", {delimiter = ";"})
  assert_eq(rows, {{code = "C1", name = "Ann"}, {code = "C2", name = ""}}, "BOM dropped, short rows padded")
  assert_eq(csv.read(dir .. "/bom.csv", {delimiter = ";", header = false})[3], {"C2"})
  assert_eq(decode(""), {})
end

function TestBadDataIsAnError()
  local s, err = csv.encode({{f = print}})
  assert(s == nil and err:find("rows%[1%]%.f") and err:find("function"), err)
  s, err = csv.encode({{a = 1}, "not a row"})
  assert(s == nil and err:find("rows%[2%]"), err)
  local t = {}
  t.self = t
  s, err = csv.encode({t})
  assert(s == nil and err:find("cycle"), err)
  s, err = csv.decode("a,b\n1,2,3\n")
  assert(s == nil and err:find("line 2"), err)
  s, err = csv.decode("a,a\n1,2\n")
  assert(s == nil and err:find("twice"), err)
  s, err = csv.decode('a\n"unterminated\n')
  assert(s == nil and err:find("^csv.decode: "), err)
  assert_eq(encode({{x = 0/0, y = 1/0}}), "x,y\nNaN,Inf\n")
end

function TestIOErrorsReturnNil()
  local n, err = csv.read(tmpdir() .. "/missing.csv")
  assert(n == nil and err:find("missing.csv"), err)
  local dir = tmpdir()
  local f = io.open(dir .. "/file", "w")
  f:write("x")
  f:close()
  n, err = csv.write(dir .. "/file/inside/out.csv", {{a = 1}})
  assert(n == nil and err:find("^csv.write: "), err)
end

function TestBadOptionsRaise()
  local cases = {
    {function() csv.encode({}, {delimeter = ";"}) end, 'unknown option "delimeter"; did you mean "delimiter"?'},
    {function() csv.encode({}, {delimiter = ";;"}) end, "delimiter"},
    {function() csv.encode({}, {delimiter = '"'}) end, "delimiter"},
    {function() csv.encode({}, {columns = "id"}) end, "columns"},
    {function() csv.encode({}, {columns = {"id", 2}}) end, "columns%[2%]"},
    {function() csv.encode({}, {bom = 1}) end, "bom must be a boolean"},
    {function() csv.write(nil, {}) end, "string expected"},
    {function() csv.read("x.csv", {header = "yes"}) end, "header must be a boolean"},
    {function() csv.encode("rows") end, "table expected"},
  }
  for i, c in ipairs(cases) do
    local ok, err = pcall(c[1])
    assert(not ok, "case " .. i .. " did not raise")
    assert(err:find(c[2]), "case " .. i .. ": " .. err)
  end
end

function TestOnlyTheNamedColumns()
  local csv = require "csv"
  local rows = { { code = "A1", name = "Acme", extra = 1, custom = { ["Credit Limit (R)"] = 5 } } }
  local text = assert(csv.encode(rows, { columns = { "name", "custom" }, only = true }))
  assert_eq(text, "name,custom.Credit Limit (R)\nAcme,5\n")
  local ok, err = pcall(csv.encode, rows, { only = true })
  assert(not ok and tostring(err):find("only = true needs the columns"), tostring(err))
end
