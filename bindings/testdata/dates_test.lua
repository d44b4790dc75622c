local dates = require "dates"

function TestParseReadsEveryAPIForm()
  assert_eq(dates.parse("2024-05-11T10:12:13.1234567+02:00"), dates.parse("2024-05-11T08:12:13Z"))
  assert_eq(dates.parse("2024-05-11T08:12:13"), dates.parse("2024-05-11T08:12:13Z"), "no offset reads as UTC")
  assert_eq(dates.parse("2024-05-11"), dates.parse("2024-05-11T00:00:00Z"))
  local v, err = dates.parse("11/05/2024")
  assert(v == nil and err:find("11/05/2024", 1, true), "a bad date names itself")
  assert_eq(tostring(dates.parse("2024-05-11T08:12:13.9Z")), "1715415133", "whole seconds print as integers")
end

function TestFormatKeepsTheDatesOwnOffset()
  assert_eq(dates.format("2026-12-03T00:30:00+02:00", "date"), "2026-12-03", "not the day before in UTC")
  assert_eq(dates.format("2026-12-03T14:56:00+02:00", "datetime"), "2026-12-03 14:56:00")
  assert_eq(dates.format(0, "date"), "1970-01-01", "epoch seconds are UTC")
  assert_eq(dates.format(0, "02 Jan 2006"), "01 Jan 1970")
  local ok, err = pcall(dates.format, 0, "nope")
  assert(not ok and tostring(err):find('unknown format "nope"', 1, true), tostring(err))
end

function TestDaysAgoIsBeforeNow()
  assert(dates.days_ago(1) < dates.now())
  assert_eq(dates.now() - dates.days_ago(2), 2 * 86400)
end

function TestCompareIsOffsetAware()
  assert_eq(dates.compare("2026-12-03T10:00:00+02:00", "2026-12-03T08:00:00Z"), 0, "the same instant")
  assert_eq(dates.compare("2026-12-03T09:00:00+02:00", "2026-12-03T08:00:00Z"), -1, "07:00Z is before 08:00Z")
  assert_eq(dates.compare("2026-12-03T08:00:01Z", "2026-12-03T08:00:00Z"), 1)
  assert_eq(dates.compare(0, "1970-01-01T00:00:00Z"), 0, "epoch seconds and text mix")
  assert_eq(dates.before("2026-12-03T23:30:00-01:00", "2026-12-04T01:00:00+00:00"), true)
  assert_eq(dates.after("2026-12-03T23:30:00-01:00", "2026-12-04T01:00:00+00:00"), false)
  assert_eq(dates.before("2026-12-03", "2026-12-03"), false)
end

function TestCompareOnGarbageRaisesNamingTheArgument()
  local ok, err = pcall(dates.compare, "2026-12-03", "soon")
  assert(not ok and tostring(err):find("bad argument #2", 1, true) and tostring(err):find('"soon"', 1, true), tostring(err))
  ok, err = pcall(dates.before, nil, "2026-12-03")
  assert(not ok and tostring(err):find("bad argument #1", 1, true), tostring(err))
  ok, err = pcall(dates.after, {}, 0)
  assert(not ok and tostring(err):find("got table", 1, true), tostring(err))
end

function TestDateUsesTheValuesOwnOffset()
  assert_eq(dates.date("2026-12-03T00:30:00+02:00"), "2026-12-03", "not 2026-12-02 as in UTC")
  assert_eq(dates.date("2026-12-03T23:30:00-05:00"), "2026-12-03")
  assert_eq(dates.date(86400 * 2), "1970-01-03", "epoch seconds are UTC")
  local v, err = dates.date("03/12/2026")
  assert(v == nil and err:find("03/12/2026", 1, true), "unreadable text is nil, err")
end

function TestISOWeeks()
  assert_eq(dates.week("2026-11-26T10:00:00+02:00"), "2026-W48")
  assert_eq(dates.week("2027-01-01"), "2026-W53", "the week's year, not the date's")
  assert_eq(dates.week("2024-12-30"), "2025-W01")
  assert_eq(dates.week("2026-11-30T00:30:00+02:00"), "2026-W49", "Monday 00:30 local is the new week")
  assert_eq(dates.week_start("2026-12-03T14:00:00+02:00"), "2026-11-30", "Thursday -> Monday")
  assert_eq(dates.week_start("2026-11-30"), "2026-11-30", "a Monday is its own start")
  assert_eq(dates.week_start("2026-12-06"), "2026-11-30", "Sunday belongs to the week before")
  local v, err = dates.week("nope")
  assert(v == nil and err ~= nil)
  v, err = dates.week_start("nope")
  assert(v == nil and err ~= nil)
end

function TestAddDaysKeepsTheKindOfValue()
  assert_eq(dates.add_days("2026-12-30", 3), "2027-01-02")
  assert_eq(dates.add_days("2026-03-01", -1), "2026-02-28")
  assert_eq(dates.add_days("2026-12-03T00:30:00+02:00", 1), "2026-12-04T00:30:00+02:00", "own offset kept")
  assert_eq(dates.add_days(0, 2), 172800, "epoch seconds stay numbers")
  local v, err = dates.add_days("x", 1)
  assert(v == nil and err:find('"x"', 1, true))
  local ok, e = pcall(dates.add_days, "2026-12-03", 1.5)
  assert(not ok and tostring(e):find("whole number of days", 1, true), tostring(e))
end

function TestDiffDaysCountsCalendarDays()
  assert_eq(dates.diff_days("2026-12-01", "2026-12-03"), 2)
  assert_eq(dates.diff_days("2026-12-03", "2026-12-01"), -2)
  assert_eq(dates.diff_days("2026-12-03T23:00:00Z", "2026-12-04T01:00:00Z"), 1, "two hours apart, next day")
  assert_eq(dates.diff_days("2026-12-31", "2027-01-01T00:30:00+02:00"), 1, "each on its own date")
  assert_eq(dates.diff_days(0, 86400 * 10), 10)
  local v, err = dates.diff_days("2026-12-01", "later")
  assert(v == nil and err:find('"later"', 1, true))
end
