-- orders_per_rep_week.lua: orders per rep per ISO week, with their count and value in the base currency.
--
-- Usage:
--   skynamo run [--sim] orders_per_rep_week [--weeks N] [--out PATH]
--
--   --weeks N    this week and the N-1 before it (default 8); this week runs
--                to today
--   --out PATH   the CSV (default skynamo_data/output/orders_per_rep_week.csv)
--   --help       print this text
--
-- One row per rep and week in which the rep took at least one order, by week
-- then rep: week ("2026-W48"), week_start (its Monday), rep (display name,
-- else login), orders, total and average (in the base currency: each order's
-- total_amount times its currency_rate_to_base, rounded to cents once at the
-- end). Weeks start on Monday and an order counts in the week of its own
-- date, in the time zone it was placed in.

local args = require "args"
local opts = args.parse {
  description = "Orders per rep per ISO week, with their count and value in the base currency.",
  options = {
    {
      name = "weeks", type = "number", integer = true, min = 1, default = 8, metavar = "N",
      help = "this week and the N-1 before it",
    },
    { name = "out", default = "skynamo_data/output/orders_per_rep_week.csv", metavar = "PATH", help = "output CSV" },
  },
}

local reader = require "reader"
local csv = require "csv"
local dates = require "dates"
local tables = require "tables"

local orders = assert(reader.orders {
  fields = { "date", "total_amount", "currency_rate_to_base", "user_id", "user_name" },
})
local users = tables.index_by(assert(reader.users { fields = { "id", "display_name" } }), "id")

-- The first day counted: the Monday opts.weeks - 1 weeks before this week's.
-- Dates as "YYYY-MM-DD" compare correctly as text.
local since = assert(dates.week_start(dates.add_days(dates.now(), -7 * (opts.weeks - 1))))

local lines = {}
for _, o in ipairs(orders) do
  local day = o.date and dates.date(o.date)
  if day and day >= since then
    local u = users[o.user_id]
    lines[#lines + 1] = {
      week = dates.week(o.date),
      week_start = dates.week_start(o.date),
      rep = (u and u.display_name) or o.user_name or "(no rep)",
      base = (o.total_amount or 0) * (o.currency_rate_to_base or 1),
    }
  end
end

local rows = tables.aggregate(lines, { "week", "week_start", "rep" }, {
  orders = { "count" },
  total = { "sum", "base" },
})
for _, r in ipairs(rows) do
  r.average = string.format("%.2f", r.total / r.orders)
  r.total = string.format("%.2f", r.total)
end
rows = tables.sort_by(rows, { "week_start", "rep" })

local n = assert(csv.write(opts.out, rows, {
  columns = { "week", "week_start", "rep", "orders", "total", "average" }, only = true, excel = true,
}))
print(string.format("%d rep-weeks with orders since %s (%d weeks) -> %s", n, since, opts.weeks, opts.out))
