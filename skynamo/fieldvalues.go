package skynamo

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Custom field types as the form definitions name them.
const (
	TypeText               = "Text Field"
	TypeNumber             = "Number Field"
	TypeDateTime           = "Date Time Field"
	TypeSingleEnum         = "Single Value Enumeration Field"
	TypeMultiEnum          = "Multi Value Enumeration Field"
	TypeSingleHierarchical = "Single Value Hierarchical Enumeration Field"
	TypeMultiHierarchical  = "Multi Value Hierarchical Enumeration Field"
	TypeAddress            = "Address Field"
	TypeSingleLookup       = "Single Value Lookup Entity Field"
	TypeMultiLookup        = "Multi Value Lookup Entity Field"
	TypeImages             = "Images Field"
	TypeSignature          = "Signature Field"
	TypeSketch             = "Sketch Field"
	TypeDivider            = "Divider Field"
	TypeLabel              = "Label Field"
)

// DateTimeLayout is the one form date-time values take once decoded.
const DateTimeLayout = "2006-01-02T15:04:05Z"

const (
	hierarchySeparator = " - "
	maxHierarchyDepth  = 32
	addressLines       = 4
)

// valueless reports whether a field type carries pictures or layout,
// nothing a script can use.
func valueless(fieldType string) bool {
	switch fieldType {
	case TypeImages, TypeSignature, TypeSketch, TypeDivider, TypeLabel:
		return true
	}
	return false
}

// AddressParts names the four lines of an Address Field, in wire order.
func AddressParts() [addressLines]string {
	return [addressLines]string{"street", "city", "state", "zip"}
}

// Decode converts a wire value (always a string) by the field's type:
//
//	Text Field                        string
//	Number Field                      int64 when the text is an integer, else float64
//	Date Time Field                   string, RFC 3339 in UTC to the second (NormalizeDateTime)
//	Single Value (Hierarchical) Enum  string, the label; hierarchical labels read "Parent - Child"
//	Multi Value (Hierarchical) Enum   []string, split by the field's known labels (SplitMulti)
//	Address Field                     map[string]any{street, city, state, zip}
//	Single Value Lookup Entity Field  int64
//	Multi Value Lookup Entity Field   []int64
//	Images, Signature, Sketch, Divider, Label: no value
//	any other type                    string, as sent
//
// ok is false when there is no value: the empty string means "not set".
// A value that does not read as its type is kept as text, with a warning,
// so no data is lost.
func (f *Field) Decode(wire string) (v any, ok bool, warning string) {
	if wire == "" || valueless(f.Type) {
		return nil, false, ""
	}
	switch f.Type {
	case TypeNumber:
		if n, ok := ParseNumber(wire); ok {
			return n, true, ""
		}
		return wire, true, f.warn("%q is not a number; kept as text", wire)
	case TypeDateTime:
		if s, err := NormalizeDateTime(wire); err == nil {
			return s, true, ""
		}
		return wire, true, f.warn("%q is not a date-time; kept as text", wire)
	case TypeMultiEnum, TypeMultiHierarchical:
		labels, unmatched := f.SplitMulti(wire)
		if len(labels) == 0 {
			return nil, false, ""
		}
		if len(unmatched) > 0 {
			return labels, true, f.warn("%q is not a known choice; kept as written", strings.Join(unmatched, `", "`))
		}
		return labels, true, ""
	case TypeAddress:
		return f.decodeAddress(wire)
	case TypeSingleLookup:
		if id, err := strconv.ParseInt(strings.TrimSpace(wire), 10, 64); err == nil {
			return id, true, ""
		}
		return wire, true, f.warn("%q is not an id; kept as text", wire)
	case TypeMultiLookup:
		return f.decodeIDs(wire)
	}
	return wire, true, ""
}

func (f *Field) warn(format string, args ...any) string {
	return fmt.Sprintf("custom field %q (id %d): ", f.Name, f.ID) + fmt.Sprintf(format, args...)
}

// ParseNumber reads a Number Field: int64 when the text is an integer that
// fits, float64 otherwise; NaN and infinities are not numbers here.
func ParseNumber(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, false
	}
	return x, true
}

// ParseDateTime reads every date-time spelling skynamo meets: the API's own
// (any offset, 0 to 9 fractional digits — Go accepts a fraction after the
// seconds even when the layout has none), the offset-less local form writes
// use (read as UTC, since the instance's zone is not known here), and a
// bare date. The result keeps the offset it was written with.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range [...]string{
		time.RFC3339,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date-time (expected e.g. 2024-05-11T10:12:13+02:00 or 2024-05-11)", s)
}

// NormalizeDateTime rewrites a date-time in the one form skynamo hands to
// scripts: RFC 3339 in UTC to the second, e.g. 2024-05-11T08:12:13Z, which
// sorts correctly as text. Fractional seconds are dropped.
func NormalizeDateTime(s string) (string, error) {
	t, err := ParseDateTime(s)
	if err != nil {
		return "", err
	}
	return t.UTC().Truncate(time.Second).Format(DateTimeLayout), nil
}

