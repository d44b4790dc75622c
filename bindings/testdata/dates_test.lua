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
