-- sync_erp_reference.lua: make Skynamo's tax rates and warehouses match the ERP's.
--
-- Usage:
--   skynamo run [--sim] [--dry-run] sync_erp_reference
--       [--tax-file PATH] [--warehouse-file PATH] [--apply] [--plan-out PATH]
--       [--tax-id-col NAME] [--tax-name-col NAME] [--tax-rate-col NAME] [--tax-active-col NAME]
--       [--warehouse-id-col NAME] [--warehouse-name-col NAME]
--       [--warehouse-email-col NAME] [--warehouse-active-col NAME]
--
--   --tax-file PATH        the ERP's tax rates as CSV (columns id, name, rate, active)
--   --warehouse-file PATH  the ERP's warehouses as CSV (columns id, name, order_email, active)
--                          At least one of the two files is needed; an entity
--                          whose file is not given is left alone.
--   --*-col NAME           the file's column holding that value, when the ERP
--                          names it differently. The active and email columns
--                          are optional: without them every row is active and
--                          order e-mails are left as they are.
--   --apply                write the changes (default: a dry run that writes nothing)
--   --plan-out PATH        the plan (or, with --apply, the outcome) as CSV for a
--                          person to approve (default
--                          skynamo_data/output/erp_reference_plan.csv)
--   --help                 print this text
--
-- Matching, as the older SDK's helper did: a Skynamo record belongs to the ERP
-- record whose id is in brackets at the end of its name, "VAT 15% (T01)".
--   - an active ERP record with no Skynamo record is created as "<name> (<id>)";
--   - a changed name is renamed, keeping the bracket; a changed rate is
--     re-rated; a changed (non-empty) order e-mail is updated; an inactive
--     Skynamo record that is active in the ERP is reactivated;
--   - a Skynamo record whose id is not in the file, or inactive there, is
--     deactivated (active = false). Nothing is ever deleted;
--   - Skynamo records without an id in brackets are left alone and listed.
-- An id that appears twice, in the file or in Skynamo, stops the run before
-- anything is written. An empty cell never clears anything.
--
-- Active cells read true/yes/y/1/active and false/no/n/0/inactive (any case);
-- an empty cell is active. Rates may end with "%" and use "," or "." as the
-- decimal mark.
--
-- Prints one line per change ("rename tax rate T01 (id 1): "VAT (T01)" →
-- "VAT 15% (T01)""), then, with --apply, each item's outcome. Exit codes: 0
-- done (or nothing to change), 2 bad arguments or an ERP file that cannot
-- be opened, 1 bad data in a file or in Skynamo (one-line message, nothing
-- written), 5 some writes failed or their outcome is unknown (see
-- `skynamo writes status`). The host's --dry-run wins over --apply.
local args = require "args"
local csv = require "csv"
local tables = require "tables"
local strings = require "strings"

-- What each ERP file holds: the option that names each column, its default,
-- and whether the file must have it.
local KINDS = {
  {
    key = "tax", entity = "tax_rates", what = "tax rate", file_opt = "--tax-file",
    cols = {
      { name = "id", opt = "--tax-id-col", default = "id", required = true },
      { name = "name", opt = "--tax-name-col", default = "name", required = true },
      { name = "rate", opt = "--tax-rate-col", default = "rate", required = true },
      { name = "active", opt = "--tax-active-col", default = "active" },
    },
  },
  {
    key = "warehouse", entity = "warehouses", what = "warehouse", file_opt = "--warehouse-file",
    cols = {
      { name = "id", opt = "--warehouse-id-col", default = "id", required = true },
      { name = "name", opt = "--warehouse-name-col", default = "name", required = true },
      { name = "email", opt = "--warehouse-email-col", default = "order_email" },
      { name = "active", opt = "--warehouse-active-col", default = "active" },
    },
  },
}

local COL_HELP = {
  ["--tax-id-col"] = "column of the ERP id",
  ["--tax-name-col"] = "column of the name",
  ["--tax-rate-col"] = "column of the rate in percent",
  ["--tax-active-col"] = "column saying whether it is active",
  ["--warehouse-id-col"] = "column of the ERP id",
  ["--warehouse-name-col"] = "column of the name",
  ["--warehouse-email-col"] = "column of the order e-mail",
  ["--warehouse-active-col"] = "column saying whether it is active",
}

-- Arguments come first: --help and a mistyped option need no config and no
-- connection (reader and writer connect when required).
local options = {
  { name = "tax-file", metavar = "PATH", help = "the ERP's tax rates as CSV" },
  { name = "warehouse-file", metavar = "PATH", help = "the ERP's warehouses as CSV (at least one of the two files)" },
}
for _, k in ipairs(KINDS) do
  for _, c in ipairs(k.cols) do
    -- No default in the declaration: a column named on the command line
    -- must exist, a default one only when the file needs it.
    options[#options + 1] = { name = c.opt:sub(3), metavar = "NAME", help = string.format("%s (default %s%s)", COL_HELP[c.opt], c.default, c.required and "" or "; optional") }
  end
end
options[#options + 1] = { name = "apply", type = "flag", help = "write the changes; without it nothing is written" }
options[#options + 1] = { name = "plan-out", default = "skynamo_data/output/erp_reference_plan.csv", metavar = "PATH", help = "the plan CSV" }

local parsed = args.parse {
  description = "Make Skynamo's tax rates and warehouses match the ERP's.",
  options = options,
  notes = [[
Skynamo records are matched by the ERP id in brackets at the end of their name,
"VAT 15% (T01)": missing ones are created, changed names renamed, changed rates
re-rated, changed order e-mails updated, and records the ERP no longer has (or
has inactive) deactivated. Records without an id in brackets are left alone.
The host's --dry-run wins over --apply.]],
}

-- opts.given["--tax-file"] is an option's value when it was given.
local opts = { apply = parsed.apply, plan_out = parsed.plan_out, given = {} }
for _, o in ipairs(options) do
  local v = parsed[(o.name:gsub("-", "_"))]
  if o.type == nil and o.name ~= "plan-out" and v ~= nil then opts.given["--" .. o.name] = v end
end
if not opts.given["--tax-file"] and not opts.given["--warehouse-file"] then
  args.fail("give --tax-file PATH, --warehouse-file PATH or both")
end
-- A file that cannot be opened is a mistake in the command line.
for _, k in ipairs(KINDS) do
  local path = opts.given[k.file_opt]
  if path then
    local f, err = io.open(path, "r")
    if not f then args.fail(k.file_opt .. ": " .. tostring(err)) end
    f:close()
  end
end

-- Small helpers.

local function quote(s) return string.format("%q", tostring(s)) end

-- fmtnum shows 15 as "15" and 15.5 as "15.5", as a person writes a rate.
local function fmtnum(n)
  if n == nil then return "" end
  if n == math.floor(n) and math.abs(n) < 1e15 then return string.format("%d", n) end
  return tostring(n)
end

local function parse_rate(s)
  s = strings.trim(s)
  s = s:gsub("%%$", "")
  s = strings.trim(s):gsub(",", ".")
  return tonumber(s)
end

local TRUE = { ["true"] = true, yes = true, y = true, ["1"] = true, active = true, t = true }
local FALSE = { ["false"] = true, no = true, n = true, ["0"] = true, inactive = true, f = true }
local function parse_active(s)
  s = strings.trim(s):lower()
  if s == "" or TRUE[s] then return true end
  if FALSE[s] then return false end
  return nil
end

-- erp_id splits a Skynamo name into its base and the ERP id in brackets at
-- its end: "VAT 15% (T01)" -> "VAT 15%", "T01". nil when there is none.
local function erp_id(name)
  if type(name) ~= "string" then return nil end
  local base, id = name:match("^(.-)%s*%(([^()]*)%)%s*$")
  if not id then return nil end
  id = strings.trim(id)
  if id == "" then return nil end
  return id, strings.trim(base)
end

-- ERP files.

-- read_erp reads one ERP file into {id, name, rate|email, active, line}
-- rows, or raises naming every bad cell at once.
local function read_erp(kind)
  local path = opts.given[kind.file_opt]
  local rows, err = csv.read(path)
  if not rows then error(kind.file_opt .. ": " .. tostring(err), 0) end
  -- The header row in file order, for the message about a missing column.
  local header = assert(csv.read(path, { header = false }))[1] or {}
  local have = {}
  for _, h in ipairs(header) do have[h] = true end

  local col = {}
  for _, c in ipairs(kind.cols) do
    local name = opts.given[c.opt] or c.default
    if have[name] then
      col[c.name] = name
    elseif c.required or opts.given[c.opt] then
      local list = {}
      for _, h in ipairs(header) do list[#list + 1] = quote(h) end
      error(string.format("%s has no column %s (%s); its columns are: %s", path, quote(name), c.opt,
        #list > 0 and table.concat(list, ", ") or "none, the file is empty"), 0)
    end
  end
  if #rows == 0 then
    -- An empty export would deactivate everything: far more likely a
    -- failed ERP export than an ERP without a single record.
    error(path .. " has a header but no rows; refusing to deactivate every " .. kind.what, 0)
  end

  local out, problems, first_line = {}, {}, {}
  for n, row in ipairs(rows) do
    local line = n + 1 -- the header is line 1
    local function bad(msg) problems[#problems + 1] = string.format("%s line %d: %s", path, line, msg) end
    local r = { line = line, id = strings.trim(row[col.id]), name = strings.trim(row[col.name]), active = true }
    if r.id == "" then bad("the id (column " .. quote(col.id) .. ") is empty") end
    if col.active then
      r.active = parse_active(row[col.active])
      if r.active == nil then
        bad(string.format("%s %s is not true or false (yes/no, 1/0, active/inactive)", col.active, quote(row[col.active])))
      end
    end
    if r.name == "" and r.active then bad("the name (column " .. quote(col.name) .. ") is empty") end
    if kind.key == "tax" then
      local text = row[col.rate]
      r.rate = parse_rate(text)
      if r.rate == nil and r.active then
        bad(string.format("%s %s is not a number", col.rate, quote(text)))
      end
    elseif col.email then
      r.email = strings.trim(row[col.email])
    end
    if r.id ~= "" then
      if first_line[r.id] then
        bad(string.format("ERP id %s is also on line %d", quote(r.id), first_line[r.id]))
      else
        first_line[r.id] = line
      end
    end
    out[#out + 1] = r
  end
  if #problems > 0 then error(table.concat(problems, "\n"), 0) end
  return out
end

-- Both files are read and checked before anything connects: a bad file
-- costs no API request.
local erp_rows = {}
for _, kind in ipairs(KINDS) do
  if opts.given[kind.file_opt] then erp_rows[kind.key] = read_erp(kind) end
end

local reader = require "reader"
local writer = require "writer"

-- The plan.

local batch = writer.batch()
local changes = {}   -- one per plan line: {item, action, what, erp_id, id, property, before, after, note}
local untouched = {} -- Skynamo records without an ERP id
local hints = {}

local function label(kind, id, rec)
  if rec then return string.format("%s %s (id %s)", kind.what, id, fmtnum(rec.id)) end
  return string.format("%s %s", kind.what, id)
end

local function add_change(item, kind, id, rec, action, property, before, after, note)
  changes[#changes + 1] = {
    item = item, action = action, entity = kind.what, erp_id = id, id = rec and rec.id or nil,
    property = property, before = before, after = after, note = note, label = label(kind, id, rec),
  }
end

local totals = {}

local function plan(kind, erp)
  local records = assert(reader[kind.entity] { refresh = true })

  -- Skynamo's side, keyed by ERP id; a duplicate stops everything.
  local by_id, dup = {}, {}
  for _, rec in ipairs(records) do
    local id = erp_id(rec.name)
    if not id then
      untouched[#untouched + 1] = string.format("%s %s %s", kind.what, fmtnum(rec.id), quote(rec.name or ""))
    elseif by_id[id] then
      dup[#dup + 1] = string.format("ERP id %s is on Skynamo %s %s %s and %s %s", quote(id),
        kind.what, fmtnum(by_id[id].id), quote(by_id[id].name), fmtnum(rec.id), quote(rec.name))
    else
      by_id[id] = rec
    end
  end
  if #dup > 0 then
    error(table.concat(dup, "\n") .. "\nrename one of them in Skynamo so each ERP id is on one " .. kind.what, 0)
  end
  totals[kind.key] = { erp = #erp, skynamo = #records }

  local in_erp = tables.index_by(erp, "id")
  for _, r in ipairs(erp) do
    local rec = by_id[r.id]
    local wanted = r.name .. " (" .. r.id .. ")"
    if strings.ends_with(r.name, "(" .. r.id .. ")") then wanted = r.name end
    if not rec then
      if r.active then
        local values = { name = wanted, active = true }
        local detail = "rate " .. fmtnum(r.rate)
        if kind.key == "tax" then
          values.rate = r.rate
        elseif r.email and r.email ~= "" then
          values.order_email = r.email
          detail = "order_email " .. r.email
        else
          detail = nil
        end
        for _, w in ipairs(records) do
          if not erp_id(w.name) and strings.trim(w.name or "") == r.name then
            local hint = string.format("%s %s %s has no ERP id; rename it to %s to adopt it instead of creating a new one",
              kind.what, fmtnum(w.id), quote(w.name), quote(wanted))
            hints[#hints + 1] = hint
            -- The approver reads the plan CSV, not stdout: the hint goes there too.
            detail = detail and (detail .. "; " .. hint) or hint
          end
        end
        local n = batch:create(kind.entity, values)
        add_change(n, kind, r.id, nil, "create", "name", "", wanted, detail)
      end
    elseif not r.active then
      if rec.active ~= false then
        local n = batch:update(kind.entity, rec, { active = false })
        add_change(n, kind, r.id, rec, "deactivate", "active", "true", "false", "inactive in the ERP")
      end
    else
      local set, lines = {}, {}
      local _, base = erp_id(rec.name)
      if base ~= r.name and rec.name ~= wanted then
        set.name = wanted
        lines[#lines + 1] = { "rename", "name", rec.name, wanted }
      end
      if kind.key == "tax" and math.abs((rec.rate or 0) - r.rate) > 1e-9 then
        set.rate = r.rate
        lines[#lines + 1] = { "re-rate", "rate", fmtnum(rec.rate), fmtnum(r.rate) }
      end
      if kind.key == "warehouse" and r.email and r.email ~= "" and r.email ~= (rec.order_email or "") then
        set.order_email = r.email
        lines[#lines + 1] = { "update", "order_email", rec.order_email or "", r.email }
      end
      if rec.active == false then
        set.active = true
        lines[#lines + 1] = { "reactivate", "active", "false", "true" }
      end
      if #lines > 0 then
        local n = batch:update(kind.entity, rec, set)
        for _, l in ipairs(lines) do add_change(n, kind, r.id, rec, l[1], l[2], l[3], l[4]) end
      end
    end
  end

  -- What Skynamo has and the ERP no longer does.
  for _, rec in ipairs(records) do
    local id = erp_id(rec.name)
    if id and not in_erp[id] and rec.active ~= false then
      local n = batch:update(kind.entity, rec, { active = false })
      add_change(n, kind, id, rec, "deactivate", "active", "true", "false", "not in the ERP file")
    end
  end
end

for _, kind in ipairs(KINDS) do
  if opts.given[kind.file_opt] then plan(kind, erp_rows[kind.key]) end
end

-- Output.

local function describe(c)
  local s
  if c.action == "create" then
    s = string.format("create     %s: %s", c.label, quote(c.after))
    if c.note then s = s .. ", " .. c.note end
  elseif c.property == "name" or c.property == "order_email" then
    s = string.format("%-10s %s: %s %s → %s", c.action, c.label, c.property, quote(c.before), quote(c.after))
  else
    s = string.format("%-10s %s: %s %s → %s", c.action, c.label, c.property, c.before, c.after)
  end
  if c.note and c.action ~= "create" then s = s .. " (" .. c.note .. ")" end
  return s
end

local function summary_counts()
  local parts = {}
  for _, kind in ipairs(KINDS) do
    local t = totals[kind.key]
    if t then parts[#parts + 1] = string.format("%d %ss in the ERP file, %d in Skynamo", t.erp, kind.what, t.skynamo) end
  end
  return table.concat(parts, "; ")
end

local function write_plan(items)
  local rows = {}
  for _, c in ipairs(changes) do
    local it = items and items[c.item] or {}
    rows[#rows + 1] = {
      item = c.item, action = c.action, entity = c.entity, erp_id = c.erp_id, id = c.id,
      property = c.property, before = c.before, after = c.after, note = c.note,
      status = it.status, error = it.error, method = it.method, path = it.path,
    }
  end
  assert(csv.write(opts.plan_out, rows, {
    columns = { "item", "action", "entity", "erp_id", "id", "property", "before", "after", "note", "status", "error", "method", "path" },
    only = true, excel = true,
  }))
end

for _, h in ipairs(untouched) do print("left alone (no ERP id in brackets at the end of its name): " .. h) end
for _, h in ipairs(hints) do print("note: " .. h) end

if #changes == 0 then
  write_plan(nil)
  print("nothing to change: " .. summary_counts())
  return
end

for _, c in ipairs(changes) do print(describe(c)) end

local problems = batch:problems()
for _, p in ipairs(problems) do print("invalid: " .. p) end

-- The plan is on disk before anything is sent, so an apply cut short (the
-- quota, Ctrl-C) still leaves it beside the journal.
write_plan(nil)
local res = batch:apply { dry_run = not opts.apply }
write_plan(res.items)

if res.planned > 0 then
  local why = opts.apply and "--dry-run was given, so nothing was written"
      or "dry run: nothing was written; run again with --apply to write"
  print(string.format("%d changes to %d records; %s. Plan: %s", #changes, #batch, why, opts.plan_out))
  return
end

local seen = {}
for _, c in ipairs(changes) do
  local it = res.items[c.item]
  if not seen[c.item] and it and it.status ~= "applied" then
    seen[c.item] = true
    print(string.format("%-8s item %d %s: %s", it.status, c.item, c.label, it.error or ""))
  end
end
print(string.format("applied %d, failed %d, unknown %d, pending %d of %d writes (%d requests). Outcome: %s",
  res.applied, res.failed, res.unknown, res.pending, #batch, res.requests, opts.plan_out))
if res.unknown > 0 or res.pending > 0 then
  print("some outcomes are not known: see `skynamo writes status`" ..
    (res.journal and res.journal ~= "" and (" (journal " .. res.journal .. ")") or ""))
end
