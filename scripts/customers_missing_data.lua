-- customers_missing_data.lua: customers missing data that matters (no location, empty required or chosen fields).
--
-- Usage:
--   skynamo run [--sim] customers_missing_data [--field NAME]... [--no-location]
--       [--include-inactive] [--out PATH]
--
--   --field NAME        also report customers whose custom field NAME is empty;
--                       repeat for more. Display names ("Credit Limit (R)") and
--                       identifier names (credit_limit_r) both work.
--   --no-location       do not check the location
--   --include-inactive  check inactive customers too (default: active only)
--   --out PATH          the CSV (default
--                       skynamo_data/output/customers_missing_data.csv)
--   --help              print this text
--
-- Checked for every customer: the location (missing, or without latitude
-- and longitude), every custom field the customer form marks required, and
-- the --field fields. One row per customer missing anything, by code: code,
-- name, missing (what is missing, "; " between), missing_count and reps (the
-- display names of the customer's assigned users), so each rep can be sent
-- their own list.

local function usage()
  io.write([[
usage: customers_missing_data.lua [--field NAME]... [--no-location] [--include-inactive] [--out PATH]
  --field NAME        customer custom field that must not be empty (repeatable)
  --no-location       do not check the location
  --include-inactive  check inactive customers too
  --out PATH          output CSV (default skynamo_data/output/customers_missing_data.csv)
]])
end

local opts = { fields = {}, location = true, inactive = false, out = "skynamo_data/output/customers_missing_data.csv" }
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--help" or a == "-h" then
    usage()
    return
  elseif a == "--field" then
    if not arg[i + 1] or arg[i + 1] == "" then error("--field needs a customer custom field name", 0) end
    opts.fields[#opts.fields + 1] = arg[i + 1]
    i = i + 1
  elseif a == "--no-location" then
    opts.location = false
  elseif a == "--include-inactive" then
    opts.inactive = true
  elseif a == "--out" then
    if not arg[i + 1] then error("--out needs a file path", 0) end
    opts.out = arg[i + 1]
    i = i + 1
  else
    error("unknown argument " .. a .. " (try --help)", 0)
  end
  i = i + 1
end

local reader = require "reader"
local csv = require "csv"
local tables = require "tables"

-- The fields to check: required ones first, in form order, then the chosen
-- ones not already among them. A chosen name is kept as typed so the CSV
-- says what the user asked for; a misspelt one raises in reader.customers.
local check, seen = {}, {}
for _, f in ipairs(assert(reader.fields("customers"))) do
  -- Dividers and labels hold nothing, whatever the form says.
  if f.required and f.type ~= "Divider Field" and f.type ~= "Label Field" then
    check[#check + 1] = f.key
    seen[f.key], seen[f.ident], seen[f.name] = true, true, true
  end
end
for _, name in ipairs(opts.fields) do
  if not seen[name] then
    check[#check + 1] = name
    seen[name] = true
  end
end

local want = { "id", "code", "name", "active", "location", "assigned_users" }
for _, name in ipairs(check) do want[#want + 1] = "custom." .. name end
local customers = assert(reader.customers { fields = want })
local users = tables.index_by(assert(reader.users { fields = { "id", "display_name", "user_name" } }), "id")

local function empty(v)
  return v == nil or v == "" or (type(v) == "table" and next(v) == nil)
end

local function located(loc)
  return type(loc) == "table" and tonumber(loc.latitude) ~= nil and tonumber(loc.longitude) ~= nil
      and not (loc.latitude == 0 and loc.longitude == 0)
end

local rows = {}
for _, c in ipairs(customers) do
  if c.active or opts.inactive then
    local missing = {}
    if opts.location and not located(c.location) then missing[#missing + 1] = "location" end
    for _, name in ipairs(check) do
      if empty(c.custom[name]) then missing[#missing + 1] = name end
    end
    if #missing > 0 then
      local reps = {}
      for _, id in ipairs(c.assigned_users or {}) do
        local u = users[id]
        reps[#reps + 1] = u and (u.display_name or u.user_name) or tostring(id)
      end
      rows[#rows + 1] = {
        code = c.code,
        name = c.name,
        missing = table.concat(missing, "; "),
        missing_count = #missing,
        reps = table.concat(reps, "; "),
      }
    end
  end
end
rows = tables.sort_by(rows, "code")

local n = assert(csv.write(opts.out, rows, {
  columns = { "code", "name", "missing", "missing_count", "reps" }, only = true, excel = true,
}))
local checked = {}
if opts.location then checked[1] = "location" end
for _, name in ipairs(check) do checked[#checked + 1] = name end
print(string.format("%d customers missing data (checked: %s) -> %s", n, table.concat(checked, ", "), opts.out))
