package skynamo

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Encode is the inverse of Decode: it turns a value as the reader returns
// it (and as a script writes it back) into the wire string of the field's
// type (FACTS.md, "Custom fields and forms"):
//
//	Text Field                        string
//	Number Field                      a number (int64, float64, json.Number), written as its decimal text
//	Date Time Field                   a date-time string; one with an offset is sent in UTC
//	                                  (2024-05-11T08:12:13Z), one without as instance local time
//	Single Value (Hierarchical) Enum  one of the field's labels ("Parent - Child")
//	Multi Value (Hierarchical) Enum   a list of labels, or one string of them, joined by ","
//	Address Field                     a table {street, city, state, zip}, or the four lines as text
//	Single Value Lookup Entity Field  a user id
//	Multi Value Lookup Entity Field   a list of user ids, joined by ","
//
// nil and Clear encode as "" (not set). Text is never taken for a number
// and a number never for text: a script that means 12 should not send "12"
// by accident of a CSV reader, and the error says how to convert.
func (f *Field) Encode(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if _, ok := v.(ClearValue); ok {
		return "", nil
	}
	if valueless(f.Type) {
		return "", fmt.Errorf("a %s holds no value that can be written", strings.ToLower(f.Type))
	}
	switch f.Type {
	case TypeNumber:
		return encodeNumber(v)
	case TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("must be a date-time string such as 2024-05-11T10:12:13+02:00, not %s", describeValue(v))
		}
		return EncodeDateTime(s)
	case TypeSingleEnum, TypeSingleHierarchical:
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("must be one label (a string), not %s", describeValue(v))
		}
		if err := f.checkLabel(s); err != nil {
			return "", err
		}
		return s, nil
	case TypeMultiEnum, TypeMultiHierarchical:
		return f.encodeLabels(v)
	case TypeAddress:
		return encodeAddress(v)
	case TypeSingleLookup:
		id, err := encodeID(v)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(id, 10), nil
	case TypeMultiLookup:
		list, ok := asList(v)
		if !ok {
			list = []any{v} // one id
		}
		parts := make([]string, 0, len(list))
		for _, e := range list {
			id, err := encodeID(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, strconv.FormatInt(id, 10))
		}
		return strings.Join(parts, ","), nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be text, not %s (convert it with tostring)", describeValue(v))
	}
	return s, nil
}

// encodeNumber writes a number as the shortest decimal that reads back
// the same; NaN and infinities are refused.
func encodeNumber(v any) (string, error) {
	switch n := v.(type) {
	case int64:
		return strconv.FormatInt(n, 10), nil
	case int:
		return strconv.Itoa(n), nil
	case json.Number:
		if _, ok := ParseNumber(n.String()); !ok {
			return "", fmt.Errorf("%q is not a number", n.String())
		}
		return n.String(), nil
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return "", fmt.Errorf("%v is not a number that can be written", n)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	case string:
		if _, ok := ParseNumber(n); ok {
			return "", fmt.Errorf("must be a number, not the text %q (convert it with tonumber)", n)
		}
		return "", fmt.Errorf("%q is not a number", n)
	}
	return "", fmt.Errorf("must be a number, not %s", describeValue(v))
}

// EncodeDateTime checks a date-time a script gives and writes it in a form
// the API takes (FACTS.md): one with an offset in UTC, RFC 3339 to the
// second; one without as instance local time, YYYY-MM-DDTHH:MM:SS (a bare
// date is midnight).
func EncodeDateTime(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Second).Format(DateTimeLayout), nil
		}
	}
	for _, layout := range [...]string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Truncate(time.Second).Format("2006-01-02T15:04:05"), nil
		}
	}
	return "", fmt.Errorf("%q is not a date-time (write e.g. 2024-05-11T10:12:13+02:00, or 2024-05-11T10:12:13 in the instance's time)", s)
}

