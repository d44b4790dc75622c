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
-- the --field fields. Photos, signatures and sketches (Images, Signature
-- and Sketch fields) never come with the record, so they are not checked
-- even when required, and --field refuses them. One row per customer missing anything, by code: code,
-- name, missing (what is missing, "; " between), missing_count and reps (the
-- display names of the customer's assigned users), so each rep can be sent
-- their own list.

local args = require "args"
local opts = args.parse {
  description = "Customers missing data that matters: no location, empty required or chosen fields.",
  options = {
    { name = "field", type = "list", metavar = "NAME", help = "customer custom field that must not be empty" },
    { name = "no-location", type = "flag", help = "do not check the location" },
    { name = "include-inactive", type = "flag", help = "check inactive customers too" },
    { name = "out", default = "skynamo_data/output/customers_missing_data.csv", metavar = "PATH", help = "output CSV" },
  },
}

local reader = require "reader"
local csv = require "csv"
local tables = require "tables"

-- Fields that never hold a value the API returns: photos, signatures and
-- sketches are not in the record, dividers and labels hold nothing. A
-- required one would flag every customer, so they are not checked.
local NO_VALUE = { ["Images Field"] = true, ["Signature Field"] = true, ["Sketch Field"] = true,
  ["Divider Field"] = true, ["Label Field"] = true }

-- The fields to check: required ones first, in form order, then the chosen
-- ones not already among them. A chosen name is kept as typed so the CSV
-- says what the user asked for. Reader errors are passed on unchanged, so
-- the host gives an API or config error its exit code and hint.
local check, seen, known, display = {}, {}, {}, {}
for _, f in ipairs(assert(reader.fields("customers"))) do
  known[f.name], known[f.key], known[f.ident] = f, f, f
  if not NO_VALUE[f.type] then display[#display + 1] = f.name end
  if f.required and not NO_VALUE[f.type] then
    check[#check + 1] = f.key
    seen[f] = true
  end
end
for _, name in ipairs(opts.field) do
  local f = known[name]
  if not f then
    local near = args.closest(name, display)
    args.fail(string.format("--field %q: customers have no custom field of that name%s", name,
      near and string.format('; did you mean "%s"?', near) or ""))
  elseif NO_VALUE[f.type] then
    args.fail(string.format("--field %q: fields of type %q hold no value to check", name, f.type))
  end
  if not seen[f] then
    check[#check + 1] = name
    seen[f] = true
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
  if c.active or opts.include_inactive then
    local missing = {}
    if not opts.no_location and not located(c.location) then missing[#missing + 1] = "location" end
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
if not opts.no_location then checked[1] = "location" end
for _, name in ipairs(check) do checked[#checked + 1] = name end
print(string.format("%d customers missing data (checked: %s) -> %s", n, table.concat(checked, ", "), opts.out))
