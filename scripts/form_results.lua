-- form_results.lua: one custom form's completed results (e.g. a shelf audit) as CSV, one column per field.
--
-- Usage:
--   skynamo run [--sim] form_results --form NAME [--days N] [--out PATH]
--
--   --form NAME   the custom form, by name ("Store Visit") or id; required.
--                 Without it the script lists the forms there are.
--   --days N      only results of the last N days (default: all)
--   --out PATH    the CSV (default skynamo_data/output/form_results_<form>.csv)
--   --help        print this text
--
-- One row per completed form, newest first: date (in the time zone it was
-- filled in), customer_code, customer_name, rep (display name, else login),
-- then one column per field of the form, in the form's order, named as the
-- form names it (a second field of the same name as "Name #<field id>"; a
-- field named like a fixed column, e.g. "Date", as "Date (form)").
-- Dividers and labels hold nothing and have no column. A field
-- with several values (multiple choice, several users) is one cell with the
-- values joined by "; "; an address is one cell, its parts joined by ", ".

local args = require "args"
local opts = args.parse {
  description = "One custom form's completed results (e.g. a shelf audit) as CSV, one column per field.",
  options = {
    { name = "form", metavar = "NAME", help = "the custom form, by name or id (required; without it the forms are listed)" },
    { name = "days", type = "number", min = 0, metavar = "N", help = "only results of the last N days (default: all)" },
    { name = "out", metavar = "PATH", help = "output CSV (default skynamo_data/output/form_results_<form>.csv)" },
  },
}

local reader = require "reader"
local csv = require "csv"
local dates = require "dates"
local tables = require "tables"

-- Every custom form's fields, in form order, each naming its form.
local all_fields = assert(reader.fields("completed_forms"))
if not opts.form then
  local names = tables.unique(tables.map(all_fields, function(f) return string.format("%q", f.form) end))
  args.fail("--form is required: the name of a custom form, one of " .. table.concat(names, ", "))
end

-- An unknown form name is the user's mistake, not the script's: a usage
-- error (exit 2, "try --help") with the closest names.
local results, err = reader.completed_forms { form = opts.form }
if not results and err:find("^no form is named") then args.fail("--form: " .. err) end
results = assert(results, err)

-- The form's id: from its results, else (no results yet) by its name.
local form_id = results[1] and results[1].form_id
for _, f in ipairs(all_fields) do
  if not form_id and (f.form == opts.form or tostring(f.form_id) == opts.form) then form_id = f.form_id end
end
if not form_id then
  local lower = opts.form:lower()
  for _, f in ipairs(all_fields) do
    if not form_id and f.form:lower() == lower then form_id = f.form_id end
  end
end
local fields = tables.filter(all_fields, function(f)
  return f.form_id == form_id and f.type ~= "Divider Field" and f.type ~= "Label Field"
end)
local form_name = fields[1] and fields[1].form or opts.form

-- Each field's column: its name, unless that is one of the fixed columns
-- (a form may well have a "Date" or "Rep" field): then "<name> (form)", so
-- neither hides the other.
local FIXED = { "date", "customer_code", "customer_name", "rep" }
local taken, column = {}, {}
for _, c in ipairs(FIXED) do taken[c] = true end
for _, f in ipairs(fields) do
  local name = f.key
  if taken[name:lower()] then
    name = name .. " (form)"
    local n = 2
    while taken[name:lower()] do
      name = string.format("%s (form %d)", f.key, n)
      n = n + 1
    end
  end
  taken[name:lower()] = true
  column[f] = name
end

local users = tables.index_by(assert(reader.users { fields = { "id", "display_name" } }), "id")

-- cell turns a field's value into one CSV cell.
local function cell(v)
  if type(v) ~= "table" then return v end
  if #v > 0 then
    local parts = {}
    for k, x in ipairs(v) do parts[k] = tostring(x) end
    return table.concat(parts, "; ")
  end
  local parts = {}
  for _, k in ipairs({ "street", "city", "state", "zip" }) do
    if v[k] ~= nil and v[k] ~= "" then parts[#parts + 1] = tostring(v[k]) end
  end
  if #parts == 0 then -- another kind of table: its values by key
    for _, k in ipairs(tables.keys(v)) do parts[#parts + 1] = k .. "=" .. tostring(v[k]) end
  end
  return table.concat(parts, ", ")
end

local since = opts.days and dates.days_ago(opts.days)
local rows = {}
for _, r in ipairs(results) do
  if not since or (r.date and dates.parse(r.date) >= since) then
    local u = users[r.user_id]
    local row = {
      date = r.date and dates.format(r.date, "datetime"),
      customer_code = r.customer_code,
      customer_name = r.customer_name,
      rep = (u and u.display_name) or r.user_name,
      _at = r.date and dates.parse(r.date) or 0,
    }
    for _, f in ipairs(fields) do
      row[column[f]] = cell(rawget(r.custom, f.key))
    end
    rows[#rows + 1] = row
  end
end
rows = tables.sort_by(rows, { "-_at", "customer_code" })
for _, r in ipairs(rows) do r._at = nil end

local columns = { unpack(FIXED) }
for _, f in ipairs(fields) do columns[#columns + 1] = column[f] end

local function slug(s)
  s = s:lower():gsub("[^%w]+", "_"):gsub("^_+", ""):gsub("_+$", "")
  return s ~= "" and s or "form"
end
local out = opts.out or ("skynamo_data/output/form_results_" .. slug(form_name) .. ".csv")
local n = assert(csv.write(out, rows, { columns = columns, only = true, excel = true }))
print(string.format("%d result%s of %q, %d field%s -> %s", n, n == 1 and "" or "s", form_name,
  #fields, #fields == 1 and "" or "s", out))
