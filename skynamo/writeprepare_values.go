package skynamo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// This file turns one Values entry into its wire JSON, checking it against
// its WriteProp; problems are added to the preparer, named by the
// property's path ("location.latitude", "items[2].quantity", with list
// positions counted from 1 as Lua counts them).

// absent says a value is not given: nil and "" are never sent, so a sparse
// ERP export or an empty CSV cell cannot clear anything.
func absent(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

func isClear(v any) bool {
	_, ok := v.(ClearValue)
	return ok
}

// jsonText marshals without HTML escaping, so bodies read as written.
func jsonText(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only strings, numbers and bools reach here
	}
	return json.RawMessage(bytes.TrimRight(b.Bytes(), "\n"))
}

// orderedObject builds a JSON object with keys in a fixed order, so bodies
// are deterministic (golden files, journals, dry-run plans).
type orderedObject struct {
	keys []string
	vals map[string]json.RawMessage
}

func newObject() *orderedObject { return &orderedObject{vals: map[string]json.RawMessage{}} }

func (o *orderedObject) set(k string, v json.RawMessage) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *orderedObject) has(k string) bool { _, ok := o.vals[k]; return ok }

// marshal writes the keys in the order of props, then any others in the
// order they were set.
func (o *orderedObject) marshal(props []WriteProp) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	done := map[string]bool{}
	write := func(k string) {
		if done[k] || !o.has(k) {
			return
		}
		done[k] = true
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(jsonText(k))
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	for _, p := range props {
		write(p.Name)
	}
	for _, k := range o.keys {
		write(k)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// wrongType words a type mismatch and how to fix it.
func wrongType(want string, v any) string {
	msg := fmt.Sprintf("must be %s, not %s", want, describeValue(v))
	if s, ok := v.(string); ok {
		if _, isNum := ParseNumber(s); isNum && (strings.Contains(want, "number") || strings.Contains(want, "integer")) {
			msg += " (convert it with tonumber)"
		}
	}
	if _, isNum := numberValue(v); isNum && want == "text" {
		msg += " (convert it with tostring)"
	}
	return msg
}

// numberValue reads the Go number types a value may arrive as.
func numberValue(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	}
	return 0, false
}

// encodeValue checks v against prop and returns its wire JSON; ok is false
// when a problem was added.
func (p *preparer) encodeValue(path string, prop WriteProp, v any) (json.RawMessage, bool) {
	bad := func(msg string) (json.RawMessage, bool) {
		p.problem(path, msg)
		return nil, false
	}
	switch prop.Type {
	case PropString:
		s, ok := v.(string)
		if !ok {
			return bad(wrongType("text", v))
		}
		if prop.Enum != nil && !slices.Contains(prop.Enum, s) {
			msg := fmt.Sprintf("%q is not allowed", s)
			if near := SuggestNames(s, prop.Enum, 1); len(near) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", near[0])
			}
			return bad(msg + " (allowed: " + strings.Join(prop.Enum, ", ") + ")")
		}
		return jsonText(s), true
	case PropDateTime:
		s, ok := v.(string)
		if !ok {
			return bad(wrongType("a date-time string such as 2024-05-11T10:12:13+02:00", v))
		}
		d, err := EncodeDateTime(s)
		if err != nil {
			return bad(err.Error())
		}
		return jsonText(d), true
	case PropInteger:
		switch n := v.(type) {
		case json.Number:
			if _, err := n.Int64(); err != nil {
				return bad(fmt.Sprintf("must be a whole number, not %s", n))
			}
			return json.RawMessage(n.String()), true
		case int64:
			return json.RawMessage(strconv.FormatInt(n, 10)), true
		case int:
			return json.RawMessage(strconv.Itoa(n)), true
		case float64:
			if n != math.Trunc(n) || math.IsInf(n, 0) || math.Abs(n) > 1<<53 {
				return bad(fmt.Sprintf("must be a whole number, not %v", n))
			}
			return json.RawMessage(strconv.FormatInt(int64(n), 10)), true
		}
		return bad(wrongType("an integer", v))
	case PropNumber:
		switch n := v.(type) {
		case json.Number:
			if _, err := n.Float64(); err != nil {
				return bad(fmt.Sprintf("%q is not a number", n.String()))
			}
			return json.RawMessage(n.String()), true
		case int64, int:
			return jsonText(n), true
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				return bad(fmt.Sprintf("%v is not a number that can be sent", n))
			}
			return jsonText(n), true
		}
		return bad(wrongType("a number", v))
	case PropBoolean:
		if b, ok := v.(bool); ok {
			return jsonText(b), true
		}
		return bad(wrongType("true or false", v))
	case PropObject:
		m, ok := v.(map[string]any)
		if !ok {
			return bad(wrongType("a table", v))
		}
		return p.encodeObject(path, prop, m)
	case PropArray:
		list, ok := asList(v)
		if !ok {
			return bad(wrongType("a list", v))
		}
		elem := WriteProp{Type: prop.Items, Props: prop.Props, Required: prop.Required, Alternatives: prop.Alternatives}
		var b bytes.Buffer
		b.WriteByte('[')
		good := true
		for i, e := range list {
			at := fmt.Sprintf("%s[%d]", path, i+1)
			if absent(e) {
				p.problem(at, "a list element must not be empty")
				good = false
				continue
			}
			raw, ok := p.encodeValue(at, elem, e)
			if !ok {
				good = false
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(raw)
		}
		b.WriteByte(']')
		return b.Bytes(), good
	}
	return bad("has a type the writer does not know: " + string(prop.Type))
}

// encodeObject checks an object's properties (sorted, for a stable order
// of problems) and its required ones.
func (p *preparer) encodeObject(path string, prop WriteProp, m map[string]any) (json.RawMessage, bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	obj := newObject()
	good := true
	given := func(k string) bool { return !absent(m[k]) } // a bad value is reported, not "missing"
	var names []string
	for _, q := range prop.Props {
		names = append(names, q.Name)
	}
	for _, k := range keys {
		v := m[k]
		at := path + "." + k
		i := slices.Index(names, k)
		switch {
		case i < 0:
			p.problem(at, unknownMessage(k, names))
			good = false
		case absent(v):
		case isClear(v):
			p.problem(at, "cannot be cleared: leave it out, or give a value")
			good = false
		default:
			raw, ok := p.encodeValue(at, prop.Props[i], v)
			if ok {
				obj.set(k, raw)
			}
			good = good && ok
		}
	}
	for _, r := range prop.Required {
		if !given(r) && !slices.ContainsFunc(prop.Alternatives[r], given) {
			p.problem(path+"."+r, requiredMessage(r, prop.Alternatives[r]))
			good = false
		}
	}
	return obj.marshal(prop.Props), good
}

func unknownMessage(name string, known []string) string {
	msg := fmt.Sprintf("unknown property %q", name)
	if near := SuggestNames(name, known, 2); len(near) > 0 {
		msg += "; did you mean " + quotedList(near, " or ") + "?"
	}
	return msg
}

func requiredMessage(name string, alternatives []string) string {
	if len(alternatives) == 0 {
		return "required property missing"
	}
	return "required property missing (or give " + strings.Join(alternatives, " or ") + ")"
}

// ValueText renders a write value as text: the before and after of a
// change for a person, or a key to match against cached records.
func ValueText(v any) string { return valueText(v) }

func valueText(v any) string {
	switch x := v.(type) {
	case nil, ClearValue:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	if list, ok := asList(v); ok {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = valueText(e)
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v) // tables: sorted keys, compact
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
