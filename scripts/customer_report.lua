-- customer_report.lua: active customers who ordered in the last N days, as CSV, optionally e-mailed.
--
-- Usage:
--   skynamo run [--sim] customer_report [--days N] [--field NAME]... [--out PATH]
--       [--email ADDR]...
--
--   --days N      look back N days (default 90)
--   --field NAME  add the customer custom field NAME as a column; repeat for
--                 more. Exact display names ("Credit Limit (R)") and identifier
--                 names (credit_limit_r) both work. Default: "Customer Type",
--                 "Credit Limit (R)" and "Région" (those the instance has).
--   --out PATH    where to write the CSV (default
--                 skynamo_data/output/customer_report.csv)
--   --email ADDR  also e-mail the report to ADDR: the CSV attached, the top
--                 customers and totals as an HTML table in the body (and as
--                 plain text). Repeat it or give a comma list for several
--                 people. Under --sim nothing is sent: the message is written
--                 to skynamo_data/outbox/ as an .eml file.
--   --help        print this text
--
-- One row per customer, sorted by order value in the base currency (largest
-- first, using each order's currency_rate_to_base): code, name,
-- order count, order total rounded to cents (one column per currency when the
-- orders use more than one), last order date (in the order's own time zone),
-- the rep on the most recent order (display name), then the chosen custom
-- fields.

local args = require "args"
local opts = args.parse {
  description = "Active customers who ordered in the last N days, as CSV, optionally e-mailed.",
  options = {
    { name = "days", type = "number", default = 90, min = 0, metavar = "N", help = "look back N days" },
    {
      name = "field", type = "list", metavar = "NAME",
      help = 'customer custom field to add as a column (default "Customer Type", "Credit Limit (R)" '
          .. 'and "Région", those the instance has)',
    },
    { name = "out", default = "skynamo_data/output/customer_report.csv", metavar = "PATH", help = "output CSV" },
    { name = "email", type = "list", split = ",", metavar = "ADDR", help = "e-mail the CSV and a summary to ADDR" },
  },
}

-- A mistyped address is a mistake in the command line: said now, before
-- minutes of pulling, not by email.send at the end.
for _, addr in ipairs(opts.email) do
  local bare = addr:match("<([^<>]*)>%s*$") or addr
  if not bare:match("^[^%s@]+@[^%s@]+$") then
    args.fail(string.format("--email %q is not an e-mail address (local@domain)", addr))
  end
end

-- Modules are loaded after the arguments are read, so --help and a
-- mistyped argument need no config and no connection (args needs neither).
local reader = require "reader"
local csv = require "csv"
local dates = require "dates"
local tables = require "tables"

-- The custom fields: each --field must be a customer field that holds a
-- value; the defaults are kept where the instance has them. Errors from
-- the reader are passed on as they are, so the host can give the API or
-- config error its exit code and hint.
local DEFAULT_FIELDS = { "Customer Type", "Credit Limit (R)", "Région" }
local NO_VALUE = { ["Images Field"] = true, ["Signature Field"] = true, ["Sketch Field"] = true,
  ["Divider Field"] = true, ["Label Field"] = true }
local known, display = {}, {}
for _, f in ipairs(assert(reader.fields("customers"))) do
  known[f.name], known[f.key], known[f.ident] = f, f, f
  if not NO_VALUE[f.type] then display[#display + 1] = f.name end
end
local chosen = opts.field
if #chosen == 0 then
  chosen = {}
  for _, name in ipairs(DEFAULT_FIELDS) do
    if known[name] then chosen[#chosen + 1] = name end
  end
end
for _, name in ipairs(chosen) do
  local f = known[name]
  if not f then
    local near = args.closest(name, display)
    args.fail(string.format("--field %q: customers have no custom field of that name%s", name,
      near and string.format('; did you mean "%s"?', near) or ""))
  elseif NO_VALUE[f.type] then
    args.fail(string.format("--field %q: fields of type %q hold no value to report", name, f.type))
  end
end
opts.field = chosen

-- Only the properties the report uses are loaded: on a 100,000-customer
-- instance that is a third of the memory and time of whole records.
local customer_fields = { "id", "code", "name", "active" }
for _, name in ipairs(opts.field) do customer_fields[#customer_fields + 1] = "custom." .. name end
local customers = assert(reader.customers { fields = customer_fields })
local orders = assert(reader.orders {
  fields = { "customer_id", "date", "total_amount", "currency_code", "currency_rate_to_base", "user_id", "user_name" },
})
local users = tables.index_by(assert(reader.users { fields = { "id", "display_name" } }), "id")

-- rep_name is how managers know a rep: the display name, else the login.
local function rep_name(order)
  local u = users[order.user_id]
  return (u and u.display_name) or order.user_name
end

-- money keeps two decimals, as a person expects to read an amount.
local function money(cents)
  return string.format("%.2f", cents / 100)
end

local since = dates.days_ago(opts.days)
local recent = tables.filter(orders, function(o)
  return o.date ~= nil and dates.parse(o.date) >= since
end)
local by_customer = tables.group_by(recent, "customer_id")

-- Totals are summed in whole cents so that rounding happens once per order,
-- not as float drift over hundreds of orders.
local currencies, currency_count = {}, 0
for _, o in ipairs(recent) do
  local cur = o.currency_code or ""
  if not currencies[cur] then
    currencies[cur] = true
    currency_count = currency_count + 1
  end
end

local rows = {}
for _, c in ipairs(customers) do
  local list = by_customer[c.id]
  if c.active and list then
    local cents, last, base_total = {}, nil, 0
    for _, o in ipairs(list) do
      local cur = o.currency_code or ""
      cents[cur] = (cents[cur] or 0) + math.floor((o.total_amount or 0) * 100 + 0.5)
      base_total = base_total + (o.total_amount or 0) * (o.currency_rate_to_base or 1)
      if not last or dates.parse(o.date) > dates.parse(last.date) then last = o end
    end
    local row = {
      code = c.code,
      name = c.name,
      order_count = #list,
      last_order_date = dates.format(last.date, "date"),
      last_order_rep = rep_name(last),
    }
    if currency_count > 1 then
      -- A currency the customer did not order in stays empty, not 0.
      for cur, c in pairs(cents) do
        row["order_total_" .. cur] = money(c)
      end
    else
      local cur = next(cents)
      row.order_total = money(cents[cur])
      row.currency = cur
    end
    for _, name in ipairs(opts.field) do
      row[name] = c.custom[name]
    end
    row._sort = base_total -- across currencies, rows sort by value in the base currency
    rows[#rows + 1] = row
  end
end

table.sort(rows, function(a, b)
  if a._sort ~= b._sort then return a._sort > b._sort end
  return a.code < b.code
end)
for _, r in ipairs(rows) do r._sort = nil end

local columns = { "code", "name", "order_count" }
if currency_count > 1 then
  for _, cur in ipairs(tables.keys(currencies)) do columns[#columns + 1] = "order_total_" .. cur end
else
  columns[#columns + 1] = "order_total"
  columns[#columns + 1] = "currency"
end
for _, col in ipairs({ "last_order_date", "last_order_rep" }) do columns[#columns + 1] = col end
for _, name in ipairs(opts.field) do columns[#columns + 1] = name end

local n = assert(csv.write(opts.out, rows, { columns = columns, excel = true }))
print(string.format("%d customers with orders in the last %d days -> %s", n, opts.days, opts.out))

if #opts.email == 0 then return end

-- The e-mail: the CSV attached for whoever wants every row, and in the body
-- what a manager reads on a phone: totals and the top customers.
local email = require "email"
local TOP = 10

local function html_escape(v)
  return (tostring(v == nil and "" or v):gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- Totals per currency over the customers in the report, in whole cents as above.
local totals, order_count = {}, 0
for _, c in ipairs(customers) do
  if c.active and by_customer[c.id] then
    for _, o in ipairs(by_customer[c.id]) do
      order_count = order_count + 1
      local cur = o.currency_code or ""
      totals[cur] = (totals[cur] or 0) + math.floor((o.total_amount or 0) * 100 + 0.5)
    end
  end
end
local total_lines = {}
for _, cur in ipairs(tables.keys(totals)) do
  total_lines[#total_lines + 1] = money(totals[cur]) .. (cur ~= "" and " " .. cur or "")
end

local function total_of(r)
  if r.order_total then return r.order_total .. (r.currency ~= "" and " " .. r.currency or "") end
  local parts = {}
  for _, cur in ipairs(tables.keys(currencies)) do
    local v = r["order_total_" .. cur]
    if v then parts[#parts + 1] = v .. " " .. cur end
  end
  return table.concat(parts, " + ")
end

local top = tables.take(rows, TOP)
local head = { "Code", "Customer", "Orders", "Total", "Last order", "Rep" }
local function cells(r)
  return { r.code, r.name, r.order_count, total_of(r), r.last_order_date, r.last_order_rep or "" }
end

local summary = string.format("%d customers placed %d orders in the last %d days, worth %s.",
  n, order_count, opts.days, #total_lines > 0 and table.concat(total_lines, " + ") or "nothing")

local html = { "<p>", html_escape(summary), "</p>\n" }
if #top > 0 then
  html[#html + 1] = string.format("<p>The top %d by order value:</p>\n", #top)
  html[#html + 1] = '<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">\n<tr>'
  for _, h in ipairs(head) do html[#html + 1] = "<th>" .. h .. "</th>" end
  html[#html + 1] = "</tr>\n"
  for _, r in ipairs(top) do
    html[#html + 1] = "<tr>"
    for j, v in ipairs(cells(r)) do
      local align = (j == 3 or j == 4) and ' style="text-align:right"' or ""
      html[#html + 1] = "<td" .. align .. ">" .. html_escape(v) .. "</td>"
    end
    html[#html + 1] = "</tr>\n"
  end
  html[#html + 1] = "</table>\n"
end
html[#html + 1] = "<p>Every customer is in the attached CSV.</p>\n"

local text = { summary, "" }
if #top > 0 then
  text[#text + 1] = string.format("The top %d by order value:", #top)
  for k, r in ipairs(top) do
    local c = cells(r)
    text[#text + 1] = string.format("%2d. %s %s: %s orders, %s, last %s (%s)", k, c[1], c[2], c[3], c[4], c[5], c[6])
  end
  text[#text + 1] = ""
end
text[#text + 1] = "Every customer is in the attached CSV."

local ok, err = email.send {
  to = opts.email,
  subject = string.format("Customer report: %d customers ordered in the last %d days", n, opts.days),
  text = table.concat(text, "\n") .. "\n",
  html = table.concat(html),
  attachments = { opts.out },
}
if not ok then error("e-mailing the report: " .. tostring(err), 0) end
if email.config().mode == "outbox" then
  print("e-mail to " .. table.concat(opts.email, ", ") .. " written to the outbox (not sent)")
else
  print("e-mailed to " .. table.concat(opts.email, ", "))
end
