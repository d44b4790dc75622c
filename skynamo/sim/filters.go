package sim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

type fieldKind uint8

const (
	kindInt fieldKind = iota
	kindNumber
	kindString
	kindBool
	kindDate
)

type op uint8

const (
	opLessThan op = 1 << iota
	opLessThanEquals
	opGreaterThan
	opGreaterThanEquals
	opEquals
	opStartsWith
)

var opNames = map[string]op{
	"less_than":           opLessThan,
	"less_than_equals":    opLessThanEquals,
	"greater_than":        opGreaterThan,
	"greater_than_equals": opGreaterThanEquals,
	"equals":              opEquals,
	"starts_with":         opStartsWith,
}

// Operator sets per field, from the spec's per-field Filters* parameters:
// active and type take equals only, dates and versions everything but
// starts_with.
const (
	allOps     = opLessThan | opLessThanEquals | opGreaterThan | opGreaterThanEquals | opEquals | opStartsWith
	orderOps   = allOps &^ opStartsWith
	equalsOnly = opEquals
)

// filterField says how a filterable field is read and compared.
type filterField struct {
	prop        string // record property it tests (version -> row_version)
	kind        fieldKind
	ops         op
	nullable    bool // equals(field, null) is meaningful
	everyRecord bool // accepted but matches every record (see products)
}

// filter is one parsed `op(field,value)`.
type filter struct {
	op    op
	field filterField
	null  bool
	num   float64
	str   string
	b     bool
	t     time.Time
}

// filterError is a 400 whose message names the problem.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

func badFilter(format string, a ...any) error { return &filterError{fmt.Sprintf(format, a...)} }

// parseFilters reads the filters parameter: a JSON array of strings. It
// returns the filters and a canonical key for the filter cache.
func parseFilters(raw string, ep *endpoint, loc *time.Location) ([]filter, string, error) {
	var items []string
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, "", badFilter("filters must be a JSON array of strings such as [\"equals(id,5)\"]: %v", err)
	}
	if len(items) == 0 {
		return nil, "", nil
	}
	if ep.filters == nil {
		return nil, "", badFilter("%s cannot be filtered", ep.name)
	}
	fs := make([]filter, 0, len(items))
	keys := make([]string, 0, len(items))
	for _, it := range items {
		f, key, err := parseFilter(it, ep, loc)
		if err != nil {
			return nil, "", err
		}
		fs = append(fs, f)
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return fs, strings.Join(keys, "\x00"), nil
}

func parseFilter(text string, ep *endpoint, loc *time.Location) (filter, string, error) {
	s := strings.TrimSpace(text)
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return filter{}, "", badFilter("malformed filter %q: expected operator(field,value)", text)
	}
	opName := strings.TrimSpace(s[:open])
	field, value, ok := strings.Cut(s[open+1:len(s)-1], ",")
	if !ok {
		return filter{}, "", badFilter("malformed filter %q: expected operator(field,value)", text)
	}
	field, value = strings.TrimSpace(field), strings.TrimSpace(value)
	o, ok := opNames[opName]
	if !ok {
		return filter{}, "", badFilter("unknown filter operator %q in %q", opName, text)
	}
	ff, ok := ep.filters[field]
	if !ok {
		return filter{}, "", badFilter("%s cannot be filtered by %q; filterable fields: %s", ep.name, field, strings.Join(filterNames(ep), ", "))
	}
	if ff.ops&o == 0 {
		return filter{}, "", badFilter("operator %s cannot be used on %s", opName, field)
	}
	f := filter{op: o, field: ff}
	key := opName + "(" + ff.prop + "," + value + ")"
	if strings.EqualFold(value, "null") && ff.nullable {
		f.null = true
		return f, key, nil
	}
	if o == opStartsWith {
		// starts_with compares the text form of any field.
		f.str = value
		return f, key, nil
	}
	switch ff.kind {
	case kindInt, kindNumber:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil || (ff.kind == kindInt && n != float64(int64(n))) {
			return filter{}, "", badFilter("%s must be compared with a number, not %q", field, value)
		}
		f.num = n
	case kindBool:
		b, err := strconv.ParseBool(strings.ToLower(value))
		if err != nil {
			return filter{}, "", badFilter("%s must be compared with true or false, not %q", field, value)
		}
		f.b = b
	case kindDate:
		t, err := parseFilterTime(value, loc)
		if err != nil {
			return filter{}, "", badFilter("%s must be compared with a date such as 2026-01-01, 2026-01-01T20:00:00 or 2026-01-01T00:00:00.0000000+02:00, not %q", field, value)
		}
		f.t = t
	default:
		f.str = value
	}
	return f, key, nil
}

func filterNames(ep *endpoint) []string {
	names := make([]string, 0, len(ep.filters))
	for k := range ep.filters {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// parseFilterTime accepts the spec's three formats: short date, short
// datetime (both in the instance's local time) and roundtrip with offset.
func parseFilterTime(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}

func matchAll(r *record, fs []filter) bool {
	for i := range fs {
		if !fs[i].match(r) {
			return false
		}
	}
	return true
}

func (f *filter) match(r *record) bool {
	if f.field.everyRecord {
		return true
	}
	v, _ := r.field(f.field.prop)
	if f.null {
		return v == nil
	}
	if v == nil {
		return false
	}
	if f.op == opStartsWith {
		return strings.HasPrefix(textOf(v), f.str)
	}
	switch f.field.kind {
	case kindInt, kindNumber:
		n, ok := numberOf(v)
		return ok && f.compare(cmpFloat(n, f.num))
	case kindBool:
		b, ok := v.(bool)
		return ok && b == f.b
	case kindDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return err == nil && f.compare(t.Compare(f.t))
	default:
		return f.compare(strings.Compare(textOf(v), f.str))
	}
}

// compare turns a three-way comparison of (record value, filter value) into
// the operator's verdict.
func (f *filter) compare(c int) bool {
	switch f.op {
	case opLessThan:
		return c < 0
	case opLessThanEquals:
		return c <= 0
	case opGreaterThan:
		return c > 0
	case opGreaterThanEquals:
		return c >= 0
	case opEquals:
		return c == 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func numberOf(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func textOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
