-- stock_reorder.lua: stock below each product's reorder level per warehouse, e-mailed to each warehouse.
--
-- Usage:
--   skynamo run [--sim] stock_reorder [--level-field NAME] [--fallback ADDR]...
--       [--no-email] [--out PATH]
--
--   --level-field NAME  the product custom field holding the reorder level, in
--                       base units (default "Reorder Level"); the display name
--                       or the identifier name (reorder_level)
--   --fallback ADDR     who gets the lines no warehouse e-mail can take: stock
--                       held without a warehouse, and warehouses without an
--                       order e-mail. Repeat it or give a comma list.
--   --no-email          only write the CSV
--   --out PATH          the CSV (default skynamo_data/output/stock_reorder.csv)
--   --help              print this text
--
-- A product's stock in a warehouse is counted in base units: the level of its
-- base unit (multiplier 1) there, else another unit's level times that unit's
-- multiplier (the smallest such unit). Products of which the field is empty
-- are skipped, and inactive products too.
--
-- The CSV has one row per product and warehouse below the level: warehouse,
-- product code and name, stock, reorder level and shortfall, by warehouse
-- then product code. Each warehouse with rows gets one e-mail to its
-- order_email (several addresses separated by ";" or "," all receive it)
-- with its rows as a table and as a CSV attachment written next to --out
-- (stock_reorder_<warehouse>.csv). Under --sim nothing is sent: each message
-- is written to skynamo_data/outbox/ as an .eml file. Without --fallback,
-- rows no warehouse e-mail can take are counted on stderr; the CSV still
-- has them.

local function usage()
  io.write([[
usage: stock_reorder.lua [--level-field NAME] [--fallback ADDR]... [--no-email] [--out PATH]
  --level-field NAME  product custom field with the reorder level (default "Reorder Level")
  --fallback ADDR     recipient for stock without a warehouse or a warehouse e-mail (repeatable)
  --no-email          only write the CSV
  --out PATH          output CSV (default skynamo_data/output/stock_reorder.csv)
]])
end

