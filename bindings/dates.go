package bindings

import (
	"fmt"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// Dates is the `dates` module: Skynamo sends date-times as ISO 8601 with an
// offset and a varying number of fractional digits, which Lua's os.time cannot
// read and which do not compare correctly as text across offsets. Scripts turn
// them into epoch seconds here and compare numbers.
type Dates struct {
	now func() time.Time
}

// NewDates builds the module; now is injectable so tests and the simulator's
// relative dates agree on "today".
func NewDates(now func() time.Time) *Dates {
	if now == nil {
		now = time.Now
	}
	return &Dates{now: now}
}

// Loader registers the module's functions.
func (d *Dates) Loader(L *lua.LState) int {
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"parse":    d.parse,
		"now":      d.nowSeconds,
		"days_ago": d.daysAgo,
		"format":   d.format,

		"compare":    d.compare,
		"before":     d.before,
		"after":      d.after,
		"date":       d.date,
		"week":       d.week,
		"week_start": d.weekStart,
		"add_days":   d.addDays,
		"diff_days":  d.diffDays,
	})
	L.Push(mod)
	return 1
}

// dates.parse(s) -> epoch_seconds, err
// Whole seconds: fractions are dropped, so results print as plain integers
// and compare the way people expect.
func (d *Dates) parse(L *lua.LState) int {
	s := L.CheckString(1)
	t, err := skynamo.ParseDateTime(s)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LNumber(t.Unix()))
	return 1
}

// dates.now() -> epoch_seconds
func (d *Dates) nowSeconds(L *lua.LState) int {
	L.Push(lua.LNumber(d.now().Unix()))
	return 1
}

// dates.days_ago(n) -> epoch_seconds of now minus n days
func (d *Dates) daysAgo(L *lua.LState) int {
	n := L.CheckNumber(1)
	t := d.now().Add(-time.Duration(float64(n) * 24 * float64(time.Hour)))
	L.Push(lua.LNumber(t.Unix()))
	return 1
}

// dates.format(epoch_seconds_or_iso, layout?) -> string
// layout is "iso" (RFC 3339, the default), "date" (2006-01-02), "datetime"
// (2006-01-02 15:04:05) or a Go reference layout. A date-time string keeps
// its own offset, so an order placed at 00:30+02:00 is dated that day, not
// the day before in UTC; epoch seconds are shown in UTC.
func (d *Dates) format(L *lua.LState) int {
	var t time.Time
	switch v := L.CheckAny(1).(type) {
	case lua.LNumber:
		t = time.Unix(0, int64(float64(v)*1e9)).UTC()
	case lua.LString:
		parsed, err := skynamo.ParseDateTime(string(v))
		if err != nil {
			L.ArgError(1, err.Error())
		}
		t = parsed
	default:
		L.ArgError(1, "expected epoch seconds or a date-time string, got "+v.Type().String())
	}
	layout := L.OptString(2, "iso")
	switch layout {
	case "iso":
		layout = time.RFC3339
	case "date":
		layout = "2006-01-02"
	case "datetime":
		layout = "2006-01-02 15:04:05"
	default:
		if !isGoLayout(layout) {
			L.ArgError(2, fmt.Sprintf("unknown format %q: use \"date\", \"datetime\", \"iso\" or a Go layout such as \"02 Jan 2006\"", layout))
		}
	}
	L.Push(lua.LString(t.Format(layout)))
	return 1
}

// isGoLayout reports whether a layout names at least one part of Go's
// reference time; anything else is a typo that would print itself.
func isGoLayout(layout string) bool {
	for _, part := range []string{"2006", "06", "01", "02", "Jan", "Mon", "15", "03", "04", "05", "PM", "MST", "-07"} {
		if strings.Contains(layout, part) {
			return true
		}
	}
	return false
}