// choices are the labels a value may take: every label of a flat
// enumeration; for a hierarchy the leaves ("Parent - Child"), since a
// parent with children is a heading, not a choice.
func (f *Field) choices() []string {
	labels := f.Labels()
	if f.Type != TypeSingleHierarchical && f.Type != TypeMultiHierarchical {
		return labels
	}
	parents := map[int64]bool{}
	for _, e := range f.Enum {
		if e.ParentID != 0 {
			parents[e.ParentID] = true
		}
	}
	var out []string
	for i, e := range f.Enum {
		if !parents[e.ID] {
			out = append(out, labels[i])
		}
	}
	return out
}

// checkLabel refuses a label the field does not have. Without known labels
// (form definitions read without show_enums) any label passes: the server
// still checks.
func (f *Field) checkLabel(s string) error {
	if f.enum == nil {
		return nil
	}
	choices := f.choices()
	if slices.Contains(choices, s) {
		return nil
	}
	msg := fmt.Sprintf("%q is not one of its labels", s)
	if near := SuggestNames(s, choices, 1); len(near) > 0 {
		msg += fmt.Sprintf(": did you mean %q?", near[0])
	}
	return fmt.Errorf("%s (allowed: %s)", msg, strings.Join(choices, "; "))
}

func (f *Field) encodeLabels(v any) (string, error) {
	var labels []string
	switch x := v.(type) {
	case string:
		// One label, or several as the wire joins them: split the way
		// Decode does, by the known labels, so labels with commas survive.
		var unmatched []string
		labels, unmatched = f.SplitMulti(x)
		if len(unmatched) > 0 && f.enum != nil {
			return "", f.checkLabel(unmatched[0])
		}
	default:
		list, ok := asList(v)
		if !ok {
			return "", fmt.Errorf("must be a list of labels, not %s", describeValue(v))
		}
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("[%d] must be a label (a string), not %s", i+1, describeValue(e))
			}
			if s == "" {
				continue
			}
			labels = append(labels, s)
		}
	}
	for _, l := range labels {
		if err := f.checkLabel(l); err != nil {
			return "", err
		}
	}
	return strings.Join(labels, ","), nil
}

// encodeAddress joins the four parts by newlines, in wire order.
func encodeAddress(v any) (string, error) {
	if s, ok := v.(string); ok {
		if strings.Count(s, "\n") >= addressLines {
			return "", fmt.Errorf("an address has at most %d lines (street, city, state, zip)", addressLines)
		}
		return s, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("must be a table {street, city, state, zip}, not %s", describeValue(v))
	}
	parts := AddressParts()
	for k := range m {
		if !slices.Contains(parts[:], k) {
			msg := fmt.Sprintf("unknown address part %q", k)
			if near := SuggestNames(k, parts[:], 1); len(near) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", near[0])
			}
			return "", fmt.Errorf("%s (parts: street, city, state, zip)", msg)
		}
	}
	lines := make([]string, addressLines)
	empty := true
	for i, p := range parts {
		switch x := m[p].(type) {
		case nil:
		case string:
			if strings.ContainsAny(x, "\r\n") {
				return "", fmt.Errorf("address %s must be one line", p)
			}
			lines[i] = x
			empty = empty && x == ""
		default:
			return "", fmt.Errorf("address %s must be text, not %s (convert it with tostring)", p, describeValue(x))
		}
	}
	if empty {
		return "", nil
	}
	return strings.Join(lines, "\n"), nil
}

// encodeID reads a user id.
func encodeID(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		return 0, fmt.Errorf("must be a user id (a number), not the text %q", x)
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("must be a user id, not %v", x)
		}
	}
	id, ok := IntValue(v)
	if !ok {
		return 0, fmt.Errorf("must be a user id (a number), not %s", describeValue(v))
	}
	return id, nil
}

// asList reads the list types a value may arrive as.
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case map[string]any:
		// An empty Lua table converts to an empty map: as a list it is
		// the empty list (a record's files = {}).
		return nil, len(x) == 0
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []int64:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out, true
	case []float64:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// describeValue names a value's kind for messages: `the text "12"`,
// `the number 12`, `true`, `a list`, `a table`.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the text %q", x)
	case json.Number:
		return "the number " + x.String()
	case int64, int, float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return strconv.FormatBool(x)
	case ClearValue:
		return "CLEAR"
	case map[string]any:
		return "a table"
	}
	if _, ok := asList(v); ok {
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}
