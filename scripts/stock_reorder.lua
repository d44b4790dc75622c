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
-- has them. A message that cannot be sent does not stop the others: each
-- failure is listed on stderr and the run exits 5 (partial).

-- addresses splits "a@x; b@y, c@z" into a list.
local function addresses(text, into)
  into = into or {}
  for a in tostring(text or ""):gmatch("[^,;]+") do
    a = a:match("^%s*(.-)%s*$")
    if a ~= "" then into[#into + 1] = a end
  end
  return into
end

local args = require "args"
local opts = args.parse {
  description = "Stock below each product's reorder level per warehouse, e-mailed to each warehouse.",
  options = {
    {
      name = "level-field", default = "Reorder Level", metavar = "NAME",
      help = "product custom field with the reorder level, in base units",
    },
    {
      name = "fallback", type = "list", split = ",;", metavar = "ADDR",
      help = "recipient for stock without a warehouse or a warehouse e-mail",
    },
    { name = "no-email", type = "flag", help = "only write the CSV" },
    { name = "out", default = "skynamo_data/output/stock_reorder.csv", metavar = "PATH", help = "output CSV" },
  },
}

-- A mistyped address is a mistake in the command line: said now, not
-- after the pulls.
for _, addr in ipairs(opts.fallback) do
  local bare = addr:match("<([^<>]*)>%s*$") or addr
  if not bare:match("^[^%s@]+@[^%s@]+$") then
    args.fail(string.format("--fallback %q is not an e-mail address (local@domain)", addr))
  end
end

local reader = require "reader"
local csv = require "csv"
local tables = require "tables"

-- --level-field must name a product field that can hold a number. Reader
-- errors are passed on unchanged, so the host gives an API or config error
-- its exit code and hint.
local NO_VALUE = { ["Images Field"] = true, ["Signature Field"] = true, ["Sketch Field"] = true,
  ["Divider Field"] = true, ["Label Field"] = true }
do
  local found, display = nil, {}
  for _, f in ipairs(assert(reader.fields("products"))) do
    if f.name == opts.level_field or f.key == opts.level_field or f.ident == opts.level_field then found = f end
    if not NO_VALUE[f.type] then display[#display + 1] = f.name end
  end
  if not found then
    local near = args.closest(opts.level_field, display)
    args.fail(string.format("--level-field %q: products have no custom field of that name%s", opts.level_field,
      near and string.format('; did you mean "%s"?', near) or ""))
  elseif NO_VALUE[found.type] then
    args.fail(string.format("--level-field %q: fields of type %q hold no value", opts.level_field, found.type))
  end
end

local products = assert(reader.products { fields = { "id", "code", "name", "active", "order_units", "custom." .. opts.level_field } })
local levels = assert(reader.stock_levels())
local warehouses = tables.index_by(assert(reader.warehouses()), "id")

-- reorder[product id] = {product, level}, for active products with a level.
local reorder, multiplier = {}, {}
for _, p in ipairs(products) do
  local level = p.custom[opts.level_field]
  if p.active and level ~= nil then
    local n = tonumber(level)
    if not n then
      error(string.format("product %s: %q is %q, not a number", p.code, opts.level_field, tostring(level)), 0)
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
print(string.format("%d stock level%s below their %s -> %s", n, n == 1 and "" or "s", opts.level_field, opts.out))
if opts.no_email or n == 0 then return end

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
-- A warehouse whose mail fails does not stop the others: the failures are
-- listed at the end and the run exits 5 (partial), as a write does.
local sent, unsent, failed = 0, 0, {}
for _, key in ipairs(order) do
  local list = groups[key]
  local to, subject, name
  if key ~= 0 then
    local w = warehouses[key]
    to, name = addresses(w.order_email), w.name
    subject = string.format("Reorder: %d products below their reorder level at %s", #list, w.name)
  elseif #opts.fallback > 0 then
    to, name = opts.fallback, "other"
    subject = string.format("Reorder: %d stock levels below their reorder level without a warehouse e-mail", #list)
  end
  if to then
    local path = stem .. "_" .. slug(name) .. ".csv"
    assert(csv.write(path, list, { columns = columns, only = true, excel = true }))
    local text, html = message(subject .. ".", list)
    local ok, err = email.send { to = to, subject = subject, text = text, html = html, attachments = { path } }
    if ok then
      sent = sent + 1
    else
      failed[#failed + 1] = string.format("%s (%s): %s", name, table.concat(to, ", "), tostring(err))
    end
  else
    local where = tables.unique(tables.map(list, function(r)
      return r.warehouse_id and r.warehouse or "stock held without a warehouse"
    end))
    unsent = #list
    io.stderr:write(string.format("stock_reorder: %d rows not e-mailed (no warehouse order e-mail for: %s); give --fallback ADDR\n",
      #list, table.concat(where, ", ")))
  end
end
for _, f in ipairs(failed) do io.stderr:write("stock_reorder: not e-mailed: ", f, "\n") end
local outbox = sent > 0 and email.config().mode == "outbox"
print(string.format("%d e-mail%s %s%s%s", sent, sent == 1 and "" or "s",
  outbox and "written to the outbox (not sent)" or "sent",
  #failed > 0 and string.format(", %d failed", #failed) or "",
  unsent > 0 and string.format(", %d rows not e-mailed", unsent) or ""))
if #failed > 0 then os.exit(5) end
