package bindings

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// The calendar and comparison half of the dates module. Report scripts ask
// "which day, which week, how many days between": the answers depend on the
// offset a date-time was written in (an order at 00:30+02:00 belongs to that
// day, not to the day before in UTC), so every helper here reads the value's
// own offset, and epoch seconds count as UTC. Comparisons are of instants,
// so 10:00+02:00 equals 08:00Z.

const dateLayout = "2006-01-02"

// timeArg reads argument n as epoch seconds or a date-time string. It
// reports whether the text was a bare date, which add_days keeps as one.
func timeArg(L *lua.LState, n int) (t time.Time, dateOnly bool, err error) {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return time.Unix(0, int64(float64(v)*1e9)).UTC(), false, nil
	case lua.LString:
		t, err := skynamo.ParseDateTime(string(v))
		return t, err == nil && len(string(v)) == len(dateLayout), err
	case *lua.LNilType:
		L.ArgError(n, "expected epoch seconds or a date-time string, got no value")
	default:
		L.ArgError(n, "expected epoch seconds or a date-time string, got "+v.Type().String())
	}
	return time.Time{}, false, nil
}

// mustTime is timeArg for comparisons, where unreadable text is a bug in the
// script (comparing a field that is not a date), so it raises naming the
// argument instead of returning nil, err that a condition would swallow.
func mustTime(L *lua.LState, n int) time.Time {
	t, _, err := timeArg(L, n)
	if err != nil {
		L.ArgError(n, err.Error())
	}
	return t
}

func pushErr(L *lua.LState, err error) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(err.Error()))
	return 2
}

// dates.compare(a, b) -> -1, 0 or 1 as instant a is before, equal to or
// after b; a and b are date-time strings (any offset) or epoch seconds.
// Unreadable text raises, naming the argument.
func (d *Dates) compare(L *lua.LState) int {
	a, b := mustTime(L, 1), mustTime(L, 2)
	L.Push(lua.LNumber(a.Compare(b)))
	return 1
}

// dates.before(a, b) -> true when instant a is earlier than b
func (d *Dates) before(L *lua.LState) int {
	a, b := mustTime(L, 1), mustTime(L, 2)
	L.Push(lua.LBool(a.Before(b)))
	return 1
}

// dates.after(a, b) -> true when instant a is later than b
func (d *Dates) after(L *lua.LState) int {
	a, b := mustTime(L, 1), mustTime(L, 2)
	L.Push(lua.LBool(a.After(b)))
	return 1
}

// dates.date(s_or_epoch) -> "YYYY-MM-DD" in the value's own offset, or nil, err
func (d *Dates) date(L *lua.LState) int {
	t, _, err := timeArg(L, 1)
	if err != nil {
		return pushErr(L, err)
	}
	L.Push(lua.LString(t.Format(dateLayout)))
	return 1
}

// dates.week(s_or_epoch) -> the ISO 8601 week, e.g. "2026-W48" (weeks start
// on Monday; the year is the week's, so 2027-01-01 is in "2026-W53"), or nil, err
func (d *Dates) week(L *lua.LState) int {
	t, _, err := timeArg(L, 1)
	if err != nil {
		return pushErr(L, err)
	}
	year, week := t.ISOWeek()
	L.Push(lua.LString(fmt.Sprintf("%04d-W%02d", year, week)))
	return 1
}

// dates.week_start(s_or_epoch) -> "YYYY-MM-DD" of the Monday of its week, or nil, err
func (d *Dates) weekStart(L *lua.LState) int {
	t, _, err := timeArg(L, 1)
	if err != nil {
		return pushErr(L, err)
	}
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	L.Push(lua.LString(t.AddDate(0, 0, -back).Format(dateLayout)))
	return 1
}

// dates.add_days(s_or_epoch, n) -> the same kind of value n calendar days
// later (n may be negative): epoch seconds stay numbers, "YYYY-MM-DD" stays
// a date, a date-time comes back as RFC 3339 in its own offset; nil, err for
// unreadable text
func (d *Dates) addDays(L *lua.LState) int {
	t, dateOnly, err := timeArg(L, 1)
	n := L.CheckInt(2)
	if float64(L.CheckNumber(2)) != float64(n) {
		L.ArgError(2, "a whole number of days expected")
	}
	if err != nil {
		return pushErr(L, err)
	}
	t = t.AddDate(0, 0, n)
	switch {
	case L.Get(1).Type() == lua.LTNumber:
		L.Push(lua.LNumber(float64(t.UnixNano()) / 1e9))
	case dateOnly:
		L.Push(lua.LString(t.Format(dateLayout)))
	default:
		L.Push(lua.LString(t.Format(time.RFC3339)))
	}
	return 1
}

// dates.diff_days(a, b) -> whole calendar days from a to b (positive when b
// is later), each counted on its own date: from 23:00 to 01:00 the next day
// is 1; or nil, err
func (d *Dates) diffDays(L *lua.LState) int {
	a, _, err := timeArg(L, 1)
	if err != nil {
		return pushErr(L, err)
	}
	b, _, err := timeArg(L, 2)
	if err != nil {
		return pushErr(L, err)
	}
	day := func(t time.Time) int64 {
		y, m, dd := t.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	L.Push(lua.LNumber(day(b) - day(a)))
	return 1
}