-- addresses splits "a@x; b@y, c@z" into a list.
local function addresses(text, into)
  into = into or {}
  for a in tostring(text or ""):gmatch("[^,;]+") do
    a = a:match("^%s*(.-)%s*$")
    if a ~= "" then into[#into + 1] = a end
  end
  return into
end

local opts = { field = "Reorder Level", fallback = {}, email = true, out = "skynamo_data/output/stock_reorder.csv" }
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--help" or a == "-h" then
    usage()
    return
  elseif a == "--level-field" then
    if not arg[i + 1] or arg[i + 1] == "" then error("--level-field needs a product custom field name", 0) end
    opts.field = arg[i + 1]
    i = i + 1
  elseif a == "--fallback" then
    if not arg[i + 1] or #addresses(arg[i + 1]) == 0 then error("--fallback needs an e-mail address", 0) end
    addresses(arg[i + 1], opts.fallback)
    i = i + 1
  elseif a == "--no-email" then
    opts.email = false
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

-- A misspelt --level-field raises here, naming the closest field names.
local products = assert(reader.products { fields = { "id", "code", "name", "active", "order_units", "custom." .. opts.field } })
local levels = assert(reader.stock_levels())
local warehouses = tables.index_by(assert(reader.warehouses()), "id")

-- reorder[product id] = {product, level}, for active products with a level.
local reorder, multiplier = {}, {}
for _, p in ipairs(products) do
  local level = p.custom[opts.field]
  if p.active and level ~= nil then
    local n = tonumber(level)
    if not n then
      error(string.format("product %s: %q is %q, not a number", p.code, opts.field, tostring(level)), 0)
    end
    reorder[p.id] = { product = p, level = n }
  end
  for _, u in ipairs(p.order_units or {}) do multiplier[u.id] = u.multiplier or 1 end
end

-- stock[product id][warehouse key] = {base = level in base units, m = the multiplier it came from}.
-- The key is the warehouse id, or 0 for stock held without a warehouse.
local stock = {}
for _, s in ipairs(levels) do
  if reorder[s.product_id] and s.level ~= nil then
    local m = multiplier[s.order_unit_id] or 1
    local per = stock[s.product_id] or {}
    stock[s.product_id] = per
    local wh = s.warehouse_id or 0
    local have = per[wh]
    if not have or m < have.m then per[wh] = { base = s.level * m, m = m } end
  end
end

local rows = {}
for pid, per in pairs(stock) do
  local r = reorder[pid]
  for wh, have in pairs(per) do
    if have.base < r.level then
      local w = warehouses[wh]
      rows[#rows + 1] = {
        warehouse_id = wh ~= 0 and wh or nil,
        warehouse = w and w.name or (wh == 0 and "(no warehouse)" or ("warehouse " .. wh)),
        product_code = r.product.code,
        product_name = r.product.name,
        stock = have.base,
        reorder_level = r.level,
        shortfall = r.level - have.base,
      }
    end
  end
end
rows = tables.sort_by(rows, { "warehouse", "product_code" })

local columns = { "warehouse", "product_code", "product_name", "stock", "reorder_level", "shortfall" }
local n = assert(csv.write(opts.out, rows, { columns = columns, only = true, excel = true }))
print(string.format("%d products below their %s -> %s", n, opts.field, opts.out))
if not opts.email or n == 0 then return end

local email = require "email"

local function html_escape(v)
  return (tostring(v == nil and "" or v):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- slug turns a warehouse name into a file name part.
local function slug(s)
  s = s:lower():gsub("[^%w]+", "_"):gsub("^_+", ""):gsub("_+$", "")
  return s ~= "" and s or "warehouse"
end

local function message(title, list)
  local html = { "<p>", html_escape(title), "</p>\n",
    '<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">\n',
    "<tr><th>Warehouse</th><th>Code</th><th>Product</th><th>Stock</th><th>Reorder level</th><th>Short by</th></tr>\n" }
  local text = { title, "" }
  for _, r in ipairs(list) do
    html[#html + 1] = string.format(
      '<tr><td>%s</td><td>%s</td><td>%s</td><td style="text-align:right">%s</td><td style="text-align:right">%s</td><td style="text-align:right">%s</td></tr>\n',
      html_escape(r.warehouse), html_escape(r.product_code), html_escape(r.product_name), r.stock, r.reorder_level, r.shortfall)
    text[#text + 1] = string.format("%s  %s %s: %s in stock, reorder level %s, short by %s",
      r.warehouse, r.product_code, r.product_name, r.stock, r.reorder_level, r.shortfall)
  end
  html[#html + 1] = "</table>\n"
  return table.concat(text, "\n") .. "\n", table.concat(html)
end

-- One message per recipient list: each warehouse with an order e-mail gets
-- its own rows; everything else goes to the fallback in one message.
local groups, order = tables.group_by(rows, function(r)
  local w = r.warehouse_id and warehouses[r.warehouse_id]
  if w and #addresses(w.order_email) > 0 then return r.warehouse_id end
  return 0
end)
local stem = opts.out:gsub("%.csv$", "")
local sent, unsent = 0, 0
for _, key in ipairs(order) do
  local list = groups[key]
  local to, subject, name
  if key ~= 0 then
    local w = warehouses[key]
    to, name = addresses(w.order_email), w.name
    subject = string.format("Reorder: %d products below their reorder level at %s", #list, w.name)
  elseif #opts.fallback > 0 then
    to, name = opts.fallback, "other"
    subject = string.format("Reorder: %d products below their reorder level without a warehouse e-mail", #list)
  end
  if to then
    local path = stem .. "_" .. slug(name) .. ".csv"
    assert(csv.write(path, list, { columns = columns, only = true, excel = true }))
    local text, html = message(subject .. ".", list)
    local ok, err = email.send { to = to, subject = subject, text = text, html = html, attachments = { path } }
    if not ok then error("e-mailing " .. table.concat(to, ", ") .. ": " .. tostring(err), 0) end
    sent = sent + 1
  else
    local where = tables.unique(tables.map(list, function(r) return r.warehouse end))
    unsent = #list
    io.stderr:write(string.format("stock_reorder: %d rows not e-mailed (%s: no warehouse order e-mail); give --fallback ADDR\n",
      #list, table.concat(where, ", ")))
  end
end
print(string.format("%d e-mails sent%s", sent, unsent > 0 and string.format(", %d rows not e-mailed", unsent) or ""))