func (f *Field) decodeAddress(wire string) (any, bool, string) {
	lines := strings.Split(strings.ReplaceAll(wire, "\r\n", "\n"), "\n")
	var warning string
	if len(lines) > addressLines {
		// Keep extra lines rather than drop them: they join the last part.
		warning = f.warn("the address has %d lines, not %d; the extra lines were added to zip", len(lines), addressLines)
		lines[addressLines-1] = strings.Join(lines[addressLines-1:], "\n")
	}
	addr := make(map[string]any, addressLines)
	empty := true
	for i, part := range AddressParts() {
		v := ""
		if i < len(lines) {
			v = strings.TrimSpace(lines[i])
		}
		addr[part] = v
		empty = empty && v == ""
	}
	if empty {
		return nil, false, ""
	}
	return addr, true, warning
}

func (f *Field) decodeIDs(wire string) (any, bool, string) {
	var ids []int64
	for _, part := range strings.Split(wire, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return wire, true, f.warn("%q is not a list of ids; kept as text", wire)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, false, ""
	}
	return ids, true, ""
}

// enumIndex holds what reading an enumeration needs, computed once per
// field definition and shared by every FieldSet's copy of the field.
type enumIndex struct {
	labels  map[int64]string        // enum id -> full label, "Parent - Child" for hierarchies
	byFirst map[string][]splitLabel // first comma part -> labels, most parts first
}

// splitLabel is a label cut at its commas, to match against a value cut the same way.
type splitLabel struct {
	label string
	parts []string
}

func newEnumIndex(f *Field) *enumIndex {
	if len(f.Enum) == 0 {
		return nil
	}
	byID := make(map[int64]EnumValue, len(f.Enum))
	for _, e := range f.Enum {
		byID[e.ID] = e
	}
	idx := &enumIndex{labels: map[int64]string{}, byFirst: map[string][]splitLabel{}}
	for _, e := range f.Enum {
		label := e.Label
		// Walk up the parents; the depth limit guards a cyclic definition.
		for p, depth := e.ParentID, 0; p != 0 && depth < maxHierarchyDepth; depth++ {
			parent, ok := byID[p]
			if !ok {
				break
			}
			label = parent.Label + hierarchySeparator + label
			p = parent.ParentID
		}
		idx.labels[e.ID] = label
		parts := splitTrim(label)
		idx.byFirst[parts[0]] = append(idx.byFirst[parts[0]], splitLabel{label, parts})
	}
	for _, group := range idx.byFirst {
		sort.SliceStable(group, func(i, j int) bool { return len(group[i].parts) > len(group[j].parts) })
	}
	return idx
}

// Labels returns the full labels of the field's choices, in definition
// order ("Parent - Child" for hierarchical fields).
func (f *Field) Labels() []string {
	if f.enum == nil {
		return nil
	}
	out := make([]string, 0, len(f.Enum))
	for _, e := range f.Enum {
		out = append(out, f.enum.labels[e.ID])
	}
	return out
}

// SplitMulti splits a multi-value enumeration at its commas without
// breaking labels that contain commas themselves ("Retail, Independent"):
// among all readings of the value as known labels it picks the one with the
// fewest unknown pieces, then the fewest pieces (so the longest labels win).
// Unknown pieces are kept, as written, in labels and also returned in
// unmatched so the caller can warn. Without known labels (no show_enums)
// the value is split at every comma.
func (f *Field) SplitMulti(wire string) (labels, unmatched []string) {
	var segs []string
	for _, s := range splitTrim(wire) {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if f.enum == nil {
		return segs, nil
	}
	type step struct {
		unknown, pieces, next int
		label                 string // the matched label, "" for an unknown piece
	}
	n := len(segs)
	best := make([]step, n+1) // best[i]: the best reading of segs[i:]
	for i := n - 1; i >= 0; i-- {
		b := step{best[i+1].unknown + 1, best[i+1].pieces + 1, i + 1, ""}
		for _, l := range f.enum.byFirst[segs[i]] {
			k := len(l.parts)
			if i+k > n || !equalParts(segs[i:i+k], l.parts) {
				continue
			}
			c := step{best[i+k].unknown, best[i+k].pieces + 1, i + k, l.label}
			if c.unknown < b.unknown || c.unknown == b.unknown && c.pieces < b.pieces {
				b = c
			}
		}
		best[i] = b
	}
	for i := 0; i < n; i = best[i].next {
		if best[i].label == "" {
			unmatched = append(unmatched, segs[i])
			labels = append(labels, segs[i])
		} else {
			labels = append(labels, best[i].label)
		}
	}
	return labels, unmatched
}

// splitTrim splits at commas and trims the spaces around each part, so a
// label matches whether the wire joins with "," or ", ".
func splitTrim(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

func equalParts(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
